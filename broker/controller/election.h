#pragma once
// Leader election strategies (Kafka's controller/Election.scala), as pure functions over the
// assignment, the current ISR and liveness, so they can be tested without a cluster.
//
//   strategy            new leader                                          new ISR
//   offline             first replica in assignment order live AND in ISR;  ISR ∩ live
//                       if none and unclean election is allowed, the first  [leader]
//                       live replica
//   preferred           assignment[0] if it is live AND in the ISR          unchanged
//   reassign            first target replica live AND in ISR                unchanged
//   controlled shutdown first in assignment live AND in ISR AND not         ISR − shutting down
//                       shutting down
//
// And the choice auto leader rebalancing makes (which partitions get a preferred election).

#include "broker/protocol/error_code.h"
#include "common/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::controller {

// ElectLeaders' ElectionType (KIP-460): the preferred replica, or (unclean) the first live
// replica when no in-sync replica is live.
enum class ElectionType : int8_t { preferred = 0, unclean = 1 };

// One partition's outcome of an election an operator asked for (ElectLeaders, the
// /admin/preferred_replica_election znode) or auto-rebalancing started: its new leader, or
// why there is none, with Kafka's message.
struct ElectionOutcome {
    int32_t leader = -1;
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::optional<std::string> message;
};
using ElectionOutcomes = std::map<TopicPartition, ElectionOutcome>;

struct ElectionResult {
    int32_t leader = -1;
    std::vector<int32_t> isr;
};

using IsLive = std::function<bool(int32_t)>;

// A fresh partition (New → Online): the first live replica leads, every live replica is in
// the ISR. Nothing when no replica is live.
std::optional<ElectionResult> initial_leader(const std::vector<int32_t>& assignment,
                                             const IsLive& is_live);

std::optional<ElectionResult> offline_partition_leader(const std::vector<int32_t>& assignment,
                                                       const std::vector<int32_t>& isr,
                                                       const IsLive& is_live, bool unclean_allowed);

std::optional<ElectionResult> preferred_replica_leader(const std::vector<int32_t>& assignment,
                                                       const std::vector<int32_t>& isr,
                                                       const IsLive& is_live);

// A partition whose reassignment completes while its leader is not among the targets, or is
// dead (Kafka's reassignPartitionLeaderElection): the first target replica that is live and in
// the ISR, which stays as it is.
std::optional<ElectionResult> reassign_partition_leader(const std::vector<int32_t>& target,
                                                        const std::vector<int32_t>& isr,
                                                        const IsLive& is_live);

std::optional<ElectionResult> controlled_shutdown_leader(
    const std::vector<int32_t>& assignment, const std::vector<int32_t>& isr,
    const IsLive& is_live_or_shutting_down, const std::function<bool(int32_t)>& shutting_down);

// Kafka's checkAndTriggerAutoLeaderRebalance, the part that decides. Partitions are grouped by
// their preferred replica (assignment[0]); for each broker b whose share of those partitions led
// by another broker exceeds `imbalance_percentage`% (leader.imbalance.per.broker.percentage),
// the result maps b to those partitions. A partition missing from `leaders` counts in b's total
// only, as in Kafka. The caller leaves out topics being deleted and keeps, of each list, the
// partitions b can lead now.
std::map<int32_t, std::vector<TopicPartition>> imbalanced_partitions(
    const std::map<TopicPartition, std::vector<int32_t>>& assignments,
    const std::map<TopicPartition, int32_t>& leaders, int32_t imbalance_percentage);

}  // namespace samsa::controller
