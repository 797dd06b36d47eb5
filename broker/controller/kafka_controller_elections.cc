// KafkaController: preferred and unclean leader elections (ElectLeaders, the
// /admin/preferred_replica_election znode, auto leader rebalance). See kafka_controller.h.

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_request_batch.h"
#include "broker/controller/kafka_controller.h"
#include "broker/controller/partition_state_machine.h"
#include "broker/controller/reply_once.h"
#include "broker/controller/zk_conversions.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

const std::string kPreferredReplicaElectionPath = zk::PreferredReplicaElectionZNode::path();

}  // namespace

// ---- Preferred and unclean elections (Kafka's ReplicaLeaderElection and ------------------
// ---- AutoPreferredReplicaLeaderElection events) --------------------------------------------

namespace {

const char* name_of(ElectionType type) {
    return type == ElectionType::preferred ? "PREFERRED" : "UNCLEAN";
}

const char* name_of(ElectionTrigger trigger) {
    switch (trigger) {
        case ElectionTrigger::admin_client:
            return "AdminClientTriggered";
        case ElectionTrigger::zk:
            return "ZkTriggered";
        case ElectionTrigger::auto_rebalance:
            return "AutoTriggered";
    }
    return "?";
}

ElectionOutcomes every_partition(const std::set<TopicPartition>& partitions,
                                 protocol::ErrorCode error) {
    ElectionOutcomes out;
    for (const auto& tp : partitions) {
        out[tp] = ElectionOutcome{-1, error, std::nullopt};
    }
    return out;
}

}  // namespace

void KafkaController::elect_leaders(std::set<TopicPartition> partitions, ElectionType type,
                                    ElectLeadersCallback done) {
    auto if_dropped = every_partition(partitions, protocol::ErrorCode::not_controller);
    auto reply =
        std::make_shared<ReplyOnce<ElectionOutcomes>>(std::move(done), std::move(if_dropped));
    events_.put({"ReplicaLeaderElection", [this, partitions = std::move(partitions), type, reply] {
                     (*reply)(process_replica_leader_election(partitions, type,
                                                              ElectionTrigger::admin_client));
                 }});
}

// Kafka's processReplicaLeaderElection: partitions that do not exist, whose topic is being
// deleted, or that already have the leader asked for are answered without an election.
ElectionOutcomes KafkaController::process_replica_leader_election(
    const std::set<TopicPartition>& partitions, ElectionType type, ElectionTrigger trigger) {
    using protocol::ErrorCode;
    if (!channels_) {
        return every_partition(partitions, ErrorCode::not_controller);
    }
    ElectionOutcomes outcomes;
    std::vector<TopicPartition> electable;
    for (const auto& tp : partitions) {
        if (!context_.assignments.contains(tp)) {
            logger().info(
                "skipping replica leader election ({}) for partition {} by {} since "
                "it doesn't exist",
                name_of(type), tp, name_of(trigger));
            outcomes[tp] = {-1, ErrorCode::unknown_topic_or_partition,
                            "The partition does not exist."};
            continue;
        }
        if (context_.topics_to_be_deleted.contains(tp.topic)) {
            outcomes[tp] = {-1, ErrorCode::invalid_topic_exception, "The topic is being deleted"};
            continue;
        }
        auto l = context_.leadership.find(tp);
        const int32_t leader =
            l == context_.leadership.end() ? -1 : l->second.leader_and_isr.leader;
        const bool needed = type == ElectionType::preferred
                                ? leader != context_.replicas(tp).front()
                                : leader == -1 || !context_.is_live(leader);
        if (!needed) {
            outcomes[tp] = {-1, ErrorCode::election_not_needed,
                            "Leader election not needed for topic partition."};
            continue;
        }
        electable.push_back(tp);
    }
    outcomes.merge(on_replica_election(electable, type, trigger));
    return outcomes;
}

// Kafka's onReplicaElection. An unclean election is only ever an operator's explicit choice.
ElectionOutcomes KafkaController::on_replica_election(const std::vector<TopicPartition>& tps,
                                                      ElectionType type, ElectionTrigger trigger) {
    ElectionOutcomes outcomes;
    if (!tps.empty()) {
        logger().info("starting replica leader election ({}) for partitions [{}] triggered by {}",
                      name_of(type), fmt::join(tps, ","), name_of(trigger));
        const bool elected = guarded("electing leaders", [&]() -> result<void> {
            if (type == ElectionType::preferred) {
                SAMSA_TRY(outcomes, partitions_->elect_preferred_leaders(tps));
            } else {
                SAMSA_TRY(outcomes, partitions_->elect_offline_leaders(
                                        tps, trigger == ElectionTrigger::admin_client));
            }
            return success();
        });
        if (!elected) {
            return every_partition({tps.begin(), tps.end()},
                                   channels_ ? protocol::ErrorCode::unknown_server_error
                                             : protocol::ErrorCode::not_controller);
        }
        send_batch();
    }
    if (trigger != ElectionTrigger::admin_client) {
        remove_partitions_from_preferred_replica_election(tps, trigger);
    }
    return outcomes;
}

void KafkaController::remove_partitions_from_preferred_replica_election(
    const std::vector<TopicPartition>& tps, ElectionTrigger trigger) {
    for (const auto& tp : tps) {
        auto l = context_.leadership.find(tp);
        const int32_t leader =
            l == context_.leadership.end() ? -1 : l->second.leader_and_isr.leader;
        const int32_t preferred = context_.replicas(tp).front();
        if (leader == preferred) {
            logger().info(
                "partition {} completed preferred replica leader election; new leader "
                "is {}",
                tp, preferred);
        } else {
            logger().warn(
                "partition {} failed to complete preferred replica leader election to "
                "{}; leader is still {}",
                tp, preferred, leader);
        }
    }
    if (trigger != ElectionTrigger::zk || !channels_) {
        return;
    }
    guarded("deleting the preferred replica election znode",
            [&] { return zk_.delete_preferred_replica_election(context_.epoch_zk_version); });
    // Re-arm the exists watch for the next request; one written meanwhile is handled now.
    auto exists = zk_.exists(kPreferredReplicaElectionPath, /*watch=*/true);
    if (exists && exists.value()) {
        events_.put(
            {"ReplicaLeaderElection", [this] { process_preferred_replica_election_znode(); }});
    }
}

// The /admin/preferred_replica_election znode (kafka-preferred-replica-election.sh): elect the
// listed partitions' preferred replicas, then delete the znode whatever the outcome.
void KafkaController::process_preferred_replica_election_znode() {
    if (!channels_) {
        return;
    }
    auto exists = zk_.exists(kPreferredReplicaElectionPath, /*watch=*/true);
    if (!exists) {
        logger().error("cannot read {}: {}", kPreferredReplicaElectionPath,
                       exists.error().message());
        return;
    }
    if (!exists.value()) {
        return;
    }
    auto listed = zk_.get_preferred_replica_election();
    std::set<TopicPartition> partitions;
    if (listed && listed.value()) {
        partitions.insert(listed.value()->begin(), listed.value()->end());
    } else if (!listed && listed.error() != zk::Errc::malformed_data) {
        logger().error("cannot read {}: {}", kPreferredReplicaElectionPath,
                       listed.error().message());
        return;
    } else if (!listed) {
        // Kafka reads JSON it cannot parse as no partitions, and so deletes the znode.
        logger().warn("{} is malformed; deleting it", kPreferredReplicaElectionPath);
    }
    process_replica_leader_election(partitions, ElectionType::preferred, ElectionTrigger::zk);
}

void KafkaController::schedule_auto_leader_rebalance_task(std::chrono::milliseconds delay) {
    // The epoch tells a check scheduled in an earlier term as controller, which must not run.
    events_.schedule(delay, {"AutoPreferredReplicaLeaderElection", [this, epoch = context_.epoch] {
                                 process_auto_preferred_replica_leader_election(epoch);
                             }});
}

void KafkaController::process_auto_preferred_replica_leader_election(int32_t controller_epoch) {
    if (!channels_ || controller_epoch != context_.epoch) {
        return;
    }
    logger().debug("processing automatic preferred replica leader election");
    check_and_trigger_auto_leader_rebalance();
    if (channels_) {
        schedule_auto_leader_rebalance_task(config_.leader_imbalance_check_interval);
    }
}

// Kafka's checkAndTriggerAutoLeaderRebalance: nothing moves while a reassignment runs (its RS
// puts the target's preferred replica first before that replica has caught up).
void KafkaController::check_and_trigger_auto_leader_rebalance() {
    if (!context_.partitions_being_reassigned.empty()) {
        logger().debug("partition reassignments in progress; no leader rebalance");
        return;
    }
    std::map<TopicPartition, std::vector<int32_t>> assignments;
    std::map<TopicPartition, int32_t> leaders;
    for (const auto& [tp, replicas] : context_.assignments) {
        if (context_.topics_to_be_deleted.contains(tp.topic)) {
            continue;
        }
        assignments[tp] = replicas;
        if (auto l = context_.leadership.find(tp); l != context_.leadership.end()) {
            leaders[tp] = l->second.leader_and_isr.leader;
        }
    }
    auto imbalanced =
        imbalanced_partitions(assignments, leaders, config_.leader_imbalance_per_broker_percentage);
    for (const auto& [broker, tps] : imbalanced) {
        std::vector<TopicPartition> candidates;
        for (const auto& tp : tps) {
            // A broker shutting down is not live: it gets nothing back.
            if (context_.is_live(broker) && context_.all_topics.contains(tp.topic) &&
                can_preferred_replica_be_leader(tp)) {
                candidates.push_back(tp);
            }
        }
        logger().log(candidates.empty() ? spdlog::level::debug : spdlog::level::info,
                     "leader imbalance: broker {} is the preferred leader of [{}], which others "
                     "lead; electable now: [{}]",
                     broker, fmt::join(tps, ","), fmt::join(candidates, ","));
        if (!channels_) {
            return;
        }
        on_replica_election(candidates, ElectionType::preferred, ElectionTrigger::auto_rebalance);
    }
}

bool KafkaController::can_preferred_replica_be_leader(const TopicPartition& tp) const {
    auto l = context_.leadership.find(tp);
    if (l == context_.leadership.end()) {
        return false;
    }
    return preferred_replica_leader(context_.replicas(tp), l->second.leader_and_isr.isr,
                                    [&](int32_t b) { return context_.is_live(b); })
        .has_value();
}

}  // namespace samsa::controller
