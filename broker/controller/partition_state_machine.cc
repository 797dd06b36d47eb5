#include "broker/controller/partition_state_machine.h"

#include <algorithm>

#include <fmt/ranges.h>

#include "broker/controller/election.h"
#include "broker/controller/zk_conversions.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("state.change");
    return *l;
}

// Conditional state updates that lose a race are re-read and retried this many times.
constexpr int kMaxUpdateAttempts = 5;

}  // namespace

PartitionStateMachine::PartitionStateMachine(ControllerContext& context, zk::KafkaZkClient& zk,
                                             ControllerRequestBatch& batch,
                                             bool unclean_leader_election)
    : context_(context), zk_(zk), batch_(batch), unclean_leader_election_(unclean_leader_election) {}

void PartitionStateMachine::initialize_states() {
    for (const auto& [tp, replicas] : context_.assignments) {
        auto it = context_.leadership.find(tp);
        if (it == context_.leadership.end()) {
            context_.partition_states[tp] = PartitionState::new_partition;
        } else if (context_.is_live(it->second.leader_and_isr.leader)) {
            context_.partition_states[tp] = PartitionState::online;
        } else {
            context_.partition_states[tp] = PartitionState::offline;
        }
    }
}

result<void> PartitionStateMachine::trigger_online_state_change() {
    std::vector<TopicPartition> fresh;
    std::vector<TopicPartition> offline;
    for (const auto& [tp, state] : context_.partition_states) {
        if (context_.topics_to_be_deleted.contains(tp.topic)) {
            continue;
        }
        if (state == PartitionState::new_partition) {
            fresh.push_back(tp);
        } else if (state == PartitionState::offline) {
            offline.push_back(tp);
        }
    }
    SAMSA_TRY(initialize_leaders(fresh));
    return elect_leaders(offline);
}

result<void> PartitionStateMachine::on_new_partitions(const std::vector<TopicPartition>& tps) {
    for (const auto& tp : tps) {
        context_.partition_states[tp] = PartitionState::new_partition;
    }
    return initialize_leaders(tps);
}

result<void> PartitionStateMachine::on_leader_failure(const std::vector<TopicPartition>& tps) {
    std::vector<TopicPartition> eligible;
    for (const auto& tp : tps) {
        if (!context_.topics_to_be_deleted.contains(tp.topic)) {
            context_.partition_states[tp] = PartitionState::offline;
            eligible.push_back(tp);
        }
    }
    return elect_leaders(eligible);
}

result<void> PartitionStateMachine::on_controlled_shutdown(const std::vector<TopicPartition>& tps) {
    auto next = [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& old)
        -> std::optional<LeaderIsrAndControllerEpoch> {
        auto elected = controlled_shutdown_leader(
            context_.replicas(tp), old.leader_and_isr.isr,
            [&](int32_t b) { return context_.is_live_or_shutting_down(b); },
            [&](int32_t b) { return context_.shutting_down_brokers.contains(b); });
        if (!elected) {
            logger().warn("{}: no in-sync replica outside the shutting-down brokers among [{}] "
                          "(ISR [{}]); leader {} stays",
                          tp, fmt::join(context_.replicas(tp), ","),
                          fmt::join(old.leader_and_isr.isr, ","), old.leader_and_isr.leader);
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        l.leader_and_isr.isr = elected->isr;
        return l;
    };
    return update_leadership(tps, next, [&](const TopicPartition& tp,
                                            const LeaderIsrAndControllerEpoch& l) {
        context_.partition_states[tp] = PartitionState::online;
        batch_.add_leader_and_isr(live_or_shutting_down_replicas(tp), tp, l, /*is_new=*/false);
        logger().info("{}: leader {} at epoch {} for a controlled shutdown, ISR [{}]", tp,
                      l.leader_and_isr.leader, l.leader_and_isr.leader_epoch,
                      fmt::join(l.leader_and_isr.isr, ","));
    });
}

void PartitionStateMachine::to_offline(const std::vector<TopicPartition>& tps) {
    for (const auto& tp : tps) {
        context_.partition_states[tp] = PartitionState::offline;
    }
}

void PartitionStateMachine::to_non_existent(const std::vector<TopicPartition>& tps) {
    for (const auto& tp : tps) {
        context_.partition_states.erase(tp);
    }
}

// New → Online: the first live replica leads, every live replica is in sync, epoch 0, and the
// state znode is created (ZK-MODE §b). Partitions with no live replica stay New.
result<void> PartitionStateMachine::initialize_leaders(const std::vector<TopicPartition>& tps) {
    std::map<TopicPartition, zk::LeaderIsrAndControllerEpoch> to_create;
    for (const auto& tp : tps) {
        auto elected = initial_leader(context_.replicas(tp),
                                      [&](int32_t b) { return context_.is_live(b); });
        if (!elected) {
            logger().warn("{}: no live replica among [{}]; it stays New until one comes up", tp,
                          fmt::join(context_.replicas(tp), ","));
            continue;
        }
        LeaderIsrAndControllerEpoch l;
        l.leader_and_isr = LeaderAndIsr{elected->leader, 0, elected->isr, 0};
        l.controller_epoch = context_.epoch;
        to_create[tp] = to_zk(l);
    }
    if (to_create.empty()) {
        return success();
    }
    SAMSA_TRY(auto created, zk_.create_partition_states(to_create, context_.epoch_zk_version));
    for (const auto& [tp, ec] : created) {
        if (ec) {
            // node_exists: another controller got here first; the state is re-read on its
            // next failover. Leave the partition New.
            logger().warn("{}: cannot create its state znode: {}", tp, ec.message());
            continue;
        }
        auto l = from_zk(to_create[tp]);
        context_.leadership[tp] = l;
        context_.partition_states[tp] = PartitionState::online;
        batch_.add_leader_and_isr(l.leader_and_isr.isr, tp, l, /*is_new=*/true);
        logger().info("{}: New → Online, leader {}, ISR [{}]", tp, l.leader_and_isr.leader,
                      fmt::join(l.leader_and_isr.isr, ","));
    }
    return success();
}

result<std::vector<TopicPartition>> PartitionStateMachine::refresh_leadership(
    const std::vector<TopicPartition>& tps) {
    SAMSA_TRY(auto states, zk_.get_partition_states(tps));
    std::vector<TopicPartition> found;
    for (const auto& tp : tps) {
        auto it = states.find(tp);
        if (it == states.end()) {
            continue;
        }
        auto l = from_zk(it->second);
        // A state written by a newer controller means we are no longer in charge.
        if (l.controller_epoch > context_.epoch) {
            return zk::Errc::controller_moved;
        }
        context_.leadership[tp] = l;
        found.push_back(tp);
    }
    return found;
}

result<void> PartitionStateMachine::update_leadership(std::vector<TopicPartition> pending,
                                                      const NextLeadership& next,
                                                      const OnWritten& written) {
    for (int attempt = 0; attempt < kMaxUpdateAttempts && !pending.empty(); ++attempt) {
        SAMSA_TRY(auto current, refresh_leadership(pending));
        std::map<TopicPartition, zk::LeaderIsrAndControllerEpoch> updates;
        for (const auto& tp : current) {
            if (auto l = next(tp, context_.leadership[tp])) {
                l->leader_and_isr.leader_epoch = context_.leadership[tp].leader_and_isr.leader_epoch + 1;
                l->controller_epoch = context_.epoch;
                updates[tp] = to_zk(*l);
            }
        }
        pending.clear();
        if (updates.empty()) {
            break;
        }
        SAMSA_TRY(auto results, zk_.update_partition_states(updates, context_.epoch_zk_version));
        for (const auto& [tp, r] : results) {
            if (r.ec == zk::Errc::bad_version) {
                pending.push_back(tp);  // changed under us: re-read and decide again
                continue;
            }
            if (r.ec) {
                logger().error("{}: cannot write its new state: {}", tp, r.ec.message());
                continue;
            }
            auto l = from_zk(updates[tp]);
            l.leader_and_isr.zk_version = r.zk_version;
            context_.leadership[tp] = l;
            written(tp, l);
        }
    }
    return success();
}

std::vector<int32_t> PartitionStateMachine::live_replicas(const TopicPartition& tp,
                                                          int32_t except) const {
    std::vector<int32_t> out;
    for (int32_t b : context_.replicas(tp)) {
        if (b != except && context_.is_live(b)) {
            out.push_back(b);
        }
    }
    return out;
}

std::vector<int32_t> PartitionStateMachine::live_or_shutting_down_replicas(
    const TopicPartition& tp) const {
    std::vector<int32_t> out;
    for (int32_t b : context_.replicas(tp)) {
        if (context_.is_live_or_shutting_down(b)) {
            out.push_back(b);
        }
    }
    return out;
}

// Offline/Online → Online through the offline election: leader = first live in-sync replica
// in assignment order (or, if allowed, any live replica), epoch + 1, conditional write.
result<void> PartitionStateMachine::elect_leaders(const std::vector<TopicPartition>& tps) {
    auto next = [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& old)
        -> std::optional<LeaderIsrAndControllerEpoch> {
        auto elected = offline_partition_leader(
            context_.replicas(tp), old.leader_and_isr.isr,
            [&](int32_t b) { return context_.is_live(b); }, unclean_leader_election_);
        if (!elected) {
            logger().error("{}: no live in-sync replica among [{}] (ISR [{}]); it stays Offline",
                           tp, fmt::join(context_.replicas(tp), ","),
                           fmt::join(old.leader_and_isr.isr, ","));
            context_.partition_states[tp] = PartitionState::offline;
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        l.leader_and_isr.isr = elected->isr;
        return l;
    };
    return update_leadership(tps, next, [&](const TopicPartition& tp,
                                            const LeaderIsrAndControllerEpoch& l) {
        context_.partition_states[tp] = PartitionState::online;
        batch_.add_leader_and_isr(live_replicas(tp), tp, l, /*is_new=*/false);
        logger().info("{}: elected leader {} at epoch {}, ISR [{}]", tp, l.leader_and_isr.leader,
                      l.leader_and_isr.leader_epoch, fmt::join(l.leader_and_isr.isr, ","));
    });
}

result<void> PartitionStateMachine::remove_replica_from_isr(
    int32_t broker, const std::vector<TopicPartition>& tps) {
    auto next = [&](const TopicPartition&, const LeaderIsrAndControllerEpoch& old)
        -> std::optional<LeaderIsrAndControllerEpoch> {
        const auto& isr = old.leader_and_isr.isr;
        if (std::find(isr.begin(), isr.end(), broker) == isr.end()) {
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        // The last in-sync replica stays (Kafka keeps an ISR of one as it is, so the data's last
        // holder is remembered); a departing leader leaves the partition leaderless.
        if (isr.size() > 1) {
            std::erase(l.leader_and_isr.isr, broker);
        }
        if (l.leader_and_isr.leader == broker) {
            l.leader_and_isr.leader = -1;
        }
        return l;
    };
    return update_leadership(tps, next, [&](const TopicPartition& tp,
                                            const LeaderIsrAndControllerEpoch& l) {
        batch_.add_leader_and_isr(live_replicas(tp, broker), tp, l, /*is_new=*/false);
    });
}

}  // namespace samsa::controller
