#pragma once
// GroupCoordinator: Kafka's group membership protocol and offset management (Kafka 2.8's
// GroupCoordinator), on top of GroupMetadataManager for state and persistence.
//
// Join/Sync/Heartbeat/Leave drive each group's state machine (group_metadata.h): a JoinGroup
// waits until every member has rejoined or the rebalance timeout passes (the initial rebalance
// of an empty group waits group.initial.rebalance.delay.ms more for others to arrive); then the
// leader receives everybody's metadata, assigns, and its SyncGroup's assignment is stored
// before each member gets its share. Members that stop heartbeating are removed after their
// session timeout.
//
// Thread-safe: every operation takes its group's lock (GroupMetadata::lock) for its duration;
// callbacks are invoked under that lock and must only hand their result over (types.h).
// Timers come from the Scheduler; they re-check, under the lock, that they are still current
// (tokens) since cancelling is best effort.
//
// The implementation is split by concern: group_coordinator.cc (join and rebalance),
// group_coordinator_members.cc (sync, heartbeat, leave, session expiry, leadership changes)
// and group_coordinator_offsets.cc (commit, fetch, describe, list, delete).

#include "broker/group/group_metadata.h"
#include "broker/group/group_metadata_manager.h"
#include "broker/group/scheduler.h"
#include "broker/group/types.h"
#include "broker/metrics/metrics.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samsa::group {

struct JoinGroupRequest {
    std::string group_id;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    // KIP-394 (JoinGroup v4+): a member without an id is first given one.
    bool require_known_member_id = false;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    int32_t session_timeout_ms = 0;
    std::string protocol_type;
    std::vector<ProtocolEntry> protocols;
};

struct SyncGroupRequest {
    std::string group_id;
    int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> protocol_type;  // v5+
    std::optional<std::string> protocol_name;  // v5+
    std::map<std::string, Bytes> assignments;  // the leader's
};

struct LeavingMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
};

struct LeaveGroupResult {
    ErrorCode error = ErrorCode::none;
    std::vector<ErrorCode> members;  // one per LeavingMember, in order
};

struct MemberSummary {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    Bytes metadata;
    Bytes assignment;
};

struct GroupSummary {
    ErrorCode error = ErrorCode::none;
    std::string state;
    std::string protocol_type;
    std::string protocol;
    std::vector<MemberSummary> members;
};

struct ListedGroup {
    std::string group_id;
    std::string protocol_type;
    std::string state;
};

struct OffsetFetchResult {
    ErrorCode error = ErrorCode::none;
    // Requested partitions without a committed offset are -1 with an empty metadata string.
    std::map<TopicPartition, OffsetAndMetadata> offsets;
};

struct OffsetDeleteResult {
    ErrorCode error = ErrorCode::none;
    std::map<TopicPartition, ErrorCode> partitions;
};

class GroupCoordinator {
  public:
    using CommitCallback = std::function<void(std::map<TopicPartition, ErrorCode>)>;

    GroupCoordinator(GroupConfig config, CoordinatorLog& log, Scheduler& scheduler);
    ~GroupCoordinator();
    GroupCoordinator(const GroupCoordinator&) = delete;
    GroupCoordinator& operator=(const GroupCoordinator&) = delete;

    // Starts the periodic offset expiry.
    void startup();
    // Answers every waiting request with NOT_COORDINATOR and stops the timers' work.
    void shutdown();

    int32_t partition_for(const std::string& group_id) const {
        return manager_.partition_for(group_id);
    }
    GroupMetadataManager& manager() { return manager_; }

    // Consumer lag metrics (kafka_exporter's kafka_consumergroup_lag and _current_offset) for
    // the groups this broker coordinates, from the high watermarks `hw` gives (nullopt: the
    // partition is not hosted here). Call once, after construction.
    using HighWatermarkFn = std::function<std::optional<int64_t>(const TopicPartition&)>;
    void enable_lag_metrics(HighWatermarkFn hw);

    // ---- membership ----
    void join_group(JoinGroupRequest request, JoinCallback done);
    void sync_group(SyncGroupRequest request, SyncCallback done);
    ErrorCode heartbeat(const std::string& group_id, const std::string& member_id,
                        const std::optional<std::string>& group_instance_id, int32_t generation_id);
    LeaveGroupResult leave_group(const std::string& group_id,
                                 const std::vector<LeavingMember>& members);

    // ---- offsets and administration ----
    void commit_offsets(const std::string& group_id, const std::string& member_id,
                        const std::optional<std::string>& group_instance_id, int32_t generation_id,
                        std::map<TopicPartition, OffsetAndMetadata> offsets, CommitCallback done);
    // `partitions` nullopt: every committed offset of the group.
    OffsetFetchResult fetch_offsets(const std::string& group_id,
                                    const std::optional<std::vector<TopicPartition>>& partitions);
    GroupSummary describe_group(const std::string& group_id);
    // COORDINATOR_LOAD_IN_PROGRESS while any partition loads (as Kafka answers ListGroups).
    std::pair<ErrorCode, std::vector<ListedGroup>> list_groups();
    std::map<std::string, ErrorCode> delete_groups(const std::vector<std::string>& group_ids);
    OffsetDeleteResult delete_offsets(const std::string& group_id,
                                      const std::vector<TopicPartition>& partitions);

    // ---- leadership of __consumer_offsets partitions (Kafka's onElection/onResignation) ----
    void on_election(int32_t partition, int32_t leader_epoch);
    void on_resignation(int32_t partition);

  private:
    // group_coordinator.cc
    ErrorCode validate_group_status(const std::string& group_id) const;
    void do_unknown_join(const std::shared_ptr<GroupMetadata>& group, JoinGroupRequest& request,
                         JoinCallback& done);
    void do_current_join(const std::shared_ptr<GroupMetadata>& group, JoinGroupRequest& request,
                         JoinCallback& done);
    void add_member_and_rebalance(GroupMetadata& group, JoinGroupRequest& request,
                                  const std::string& member_id, JoinCallback done);
    void update_member_and_rebalance(GroupMetadata& group, MemberMetadata& member,
                                     JoinGroupRequest& request, JoinCallback done);
    void update_static_member_and_rebalance(const std::shared_ptr<GroupMetadata>& group,
                                            const std::string& old_member_id,
                                            const std::string& new_member_id,
                                            JoinGroupRequest& request, JoinCallback done);
    // A static member as it was before a rejoin swapped its member id.
    struct StaticMemberBefore {
        std::string member_id;
        std::vector<ProtocolEntry> protocols;
        int32_t rebalance_timeout_ms = 0;
        int32_t session_timeout_ms = 0;
    };
    JoinGroupResult revert_static_member(GroupMetadata& group, const std::string& instance_id,
                                         const std::string& new_member_id,
                                         const StaticMemberBefore& before);
    bool accept_joining_member(const GroupMetadata& group, const std::string& member_id) const;
    void maybe_prepare_rebalance(GroupMetadata& group, const std::string& reason);
    void prepare_rebalance(GroupMetadata& group, const std::string& reason);
    void schedule_join_timer(GroupMetadata& group, int64_t delay_ms, int64_t remaining_ms,
                             bool initial);
    void on_join_timer(const std::string& group_id, uint64_t token, int64_t remaining_ms,
                       bool initial);
    // Completes the join phase if every member has rejoined.
    void try_complete_join(GroupMetadata& group);
    void complete_join(GroupMetadata& group);
    JoinGroupResult join_result(const GroupMetadata& group, const MemberMetadata& member) const;
    std::string new_member_id(const std::string& client_id);

    // group_coordinator_members.cc
    void schedule_heartbeat_expiry(GroupMetadata& group, MemberMetadata& member,
                                   int64_t timeout_ms);
    void on_heartbeat_expiry(const std::string& group_id, const std::string& member_id,
                             uint64_t token);
    void remove_member_and_update_group(GroupMetadata& group,
                                        const std::shared_ptr<MemberMetadata>& member,
                                        const std::string& reason);
    void remove_pending_member_and_update_group(GroupMetadata& group, const std::string& member_id);
    void reset_and_propagate_assignment_error(GroupMetadata& group, ErrorCode error);
    void propagate_assignment(GroupMetadata& group, ErrorCode error);
    void on_group_store_for_sync(const std::string& group_id, int32_t generation,
                                 std::map<std::string, Bytes> assignments, ErrorCode error);
    // A group no longer ours: its waiting requests are answered NOT_COORDINATOR.
    void fail_unloaded_group(GroupMetadata& group);

    // group_coordinator_offsets.cc
    void do_commit_offsets(const std::shared_ptr<GroupMetadata>& group,
                           const std::string& member_id,
                           const std::optional<std::string>& group_instance_id,
                           int32_t generation_id,
                           std::map<TopicPartition, OffsetAndMetadata> offsets,
                           CommitCallback& done);
    void schedule_offset_expiry();

    // group_coordinator_metrics.cc
    void collect_lag(metrics::SampleSink& sink) const;

    GroupMetadataManager manager_;
    Scheduler& scheduler_;
    std::atomic<bool> active_{false};
    std::atomic<uint64_t> next_token_{1};
    std::atomic<uint64_t> expiry_timer_{0};
    HighWatermarkFn high_watermark_;
    // Last: removed before anything it reads goes.
    metrics::CollectorHandle lag_collector_;
};

}  // namespace samsa::group
