#pragma once
// KafkaController: the ZooKeeper-mode controller (Kafka's controller/KafkaController).
//
// Every broker runs one; the broker that creates the ephemeral /controller is the active
// controller. It watches /brokers/ids, /brokers/topics (and each topic), /admin/delete_topics,
// /isr_change_notification (where partition leaders announce the ISR changes they wrote to
// the state znodes themselves: the classic path, IBP < 2.7), the existence of
// /admin/preferred_replica_election and /admin/reassign_partitions, and the state znodes of
// partitions being reassigned; elects partition leaders and writes them to each
// partition's `state` znode; and tells brokers through LeaderAndIsr, UpdateMetadata and
// StopReplica. Preferred replica elections come from that znode, from ElectLeaders and, with
// auto.leader.rebalance.enable, from a check every leader.imbalance.check.interval.seconds. Every
// action is an event on one thread (ControllerEventManager), so the ControllerContext needs no
// locks and ZooKeeper calls may block there.
//
// Fencing: the controller epoch (/controller_epoch, bumped at each election) goes into every
// control request, and every ZooKeeper write it makes is conditional on the epoch znode's
// version; a failed condition means another controller was elected, and this one resigns.
//
// Session expiry: the controller resigns, the broker registers again (a new broker epoch, told
// to `on_registered`), and the election runs again — Kafka's RegisterBrokerAndReelect.

#include "broker/controller/controller_context.h"
#include "broker/controller/controller_event_manager.h"
#include "broker/controller/election.h"
#include "broker/controller/replica_assignment.h"
#include "broker/metrics/metrics.h"
#include "broker/protocol/error_code.h"
#include "common/result.h"
#include "zk/broker_info.h"
#include "zk/zk_data.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace samsa::net {
struct ChannelSecurity;
}  // namespace samsa::net

namespace samsa::zk {
class KafkaZkClient;
class ZooKeeperClient;
}  // namespace samsa::zk

namespace samsa::controller {

class ControllerChannelManager;
class ControllerRequestBatch;
class PartitionStateMachine;

struct ControllerConfig {
    int32_t broker_id = 0;
    std::string inter_broker_listener;
    bool delete_topic_enable = true;
    bool unclean_leader_election_enable = false;
    std::chrono::milliseconds socket_timeout{30000};  // controller.socket.timeout.ms
    bool auto_leader_rebalance_enable = true;
    int32_t leader_imbalance_per_broker_percentage = 10;
    std::chrono::seconds leader_imbalance_check_interval{300};
    // How to reach the brokers' inter-broker listener (null: PLAINTEXT).
    std::shared_ptr<const net::ChannelSecurity> channel_security;
};

// The controller's answer to a broker's ControlledShutdown request.
struct ControlledShutdownResult {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    // The partitions with more than one replica that the broker still leads; it asks again
    // until there are none.
    std::vector<TopicPartition> remaining_partitions;
};
using ControlledShutdownCallback = std::function<void(ControlledShutdownResult)>;

// The controller's answers to AlterPartitionReassignments and ListPartitionReassignments: a
// top-level error (NOT_CONTROLLER) or one entry per partition.
struct AlterReassignmentsResult {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::map<TopicPartition, ApiError> partitions;
};
struct ListReassignmentsResult {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::map<TopicPartition, ReplicaAssignment> partitions;  // those being reassigned
};
using AlterReassignmentsCallback = std::function<void(AlterReassignmentsResult)>;
using ListReassignmentsCallback = std::function<void(ListReassignmentsResult)>;
// A partition's target replicas, or nullopt to cancel its reassignment.
using ReassignmentTargets = std::map<TopicPartition, std::optional<std::vector<int32_t>>>;

// Who asked for an election (Kafka's ElectionTrigger): only an operator's ElectLeaders may
// elect an out-of-sync replica; znode-triggered ones delete the znode when done.
enum class ElectionTrigger { admin_client, zk, auto_rebalance };

// The controller's answer to ElectLeaders: one outcome per partition asked about.
using ElectLeadersCallback = std::function<void(ElectionOutcomes)>;

class KafkaController {
  public:
    // `registration` is what this broker registers under /brokers/ids; `on_registered` is told
    // the broker epoch after each (re-)registration. Both ZooKeeper clients must outlive this.
    KafkaController(ControllerConfig config, zk::ZooKeeperClient& zk_client, zk::KafkaZkClient& zk,
                    zk::BrokerInfo registration, std::function<void(int64_t)> on_registered);
    ~KafkaController();
    KafkaController(const KafkaController&) = delete;
    KafkaController& operator=(const KafkaController&) = delete;

    // Starts the event thread and queues the first election.
    void startup();
    // Resigns if active and stops the event thread. Idempotent.
    void shutdown();

    // Thread-safe.
    bool is_active() const { return active_.load(); }
    int32_t active_controller_id() const { return active_controller_id_.load(); }

    // Kafka's ControlledShutdown event: `broker_id` (at `broker_epoch`, -1 if unknown) is about
    // to stop. The event, run on the event thread, marks it shutting down (it leads no more and
    // leaves the ISRs), moves the leadership of its partitions with more than one replica to
    // other in-sync replicas, and takes it out of the ISRs of those it follows. `done` is called
    // exactly once: on the event thread with the result, or, if the event never runs (this
    // controller stops, its ZooKeeper session expires), with NOT_CONTROLLER wherever the event
    // is dropped. It must only hand the result on. Thread-safe.
    void controlled_shutdown(int32_t broker_id, int64_t broker_epoch,
                             ControlledShutdownCallback done);

    // Kafka's electLeaders (ElectLeaders API): queues a ReplicaLeaderElection event that runs
    // `type`'s election for each of `partitions` that needs one and answers, per partition, the
    // new leader or ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
    // ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION (topic
    // being deleted) or NOT_CONTROLLER. `done` is called exactly once, as for
    // controlled_shutdown. Thread-safe.
    void elect_leaders(std::set<TopicPartition> partitions, ElectionType type,
                       ElectLeadersCallback done);

    // Kafka's alterPartitionReassignments (KIP-455): validates each target and starts (or,
    // for nullopt, cancels) the partition's reassignment; the move itself goes on after the
    // answer. Per partition: none, INVALID_REPLICA_ASSIGNMENT, NO_REASSIGNMENT_IN_PROGRESS,
    // UNKNOWN_TOPIC_OR_PARTITION. `done` is called exactly once, as for controlled_shutdown.
    // Thread-safe.
    void alter_partition_reassignments(ReassignmentTargets targets,
                                       AlterReassignmentsCallback done);
    // Kafka's listPartitionReassignments: those of `partitions` (nullopt: all) being moved.
    void list_partition_reassignments(std::optional<std::set<TopicPartition>> partitions,
                                      ListReassignmentsCallback done);

  private:
    class Watches;

    // Events (run on the event thread).
    void elect();
    void process_controller_change();
    void process_reelect();
    void process_broker_change();
    void process_topic_change();
    void process_partition_modifications(const std::string& topic);
    void process_topic_deletion();
    void process_isr_change_notification();
    ControlledShutdownResult process_controlled_shutdown(int32_t broker_id, int64_t broker_epoch);
    ElectionOutcomes process_replica_leader_election(const std::set<TopicPartition>& partitions,
                                                     ElectionType type, ElectionTrigger trigger);
    void process_preferred_replica_election_znode();
    void process_auto_preferred_replica_leader_election(int32_t controller_epoch);
    void process_stop_replica_response(int32_t broker, std::map<TopicPartition, int16_t> errors);
    void process_expire();
    void process_register_and_reelect();

    void on_controller_failover();
    void on_controller_resignation();
    // Records who holds /controller now and resigns if that is no longer us.
    void maybe_resign_unless(int32_t now_active);
    result<void> initialize_context();
    void on_broker_startup(const std::vector<int32_t>& brokers);
    void on_broker_failure(const std::vector<int32_t>& brokers);
    void on_new_topics(const std::set<std::string>& topics);
    // Re-reads the state znodes of the known ones among `partitions` into the context (Kafka's
    // updateLeaderAndIsrCache); returns the partitions refreshed.
    result<std::vector<TopicPartition>> update_leader_and_isr_cache(
        const std::vector<TopicPartition>& partitions);
    // Adds a topic and its assignment to the context and watches it; returns its partitions.
    std::vector<TopicPartition> track_topic(const std::string& topic,
                                            const zk::TopicAssignment& assignment);
    void send_update_metadata(const std::vector<int32_t>& brokers,
                              const std::vector<TopicPartition>& partitions);
    void add_broker_channel(const zk::BrokerInfo& broker);
    // Elections (Kafka's onReplicaElection and the auto-rebalance check).
    ElectionOutcomes on_replica_election(const std::vector<TopicPartition>& partitions,
                                         ElectionType type, ElectionTrigger trigger);
    void remove_partitions_from_preferred_replica_election(
        const std::vector<TopicPartition>& partitions, ElectionTrigger trigger);
    void check_and_trigger_auto_leader_rebalance();
    bool can_preferred_replica_be_leader(const TopicPartition& tp) const;
    void schedule_auto_leader_rebalance_task(std::chrono::milliseconds delay);
    void send_batch();
    // Topic deletion (Kafka's TopicDeletionManager).
    void resume_deletions();
    void start_deletion(const std::string& topic);
    void complete_deletion(const std::string& topic);
    // Partition reassignment (kafka_controller_reassignment.cc; ZK-MODE §b "Event:
    // reassignment"). Phases U, A and B are in on_partition_reassignment.
    AlterReassignmentsResult process_api_partition_reassignment(const ReassignmentTargets& targets);
    ListReassignmentsResult process_list_partition_reassignments(
        const std::optional<std::set<TopicPartition>>& partitions);
    // The /admin/reassign_partitions znode; returns the partitions whose move it started.
    std::set<TopicPartition> process_zk_partition_reassignment();
    void process_partition_reassignment_isr_change(const TopicPartition& tp);
    void initialize_partition_reassignments();
    void maybe_resume_reassignments(
        const std::function<bool(const TopicPartition&, const ReplicaAssignment&)>& resume);
    void maybe_complete_reassignment(const TopicPartition& tp);
    std::map<TopicPartition, ApiError> maybe_trigger_partition_reassignment(
        const std::map<TopicPartition, ReplicaAssignment>& reassignments);
    std::optional<ReplicaAssignment> maybe_build_reassignment(
        const TopicPartition& tp, const std::optional<std::vector<int32_t>>& target) const;
    result<void> on_partition_reassignment(const TopicPartition& tp,
                                           const ReplicaAssignment& reassignment);
    result<void> update_current_reassignment(const TopicPartition& tp,
                                             const ReplicaAssignment& reassignment);
    result<bool> is_reassignment_complete(const TopicPartition& tp,
                                          const ReplicaAssignment& reassignment);
    result<void> update_leader_epoch_and_send_request(const TopicPartition& tp,
                                                      const ReplicaAssignment& assignment);
    result<void> move_reassigned_partition_leader_if_required(const TopicPartition& tp,
                                                              const ReplicaAssignment& completed);
    result<void> stop_removed_replicas_of_reassigned_partition(const TopicPartition& tp,
                                                               const std::vector<int32_t>& removed,
                                                               bool before_any_bump);
    result<void> update_replica_assignment_for_partition(const TopicPartition& tp,
                                                         const ReplicaAssignment& assignment);
    void remove_partition_from_reassigning_partitions(const TopicPartition& tp,
                                                      const ReplicaAssignment& completed);
    void maybe_remove_from_zk_reassignment(
        const std::function<bool(const TopicPartition&, const std::vector<int32_t>&)>& remove);
    // Data watches on the state znodes of partitions being moved (the classic ISR path: the
    // leader writes ISR changes there).
    void watch_reassignment_isr(const TopicPartition& tp);
    void unwatch_reassignment_isr(const TopicPartition& tp);
    void unwatch_all_reassignment_isrs();
    // Runs `step`; on Errc::controller_moved resigns, on other errors logs. Returns success.
    bool guarded(const char* what, const std::function<result<void>()>& step);
    // Kafka's KafkaController gauges (kafka_controller_metrics.cc): counted on the event
    // thread after each event, read by scrapes.
    void register_metrics();
    void update_metrics();
    void collect_metrics(metrics::SampleSink& sink) const;

    const ControllerConfig config_;
    zk::ZooKeeperClient& zk_client_;
    zk::KafkaZkClient& zk_;
    const zk::BrokerInfo registration_;
    std::function<void(int64_t)> on_registered_;

    ControllerEventManager events_;
    ControllerContext context_;
    std::unique_ptr<ControllerChannelManager> channels_;
    std::unique_ptr<ControllerRequestBatch> batch_;
    std::unique_ptr<PartitionStateMachine> partitions_;
    std::unique_ptr<Watches> watches_;
    // Replicas of topics being deleted that have not yet confirmed (topic → broker/partition).
    std::map<std::string, std::set<std::pair<int32_t, TopicPartition>>> deletion_pending_;
    std::set<TopicPartition> reassignment_isr_watches_;
    std::atomic<int32_t> active_controller_id_{-1};
    std::atomic<bool> active_{false};  // failover done, not resigned
    std::atomic<bool> shut_down_{false};
    std::atomic<int64_t> offline_partitions_{0};
    std::atomic<int64_t> global_partitions_{0};
    std::atomic<int64_t> global_topics_{0};
    std::atomic<int64_t> preferred_replica_imbalance_{0};
    // Last: removed before anything it reads goes.
    metrics::CollectorHandle metrics_collector_;
};

}  // namespace samsa::controller
