#pragma once
// The requests `samsa-admin consumer-groups` makes, as Kafka's AdminClient makes them for
// ConsumerGroupCommand: ListGroups on every broker, FindCoordinator then DescribeGroups,
// OffsetFetch, OffsetCommit, DeleteGroups and OffsetDelete at the group's coordinator, and
// ListOffsets at each partition's leader. Failures the command reports per group or
// partition come back as error codes; an unreachable cluster throws ToolError.

#include "tools/admin/tool_support.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::admin {

using TopicPartition = std::pair<std::string, int32_t>;

struct ListedGroup {
    std::string group_id;
    std::string state;  // empty before ListGroups v4
};

struct GroupMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string host;
    std::vector<TopicPartition> assignment;  // from the consumer protocol assignment
};

struct GroupDescription {
    int16_t error_code = 0;
    std::string group_id;
    std::string state;
    std::string protocol_type;
    std::string assignment_strategy;  // the protocol name
    BrokerNode coordinator;
    std::vector<GroupMember> members;
};

// The topic partitions of a ConsumerProtocol assignment (int16 version, [topic, [partition]],
// user data); empty if the bytes are not one.
std::vector<TopicPartition> parse_consumer_assignment(const std::vector<uint8_t>& bytes);

class GroupAdmin {
  public:
    explicit GroupAdmin(AdminClient& client) : client_(client) {}

    // The consumer groups (protocol type "consumer" or none) of every broker, sorted.
    std::vector<ListedGroup> list_groups();
    GroupDescription describe_group(const std::string& group);
    // Committed offsets of every partition the group has one for (-1 ones left out).
    std::map<TopicPartition, int64_t> committed_offsets(const std::string& group);
    // Offsets at `timestamp` (-1 latest, -2 earliest): a partition missing from the answer
    // had an error or no offset for that time.
    std::map<TopicPartition, int64_t> list_offsets(const std::vector<TopicPartition>& partitions,
                                                   int64_t timestamp);
    // OffsetCommit as an admin (generation -1, no member): per-partition error codes.
    std::map<TopicPartition, int16_t> commit_offsets(
        const std::string& group, const std::map<TopicPartition, int64_t>& offsets);
    int16_t delete_group(const std::string& group);
    // OffsetDelete: the top-level error and the per-partition ones.
    std::pair<int16_t, std::map<TopicPartition, int16_t>> delete_offsets(
        const std::string& group, const std::vector<TopicPartition>& partitions);
    // The partitions of `topic` (empty if it does not exist).
    std::vector<int32_t> partitions_of(const std::string& topic);

  private:
    // The group's coordinator, or the FindCoordinator error.
    std::pair<int16_t, BrokerNode> coordinator(const std::string& group);
    const ClusterMetadata& metadata();

    AdminClient& client_;
    std::optional<ClusterMetadata> metadata_;
};

}  // namespace samsa::admin
