#pragma once
// Consumer: the small Kafka consumer behind samsa-console-consumer and
// samsa-consumer-perf-test, single-threaded as KafkaConsumer's poll loop: positions come from
// the group's committed offsets or auto.offset.reset (ListOffsets at each leader), records from
// Fetch requests to the partitions' leaders (client_records.h decodes them), and group duties
// (heartbeats, auto-commits, rejoining after a rebalance) run between fetches.
//
// Either subscribe() to a topic (group management, client_group_member.h) or assign()
// partitions (no rebalancing; offsets still committed under group.id when there is one).

#include "tools/admin/client_group_member.h"
#include "tools/admin/client_records.h"
#include "tools/admin/tool_support.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samsa::client {

struct ConsumerConfig {
    admin::AdminClientConfig client;
    std::optional<std::string> group_id;
    bool enable_auto_commit = true;
    int64_t auto_commit_interval_ms = 5000;
    std::string auto_offset_reset = "latest";  // earliest, latest, none
    int32_t max_partition_fetch_bytes = 1048576;
    int32_t fetch_max_bytes = 52428800;
    int32_t fetch_max_wait_ms = 500;
    int8_t isolation_level = 0;  // 1: read_committed
    GroupConfig group;           // timeouts (group_id is copied from above)
};

class Consumer {
  public:
    explicit Consumer(ConsumerConfig config);
    ~Consumer();

    void subscribe(const std::vector<std::string>& topics);
    void assign(const std::vector<TopicPartition>& partitions);
    // ListOffsets -2 (earliest) or -1 (latest), or an offset, for an assigned partition.
    void seek(const TopicPartition& tp, int64_t offset_or_special);

    // Records fetched within `timeout` (possibly none), after the group's chores.
    std::vector<ConsumerRecord> poll(std::chrono::milliseconds timeout);
    // Commits the current positions (no-op without a group).
    void commit_sync();
    // Commits (with auto-commit) and leaves the group.
    void close();

    // Time spent joining the group, for the perf test's rebalance.time.ms.
    int64_t rebalance_time_ms() const { return rebalance_time_ms_; }
    const std::vector<TopicPartition>& assignment() const { return assignment_; }

  private:
    void ensure_joined();
    void refresh_metadata();
    void resolve_positions();
    std::map<TopicPartition, int64_t> list_offsets(const std::vector<TopicPartition>& tps,
                                                   int64_t timestamp);
    std::vector<ConsumerRecord> fetch(std::chrono::milliseconds max_wait);
    void maybe_auto_commit();

    ConsumerConfig config_;
    admin::AdminClient client_;
    std::unique_ptr<GroupMember> member_;
    admin::ClusterMetadata metadata_;
    std::vector<std::string> subscription_;
    bool needs_join_ = false;
    std::vector<TopicPartition> assignment_;
    std::map<TopicPartition, int64_t> positions_;
    std::map<TopicPartition, int64_t> pending_seeks_;  // -1/-2 or an offset
    std::map<TopicPartition, int64_t> last_committed_;
    std::chrono::steady_clock::time_point last_commit_;
    int64_t rebalance_time_ms_ = 0;
    bool closed_ = false;
};

}  // namespace samsa::client
