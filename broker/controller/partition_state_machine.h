#pragma once
// PartitionStateMachine and replica-side transitions of the controller (Kafka's
// PartitionStateMachine and the parts of ReplicaStateMachine this broker needs so far).
//
//   NonExistent → New → Online ⇄ Offline → NonExistent
//
// New → Online elects the first live replica and writes the partition's `state` znode;
// Offline/Online → Online runs the offline (or, for a broker's controlled shutdown, the
// controlled shutdown; for a preferred replica election, the preferred; for a completed
// reassignment, the reassign) election on the
// current state znode and bumps the leader epoch; every
// ZooKeeper write carries the controller-epoch check (a failed check means another controller
// took over: the caller resigns). Each transition queues LeaderAndIsr and UpdateMetadata in the
// batch; the caller sends it.
//
// Used on the controller event thread only.

#include "broker/controller/controller_context.h"
#include "broker/controller/controller_request_batch.h"
#include "broker/controller/election.h"
#include "common/result.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::zk {
class KafkaZkClient;
}

namespace samsa::controller {

class PartitionStateMachine {
  public:
    // `unclean_leader_election` is the broker's unclean.leader.election.enable, which a
    // topic's own setting in /config/topics/<t> overrides.
    PartitionStateMachine(ControllerContext& context, zk::KafkaZkClient& zk,
                          ControllerRequestBatch& batch, bool unclean_leader_election);

    // After failover: New for partitions without a state znode, Online if their leader is
    // live, Offline otherwise.
    void initialize_states();
    // Moves every New and Offline partition (not being deleted) to Online.
    result<void> trigger_online_state_change();
    // New partitions of new (or grown) topics: New, then Online.
    result<void> on_new_partitions(const std::vector<TopicPartition>& partitions);
    // Partitions whose leader died: Offline, then Online through the offline election.
    result<void> on_leader_failure(const std::vector<TopicPartition>& partitions);
    // Partitions led by a broker that is shutting down: Online → Online through the controlled
    // shutdown election (the first replica that is in the ISR and neither dead nor shutting
    // down leads; the shutting-down brokers leave the ISR). LeaderAndIsr goes to the live and
    // shutting-down replicas. A partition without such a replica keeps its leader.
    result<void> on_controlled_shutdown(const std::vector<TopicPartition>& partitions);
    // Online → Online through the preferred election (ElectLeaders PREFERRED, the
    // /admin/preferred_replica_election znode, auto leader rebalancing): assignment[0] leads if
    // it is live and in the ISR, which stays as it is. A partition it cannot lead fails with
    // PREFERRED_LEADER_NOT_AVAILABLE.
    result<ElectionOutcomes> elect_preferred_leaders(const std::vector<TopicPartition>& partitions);
    // Offline/Online → Online through the offline election. `allow_unclean` (ElectLeaders
    // UNCLEAN) permits an out-of-sync leader whatever the topic says; otherwise the topic's
    // unclean.leader.election.enable decides, read only for partitions without a live in-sync
    // replica (as Kafka does). No candidate: ELIGIBLE_LEADERS_NOT_AVAILABLE.
    result<ElectionOutcomes> elect_offline_leaders(const std::vector<TopicPartition>& partitions,
                                                   bool allow_unclean);
    // Online → Online through the reassign election (a partition whose move completes while
    // its leader is not a target replica, or is dead): the first target replica that is live
    // and in the ISR leads; the ISR stays. The context's assignment must already be the
    // targets, which get the LeaderAndIsr.
    result<void> elect_reassigned_leaders(const std::vector<TopicPartition>& partitions);
    // The partition's leader and ISR as they are, at leader epoch + 1 (Kafka's
    // updateLeaderEpoch: replicas learn a new assignment only from a newer epoch). Queues
    // nothing; nullopt if it has no state znode or it kept changing.
    result<std::optional<LeaderIsrAndControllerEpoch>> bump_leader_epoch(const TopicPartition& tp);
    // Memory-only transitions used by topic deletion.
    void to_offline(const std::vector<TopicPartition>& partitions);
    void to_non_existent(const std::vector<TopicPartition>& partitions);

    // Removes `broker` from the ISR of each partition it replicates (Kafka's OfflineReplica
    // transition): a partition it led keeps leader -1 if no election could replace it. Sends
    // LeaderAndIsr to the remaining replicas.
    result<void> remove_replica_from_isr(int32_t broker,
                                         const std::vector<TopicPartition>& partitions);

  private:
    using NextLeadership = std::function<std::optional<LeaderIsrAndControllerEpoch>(
        const TopicPartition&, const LeaderIsrAndControllerEpoch&)>;
    using OnWritten =
        std::function<void(const TopicPartition&, const LeaderIsrAndControllerEpoch&)>;
    using OnFailed = std::function<void(const TopicPartition&, const std::string& why)>;

    // Re-reads the state znodes of `partitions`, asks `next` for each one's new leader/ISR
    // (nullopt: leave it), writes the changes with epoch + 1 conditionally on the znode
    // version, and retries the partitions that lost a race. `written` runs for each stored one,
    // `failed` for each it could not store (no state znode, a ZooKeeper error, a race lost
    // every time).
    result<void> update_leadership(std::vector<TopicPartition> partitions,
                                   const NextLeadership& next, const OnWritten& written,
                                   const OnFailed& failed = {});
    // The topic's unclean.leader.election.enable from /config/topics/<t>, else the broker's.
    bool unclean_leader_election_enabled(const std::string& topic);
    // LeaderAndIsr for a new leader to the live replicas, and the partition is Online.
    void on_elected(const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l,
                    const char* how);
    std::vector<int32_t> live_replicas(const TopicPartition& tp, int32_t except = -1) const;
    std::vector<int32_t> live_or_shutting_down_replicas(const TopicPartition& tp) const;
    result<void> initialize_leaders(const std::vector<TopicPartition>& partitions);
    result<void> elect_leaders(const std::vector<TopicPartition>& partitions);
    // Re-reads the state znodes of `partitions` into the context. Returns those it found.
    result<std::vector<TopicPartition>> refresh_leadership(
        const std::vector<TopicPartition>& partitions);

    ControllerContext& context_;
    zk::KafkaZkClient& zk_;
    ControllerRequestBatch& batch_;
    const bool unclean_leader_election_;
};

}  // namespace samsa::controller
