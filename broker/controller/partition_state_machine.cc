#include "broker/controller/partition_state_machine.h"

#include "broker/controller/zk_conversions.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

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
    : context_(context),
      zk_(zk),
      batch_(batch),
      unclean_leader_election_(unclean_leader_election) {}

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
    auto next =
        [&](const TopicPartition& tp,
            const LeaderIsrAndControllerEpoch& old) -> std::optional<LeaderIsrAndControllerEpoch> {
        auto elected = controlled_shutdown_leader(
            context_.replicas(tp), old.leader_and_isr.isr,
            [&](int32_t b) { return context_.is_live_or_shutting_down(b); },
            [&](int32_t b) { return context_.shutting_down_brokers.contains(b); });
        if (!elected) {
            logger().warn(
                "{}: no in-sync replica outside the shutting-down brokers among [{}] "
                "(ISR [{}]); leader {} stays",
                tp, fmt::join(context_.replicas(tp), ","), fmt::join(old.leader_and_isr.isr, ","),
                old.leader_and_isr.leader);
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        l.leader_and_isr.isr = elected->isr;
        return l;
    };
    return update_leadership(
        tps, next, [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l) {
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
        auto elected =
            initial_leader(context_.replicas(tp), [&](int32_t b) { return context_.is_live(b); });
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
                                                      const OnWritten& written,
                                                      const OnFailed& failed) {
    auto fail = [&](const TopicPartition& tp, const std::string& why) {
        if (failed) {
            failed(tp, why);
        }
    };
    for (int attempt = 0; attempt < kMaxUpdateAttempts && !pending.empty(); ++attempt) {
        std::map<TopicPartition, zk::LeaderIsrAndControllerEpoch> updates;
        auto plan = [&](const TopicPartition& tp) {
            if (auto l = next(tp, context_.leadership[tp])) {
                l->leader_and_isr.leader_epoch =
                    context_.leadership[tp].leader_and_isr.leader_epoch + 1;
                l->controller_epoch = context_.epoch;
                updates[tp] = to_zk(*l);
                return true;
            }
            return false;
        };
        // First try: a change planned from the cached state is written conditionally on the
        // cached zkVersion, so a stale cache costs one bad_version and a re-read, never a wrong
        // write; reading every state znode first doubled the ZooKeeper work of a failover. A
        // partition the cache says needs nothing (or that it does not know) is read to be sure.
        std::vector<TopicPartition> to_read;
        for (const auto& tp : pending) {
            if (attempt > 0 || !context_.leadership.contains(tp) || !plan(tp)) {
                to_read.push_back(tp);
            }
        }
        SAMSA_TRY(auto current, refresh_leadership(to_read));
        if (current.size() != to_read.size()) {
            std::set<TopicPartition> found(current.begin(), current.end());
            for (const auto& tp : to_read) {
                if (!found.contains(tp)) {
                    fail(tp, "it has no state znode");
                }
            }
        }
        for (const auto& tp : current) {
            plan(tp);
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
                fail(tp, "cannot write its state znode: " + r.ec.message());
                continue;
            }
            auto l = from_zk(updates[tp]);
            l.leader_and_isr.zk_version = r.zk_version;
            context_.leadership[tp] = l;
            written(tp, l);
        }
    }
    for (const auto& tp : pending) {
        fail(tp, "its state znode kept changing");
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

namespace {

// Kafka's StateChangeFailedException message, which ElectLeaders hands to the client.
ElectionOutcome failed_election(const TopicPartition& tp, protocol::ErrorCode error,
                                const std::string& strategy) {
    return ElectionOutcome{
        -1, error,
        fmt::format("Failed to elect leader for partition {} under strategy {}", tp, strategy)};
}

// Kafka parses boolean configs case-insensitively.
std::optional<bool> parse_bool(std::string value) {
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (value == "true") {
        return true;
    }
    if (value == "false") {
        return false;
    }
    return std::nullopt;
}

}  // namespace

void PartitionStateMachine::on_elected(const TopicPartition& tp,
                                       const LeaderIsrAndControllerEpoch& l, const char* how) {
    context_.partition_states[tp] = PartitionState::online;
    batch_.add_leader_and_isr(live_replicas(tp), tp, l, /*is_new=*/false);
    logger().info("{}: elected leader {} at epoch {} ({}), ISR [{}]", tp, l.leader_and_isr.leader,
                  l.leader_and_isr.leader_epoch, how, fmt::join(l.leader_and_isr.isr, ","));
}

bool PartitionStateMachine::unclean_leader_election_enabled(const std::string& topic) {
    static const std::string kKey = "unclean.leader.election.enable";
    auto config = zk_.get_topic_config(topic);
    if (!config) {
        // Not knowing whether data loss is allowed, do not risk it.
        logger().error("cannot read the config of topic {}: {}; no unclean election", topic,
                       config.error().message());
        return false;
    }
    auto it = config.value().find(kKey);
    if (it == config.value().end()) {
        // No topic override: the cluster-wide dynamic broker default (AlterConfigs on broker
        // resource ""), else server.properties.
        auto defaults = zk_.get_entity_configs(zk::kConfigTypeBroker, "<default>");
        if (defaults) {
            if (auto d = defaults.value().find(kKey); d != defaults.value().end()) {
                if (auto v = parse_bool(d->second)) {
                    return *v;
                }
            }
        }
        return unclean_leader_election_;
    }
    if (auto v = parse_bool(it->second)) {
        return *v;
    }
    logger().error("topic {} has an invalid {} \"{}\"; no unclean election", topic, kKey,
                   it->second);
    return false;
}

result<void> PartitionStateMachine::elect_leaders(const std::vector<TopicPartition>& tps) {
    SAMSA_TRY(elect_offline_leaders(tps, /*allow_unclean=*/false));
    return success();
}

// Offline/Online → Online through the offline election: leader = first live in-sync replica
// in assignment order (or, if allowed, any live replica), epoch + 1, conditional write.
result<ElectionOutcomes> PartitionStateMachine::elect_offline_leaders(
    const std::vector<TopicPartition>& tps, bool allow_unclean) {
    const std::string strategy =
        fmt::format("OfflinePartitionLeaderElectionStrategy({})", allow_unclean);
    ElectionOutcomes outcomes;
    std::map<std::string, bool> unclean_by_topic;  // read once per topic, and only if needed
    auto unclean_allowed = [&](const std::string& topic) {
        if (allow_unclean) {
            return true;
        }
        auto it = unclean_by_topic.find(topic);
        if (it == unclean_by_topic.end()) {
            it = unclean_by_topic.emplace(topic, unclean_leader_election_enabled(topic)).first;
        }
        return it->second;
    };
    auto next =
        [&](const TopicPartition& tp,
            const LeaderIsrAndControllerEpoch& old) -> std::optional<LeaderIsrAndControllerEpoch> {
        auto is_live = [&](int32_t b) { return context_.is_live(b); };
        const auto& isr = old.leader_and_isr.isr;
        auto elected = offline_partition_leader(context_.replicas(tp), isr, is_live, false);
        if (!elected && unclean_allowed(tp.topic)) {
            elected = offline_partition_leader(context_.replicas(tp), isr, is_live, true);
            if (elected) {
                logger().warn(
                    "{}: unclean election of {}, which is not in the ISR [{}]: "
                    "messages may be lost",
                    tp, elected->leader, fmt::join(isr, ","));
            }
        }
        if (!elected) {
            logger().error("{}: no live in-sync replica among [{}] (ISR [{}]); it stays Offline",
                           tp, fmt::join(context_.replicas(tp), ","), fmt::join(isr, ","));
            context_.partition_states[tp] = PartitionState::offline;
            outcomes[tp] =
                failed_election(tp, protocol::ErrorCode::eligible_leaders_not_available, strategy);
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        l.leader_and_isr.isr = elected->isr;
        return l;
    };
    SAMSA_TRY(update_leadership(
        tps, next,
        [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l) {
            on_elected(tp, l, "offline election");
            outcomes[tp] = ElectionOutcome{l.leader_and_isr.leader, protocol::ErrorCode::none, {}};
        },
        [&](const TopicPartition& tp, const std::string& why) {
            logger().error("{}: election failed: {}", tp, why);
            outcomes[tp] =
                failed_election(tp, protocol::ErrorCode::eligible_leaders_not_available, strategy);
        }));
    return outcomes;
}

result<ElectionOutcomes> PartitionStateMachine::elect_preferred_leaders(
    const std::vector<TopicPartition>& tps) {
    const std::string strategy = "PreferredReplicaPartitionLeaderElectionStrategy";
    ElectionOutcomes outcomes;
    auto next =
        [&](const TopicPartition& tp,
            const LeaderIsrAndControllerEpoch& old) -> std::optional<LeaderIsrAndControllerEpoch> {
        auto elected = preferred_replica_leader(context_.replicas(tp), old.leader_and_isr.isr,
                                                [&](int32_t b) { return context_.is_live(b); });
        if (!elected) {
            logger().warn("{}: preferred replica {} is not live or not in the ISR [{}]", tp,
                          context_.replicas(tp).empty() ? -1 : context_.replicas(tp).front(),
                          fmt::join(old.leader_and_isr.isr, ","));
            outcomes[tp] =
                failed_election(tp, protocol::ErrorCode::preferred_leader_not_available, strategy);
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        return l;
    };
    SAMSA_TRY(update_leadership(
        tps, next,
        [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l) {
            on_elected(tp, l, "preferred replica");
            outcomes[tp] = ElectionOutcome{l.leader_and_isr.leader, protocol::ErrorCode::none, {}};
        },
        [&](const TopicPartition& tp, const std::string& why) {
            logger().error("{}: preferred replica election failed: {}", tp, why);
            outcomes[tp] =
                failed_election(tp, protocol::ErrorCode::preferred_leader_not_available, strategy);
        }));
    return outcomes;
}

result<void> PartitionStateMachine::elect_reassigned_leaders(
    const std::vector<TopicPartition>& tps) {
    auto next =
        [&](const TopicPartition& tp,
            const LeaderIsrAndControllerEpoch& old) -> std::optional<LeaderIsrAndControllerEpoch> {
        auto elected = reassign_partition_leader(context_.replicas(tp), old.leader_and_isr.isr,
                                                 [&](int32_t b) { return context_.is_live(b); });
        if (!elected) {
            logger().error(
                "{}: no live in-sync replica among the targets [{}] (ISR [{}]); "
                "leader {} stays",
                tp, fmt::join(context_.replicas(tp), ","), fmt::join(old.leader_and_isr.isr, ","),
                old.leader_and_isr.leader);
            return std::nullopt;
        }
        LeaderIsrAndControllerEpoch l = old;
        l.leader_and_isr.leader = elected->leader;
        return l;
    };
    return update_leadership(tps, next,
                             [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l) {
                                 on_elected(tp, l, "reassignment");
                             });
}

result<std::optional<LeaderIsrAndControllerEpoch>> PartitionStateMachine::bump_leader_epoch(
    const TopicPartition& tp) {
    std::optional<LeaderIsrAndControllerEpoch> bumped;
    SAMSA_TRY(update_leadership(
        {tp},
        [](const TopicPartition&, const LeaderIsrAndControllerEpoch& old)
            -> std::optional<LeaderIsrAndControllerEpoch> { return old; },
        [&](const TopicPartition&, const LeaderIsrAndControllerEpoch& l) { bumped = l; },
        [&](const TopicPartition& p, const std::string& why) {
            logger().error("{}: cannot bump its leader epoch: {}", p, why);
        }));
    return bumped;
}

result<void> PartitionStateMachine::remove_replica_from_isr(
    int32_t broker, const std::vector<TopicPartition>& tps) {
    auto next =
        [&](const TopicPartition&,
            const LeaderIsrAndControllerEpoch& old) -> std::optional<LeaderIsrAndControllerEpoch> {
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
    return update_leadership(
        tps, next, [&](const TopicPartition& tp, const LeaderIsrAndControllerEpoch& l) {
            batch_.add_leader_and_isr(live_replicas(tp, broker), tp, l, /*is_new=*/false);
        });
}

}  // namespace samsa::controller
