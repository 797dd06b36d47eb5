#pragma once
// Leader election strategies (Kafka's controller/Election.scala), as pure functions over the
// assignment, the current ISR and liveness, so they can be tested without a cluster.
//
//   strategy            new leader                                          new ISR
//   offline             first replica in assignment order live AND in ISR;  ISR ∩ live
//                       if none and unclean election is allowed, the first  [leader]
//                       live replica
//   preferred           assignment[0] if it is live AND in the ISR          unchanged
//   controlled shutdown first in assignment live AND in ISR AND not         ISR − shutting down
//                       shutting down

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace samsa::controller {

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
                                                       const IsLive& is_live,
                                                       bool unclean_allowed);

std::optional<ElectionResult> preferred_replica_leader(const std::vector<int32_t>& assignment,
                                                       const std::vector<int32_t>& isr,
                                                       const IsLive& is_live);

std::optional<ElectionResult> controlled_shutdown_leader(
    const std::vector<int32_t>& assignment, const std::vector<int32_t>& isr,
    const IsLive& is_live_or_shutting_down, const std::function<bool(int32_t)>& shutting_down);

}  // namespace samsa::controller
