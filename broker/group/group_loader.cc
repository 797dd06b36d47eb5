#include "broker/group/group_loader.h"

#include "broker/group/group_records.h"
#include "broker/protocol/record_batch.h"

namespace samsa::group {

void GroupLoader::add_batches(std::span<const uint8_t> bytes) {
    protocol::RecordBatchIterator batches(bytes);
    while (auto batch = batches.next()) {
        if (batch->is_control() || batch->compression() != protocol::CompressionType::none) {
            skipped_ += static_cast<size_t>(std::max(0, batch->record_count()));
            continue;
        }
        protocol::RecordIterator records(*batch);
        protocol::Record r;
        while (records.next(r)) {
            if (!r.key) {
                ++skipped_;
                continue;
            }
            add_record(*r.key, r.value);
        }
        if (records.malformed()) {
            ++skipped_;
        }
    }
}

void GroupLoader::add_record(std::span<const uint8_t> key,
                             std::optional<std::span<const uint8_t>> value) {
    auto decoded = decode_key(key);
    if (!decoded) {
        ++skipped_;
        return;
    }
    if (auto* k = std::get_if<OffsetKey>(&*decoded)) {
        if (!value) {
            offsets_[k->group_id].erase(k->tp);
            return;
        }
        auto offset = decode_offset_value(*value);
        if (!offset) {
            ++skipped_;
            return;
        }
        offsets_[k->group_id][k->tp] = *offset;
        return;
    }
    const auto& g = std::get<GroupKey>(*decoded);
    if (!value) {
        groups_.erase(g.group_id);
        return;
    }
    auto group = decode_group_value(*value);
    if (!group) {
        ++skipped_;
        return;
    }
    groups_[g.group_id] = std::move(*group);
}

std::shared_ptr<GroupMetadata> group_from_value(const std::string& group_id,
                                                const protocol::GroupMetadataValueData& value,
                                                int64_t now_ms) {
    const bool has_members = !value.members.empty();
    const int64_t since =
        value.current_state_timestamp >= 0 ? value.current_state_timestamp : now_ms;
    auto group = std::make_shared<GroupMetadata>(
        group_id, has_members ? GroupState::stable : GroupState::empty, since);
    group->generation_id = value.generation;
    if (!value.protocol_type.empty()) {
        group->protocol_type = value.protocol_type;
    }
    group->protocol_name = value.protocol;
    for (const auto& m : value.members) {
        std::vector<ProtocolEntry> protocols;
        if (value.protocol) {
            protocols.push_back(ProtocolEntry{*value.protocol, m.subscription});
        }
        auto member = std::make_shared<MemberMetadata>(
            m.member_id, m.group_instance_id, m.client_id, m.client_host, m.rebalance_timeout,
            m.session_timeout, value.protocol_type, std::move(protocols));
        member->assignment = m.assignment;
        member->latest_heartbeat_ms = now_ms;
        group->add(std::move(member));
    }
    // add() made the first member leader; the stored leader is the real one.
    group->leader_id = value.leader;
    return group;
}

std::vector<std::shared_ptr<GroupMetadata>> GroupLoader::finish(int64_t now_ms) const {
    std::vector<std::shared_ptr<GroupMetadata>> out;
    for (const auto& [id, value] : groups_) {
        auto group = group_from_value(id, value, now_ms);
        if (auto o = offsets_.find(id); o != offsets_.end()) {
            group->offsets = o->second;
        }
        out.push_back(std::move(group));
    }
    for (const auto& [id, offsets] : offsets_) {
        if (groups_.contains(id) || offsets.empty()) {
            continue;
        }
        auto group = std::make_shared<GroupMetadata>(id, GroupState::empty, now_ms);
        group->offsets = offsets;
        out.push_back(std::move(group));
    }
    return out;
}

}  // namespace samsa::group
