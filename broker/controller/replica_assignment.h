#pragma once
// ReplicaAssignment: one partition's replica lists while it may be moving (Kafka's
// controller ReplicaAssignment, KIP-455), and the validation of a requested move. Pure values
// and functions, so they can be tested without a cluster.
//
// Notation (ZK-MODE §b "Event: reassignment"): ORS = original replicas, TRS = target replicas,
// AR = TRS − ORS (adding), RR = ORS − TRS (removing). While a partition moves, its replica
// list is RS = TRS + (ORS − TRS): the targets first (so the preferred leader is the target's),
// then the originals that are leaving. Once every target is in the ISR, RS becomes TRS.

#include "broker/protocol/error_code.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace samsa::controller {

struct ReplicaAssignment {
    std::vector<int32_t> replicas;  // RS; the first one is the preferred leader
    std::vector<int32_t> adding;    // AR
    std::vector<int32_t> removing;  // RR

    bool is_being_reassigned() const { return !adding.empty() || !removing.empty(); }
    // ORS = RS − AR and TRS = RS − RR, each in RS order.
    std::vector<int32_t> origin_replicas() const;
    std::vector<int32_t> target_replicas() const;
    // The assignment that moves this partition's *original* replicas to `target` (Kafka's
    // reassignTo): a move replacing one in progress starts again from the originals, and a
    // move to the originals is a cancellation (no AR, no RR).
    ReplicaAssignment reassign_to(const std::vector<int32_t>& target) const;

    friend bool operator==(const ReplicaAssignment&, const ReplicaAssignment&) = default;
};

// A per-partition error with Kafka's message, as the reassignment APIs answer it.
struct ApiError {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::optional<std::string> message;

    friend bool operator==(const ApiError&, const ApiError&) = default;
};

// Kafka's validateReplicas for a move of a partition currently assigned `current` to
// `target`: INVALID_REPLICA_ASSIGNMENT for an empty list, duplicates, negative ids, or
// replicas to add on brokers that are not registered (`is_live`). nullopt when valid.
std::optional<ApiError> validate_reassignment(const ReplicaAssignment& current,
                                              const std::vector<int32_t>& target,
                                              const std::function<bool(int32_t)>& is_live);

// `items` without those in `removed`, order kept.
std::vector<int32_t> without(const std::vector<int32_t>& items,
                             const std::vector<int32_t>& removed);

}  // namespace samsa::controller
