#pragma once
// GroupLoader: rebuilds the groups of one __consumer_offsets partition from its records, in
// log order (Kafka's doLoadGroupsAndOffsets): the last record of each key wins, tombstones
// delete. Pure: bytes in, groups out; the GroupMetadataManager feeds it from the log.

#include "broker/group/group_metadata.h"
#include "broker/protocol/generated/group_metadata_value.h"

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace samsa::group {

class GroupLoader {
  public:
    // Whole v2 batches. Compressed batches and control batches are skipped (the coordinator
    // writes neither); malformed records are skipped with a count.
    void add_batches(std::span<const uint8_t> bytes);

    // The groups as the records left them: Stable with their members if the last generation
    // had any, Empty otherwise; groups with only offsets are Empty.
    std::vector<std::shared_ptr<GroupMetadata>> finish(int64_t now_ms) const;

    size_t skipped_records() const { return skipped_; }

  private:
    void add_record(std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value);

    std::map<std::string, std::map<TopicPartition, OffsetAndMetadata>> offsets_;
    std::map<std::string, protocol::GroupMetadataValueData> groups_;
    size_t skipped_ = 0;
};

// Builds a group from its stored value (also used by tests).
std::shared_ptr<GroupMetadata> group_from_value(const std::string& group_id,
                                                const protocol::GroupMetadataValueData& value,
                                                int64_t now_ms);

}  // namespace samsa::group
