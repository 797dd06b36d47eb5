#include "broker/group/group_records.h"

#include "broker/group/group_metadata.h"
#include "broker/protocol/generated/group_metadata_key.h"
#include "broker/protocol/generated/offset_commit_key.h"
#include "broker/protocol/generated/offset_commit_value.h"
#include "broker/protocol/wire.h"

namespace samsa::group {

namespace {

constexpr int16_t kOffsetKeyVersion = 1;
constexpr int16_t kGroupKeyVersion = 2;
constexpr int16_t kOffsetValueVersion = 3;
constexpr int16_t kGroupValueVersion = 3;

template <typename Data>
Bytes encode_versioned(const Data& data, int16_t version) {
    protocol::Writer w;
    w.write_int16(version);
    data.encode(w, version);
    return std::move(w.buffer());
}

// Reads the version prefix and the struct; nullopt on any malformed byte (a record in the log
// is data, never a reason to stop the broker).
template <typename Data>
std::optional<Data> decode_versioned(std::span<const uint8_t> bytes, int16_t lowest,
                                     int16_t highest) {
    try {
        protocol::Reader r(bytes);
        int16_t version = r.read_int16();
        if (version < lowest || version > highest) {
            return std::nullopt;
        }
        Data data;
        data.decode(r, version);
        return data;
    } catch (const protocol::DecodeError&) {
        return std::nullopt;
    }
}

}  // namespace

Bytes offset_commit_key(const std::string& group_id, const TopicPartition& tp) {
    protocol::OffsetCommitKeyData key;
    key.group = group_id;
    key.topic = tp.topic;
    key.partition = tp.partition;
    return encode_versioned(key, kOffsetKeyVersion);
}

Bytes offset_commit_value(const OffsetAndMetadata& offset) {
    protocol::OffsetCommitValueData value;
    value.offset = offset.offset;
    value.leader_epoch = offset.leader_epoch;
    value.metadata = offset.metadata;
    value.commit_timestamp = offset.commit_timestamp_ms;
    return encode_versioned(value, kOffsetValueVersion);
}

Bytes group_metadata_key(const std::string& group_id) {
    protocol::GroupMetadataKeyData key;
    key.group = group_id;
    return encode_versioned(key, kGroupKeyVersion);
}

Bytes group_metadata_value(const GroupMetadata& group,
                           const std::map<std::string, Bytes>& assignments) {
    protocol::GroupMetadataValueData value;
    value.protocol_type = group.protocol_type.value_or("");
    value.generation = group.generation_id;
    value.protocol = group.protocol_name;
    value.leader = group.leader_id;
    value.current_state_timestamp = group.current_state_timestamp_ms();
    for (const auto& [id, m] : group.members()) {
        protocol::GroupMetadataValueData::MemberMetadata mm;
        mm.member_id = id;
        mm.group_instance_id = m->group_instance_id;
        mm.client_id = m->client_id;
        mm.client_host = m->client_host;
        mm.rebalance_timeout = m->rebalance_timeout_ms;
        mm.session_timeout = m->session_timeout_ms;
        mm.subscription = m->metadata(group.protocol_name.value_or(""));
        auto a = assignments.find(id);
        mm.assignment = a != assignments.end() ? a->second : m->assignment;
        value.members.push_back(std::move(mm));
    }
    return encode_versioned(value, kGroupValueVersion);
}

std::optional<RecordKey> decode_key(std::span<const uint8_t> key) {
    if (key.size() < 2) {
        return std::nullopt;
    }
    const int16_t version = static_cast<int16_t>((key[0] << 8) | key[1]);
    if (version == 0 || version == 1) {
        auto k = decode_versioned<protocol::OffsetCommitKeyData>(key, 0, 1);
        if (!k) {
            return std::nullopt;
        }
        return OffsetKey{k->group, TopicPartition{k->topic, k->partition}};
    }
    if (version == kGroupKeyVersion) {
        auto k = decode_versioned<protocol::GroupMetadataKeyData>(key, 2, 2);
        if (!k) {
            return std::nullopt;
        }
        return GroupKey{k->group};
    }
    return std::nullopt;
}

std::optional<OffsetAndMetadata> decode_offset_value(std::span<const uint8_t> value) {
    auto v = decode_versioned<protocol::OffsetCommitValueData>(value, 0, 3);
    if (!v) {
        return std::nullopt;
    }
    OffsetAndMetadata out;
    out.offset = v->offset;
    out.leader_epoch = v->leader_epoch;
    out.metadata = v->metadata;
    out.commit_timestamp_ms = v->commit_timestamp;
    if (v->expire_timestamp >= 0) {
        out.expire_timestamp_ms = v->expire_timestamp;
    }
    return out;
}

std::optional<protocol::GroupMetadataValueData> decode_group_value(std::span<const uint8_t> value) {
    return decode_versioned<protocol::GroupMetadataValueData>(value, 0, 3);
}

}  // namespace samsa::group
