#pragma once
// The coordinator's records in __consumer_offsets, in Kafka's exact binary formats: a key and a
// value, each an int16 version followed by the versioned struct (schemas group_metadata_*.schema
// and offset_commit_*.schema). Key version 0 or 1 is a committed offset, key version 2 a
// group; a null value is a tombstone. We write OffsetCommitKey v1 / OffsetCommitValue v3 and
// GroupMetadataKey v2 / GroupMetadataValue v3, as Kafka 2.8 does with IBP 2.8.

#include "broker/group/types.h"
#include "broker/protocol/generated/group_metadata_value.h"
#include "common/types.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>

namespace samsa::group {

class GroupMetadata;

Bytes offset_commit_key(const std::string& group_id, const TopicPartition& tp);
Bytes offset_commit_value(const OffsetAndMetadata& offset);
Bytes group_metadata_key(const std::string& group_id);
// The group's current generation with `assignments` (member id -> assignment; members not in
// it get their current assignment). Holds the group's lock.
Bytes group_metadata_value(const GroupMetadata& group,
                           const std::map<std::string, Bytes>& assignments);

struct OffsetKey {
    std::string group_id;
    TopicPartition tp;
};
struct GroupKey {
    std::string group_id;
};
using RecordKey = std::variant<OffsetKey, GroupKey>;

// nullopt for keys that are not ours (unknown versions: Kafka skips them too) or malformed.
std::optional<RecordKey> decode_key(std::span<const uint8_t> key);
std::optional<OffsetAndMetadata> decode_offset_value(std::span<const uint8_t> value);
std::optional<protocol::GroupMetadataValueData> decode_group_value(std::span<const uint8_t> value);

}  // namespace samsa::group
