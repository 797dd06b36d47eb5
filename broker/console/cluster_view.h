#pragma once
// ClusterView: what the console shows, as plain values (no protocol types), so the JSON it is
// rendered into can be tested from fake inputs. Built by console_collector.cc from the
// broker's own admin requests; rendered by console_json.cc.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::console {

struct BrokerView {
    int32_t id = -1;
    std::string host;  // as Metadata advertises it on the console's listener
    int32_t port = 0;
    std::optional<std::string> rack;
    std::vector<std::string> endpoints;  // "LISTENER://host:port", when this broker knows them
    std::optional<int64_t> up_since_ms;  // its registration in ZooKeeper
};

struct PartitionView {
    int32_t partition = 0;
    int32_t leader = -1;  // -1: none (offline)
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    std::vector<int32_t> offline_replicas;
    std::optional<int64_t> size_bytes;  // the leader's log size (DescribeLogDirs)
    std::optional<int64_t> end_offset;  // the high watermark (ListOffsets latest)
};

struct TopicView {
    std::string name;
    bool internal = false;
    int16_t error_code = 0;
    std::vector<PartitionView> partitions;  // sorted by partition
};

struct GroupMemberView {
    std::string member_id;
    std::string client_id;
    std::string host;
    std::vector<std::pair<std::string, int32_t>> assignment;
};

struct GroupOffsetView {
    std::string topic;
    int32_t partition = 0;
    int64_t committed = -1;
    std::optional<int64_t> end_offset;  // unknown while the partition has no leader
};

struct GroupView {
    std::string group_id;
    std::string state;
    std::string protocol;
    std::optional<int32_t> coordinator;
    std::vector<GroupMemberView> members;
    std::vector<GroupOffsetView> offsets;  // sorted by topic, partition
    std::optional<std::string> error;
};

struct ClusterView {
    std::string cluster_id;
    int32_t controller_id = -1;
    int32_t served_by = -1;  // the broker whose console answered
    int64_t generated_at_ms = 0;
    std::vector<BrokerView> brokers;  // live brokers, sorted by id
    std::vector<TopicView> topics;    // sorted by name
    std::vector<GroupView> groups;    // sorted by id
    // What could not be asked (a broker not answering): shown, never fatal.
    std::vector<std::string> warnings;
};

// "offline" (no leader), "under-replicated" (ISR smaller than the replicas), or "ok".
std::string partition_status(const PartitionView& p);

}  // namespace samsa::console
