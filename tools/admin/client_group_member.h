#pragma once
// GroupMember: one consumer's membership of a consumer group, as Kafka's ConsumerCoordinator
// runs it for a single-threaded consumer: FindCoordinator, JoinGroup (again with the member id
// the coordinator hands out, KIP-394), the range assignment computed here when this member is
// the leader, SyncGroup, Heartbeat between fetches, OffsetFetch/OffsetCommit, LeaveGroup.
// The ConsumerProtocol subscription and assignment encodings, and RangeAssignor, are pure
// functions, so they are tested without a cluster.

#include "tools/admin/tool_support.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::client {

using TopicPartition = std::pair<std::string, int32_t>;

// ConsumerProtocolSubscription v0: int16 version, [topic], nullable user data.
std::vector<uint8_t> encode_subscription(const std::vector<std::string>& topics);
std::vector<std::string> decode_subscription(const std::vector<uint8_t>& bytes);
// ConsumerProtocolAssignment v0: int16 version, [topic, [partition]], nullable user data.
std::vector<uint8_t> encode_assignment(const std::vector<TopicPartition>& partitions);

// Kafka's RangeAssignor: for each topic, its partitions split into contiguous ranges over the
// members subscribed to it, sorted by member id; the first (partitions % members) get one more.
std::map<std::string, std::vector<TopicPartition>> range_assign(
    const std::map<std::string, std::vector<std::string>>& subscriptions,
    const std::map<std::string, int32_t>& partitions_per_topic);

struct GroupConfig {
    std::string group_id;
    int32_t session_timeout_ms = 10000;
    int32_t rebalance_timeout_ms = 300000;  // max.poll.interval.ms
    int32_t heartbeat_interval_ms = 3000;
    int64_t retry_backoff_ms = 100;
};

class GroupMember {
  public:
    GroupMember(admin::AdminClient& client, GroupConfig config);

    // Joins (or rejoins) the group subscribed to `topics` and returns this member's
    // partitions. `partition_count` gives a topic's partition count (for the leader's
    // assignment). Throws admin::ToolError on an error it cannot retry.
    std::vector<TopicPartition> join(const std::vector<std::string>& topics,
                                     const std::map<std::string, int32_t>& partition_count);
    // Sends a heartbeat when one is due; false when the member must rejoin.
    bool heartbeat_if_due();
    // The committed offsets of `partitions` (those without one are left out).
    std::map<TopicPartition, int64_t> committed(const std::vector<TopicPartition>& partitions);
    // Commits as this generation's member; the first error (0: all committed).
    int16_t commit(const std::map<TopicPartition, int64_t>& offsets);
    void leave();
    bool joined() const { return generation_ >= 0 && !member_id_.empty(); }

  private:
    admin::BrokerNode coordinator();
    void reset_coordinator() { coordinator_.reset(); }

    admin::AdminClient& client_;
    GroupConfig config_;
    std::optional<admin::BrokerNode> coordinator_;
    std::string member_id_;
    int32_t generation_ = -1;
    std::chrono::steady_clock::time_point last_heartbeat_;
};

}  // namespace samsa::client
