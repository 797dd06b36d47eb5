#include "broker/controller/replica_assignment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace samsa::controller {

std::vector<int32_t> without(const std::vector<int32_t>& items,
                             const std::vector<int32_t>& removed) {
    std::vector<int32_t> out;
    for (int32_t i : items) {
        if (std::find(removed.begin(), removed.end(), i) == removed.end()) {
            out.push_back(i);
        }
    }
    return out;
}

std::vector<int32_t> ReplicaAssignment::origin_replicas() const {
    return without(replicas, adding);
}

std::vector<int32_t> ReplicaAssignment::target_replicas() const {
    return without(replicas, removing);
}

ReplicaAssignment ReplicaAssignment::reassign_to(const std::vector<int32_t>& target) const {
    const auto origin = origin_replicas();
    ReplicaAssignment out;
    // RS = TRS + (ORS − TRS), each broker once.
    for (int32_t r : target) {
        if (std::find(out.replicas.begin(), out.replicas.end(), r) == out.replicas.end()) {
            out.replicas.push_back(r);
        }
    }
    for (int32_t r : without(origin, target)) {
        out.replicas.push_back(r);
    }
    out.adding = without(out.replicas, origin);
    out.removing = without(out.replicas, target);
    return out;
}

std::optional<ApiError> validate_reassignment(const ReplicaAssignment& current,
                                              const std::vector<int32_t>& target,
                                              const std::function<bool(int32_t)>& is_live) {
    using protocol::ErrorCode;
    if (target.empty()) {
        return ApiError{ErrorCode::invalid_replica_assignment,
                        "Empty replica list specified in partition reassignment."};
    }
    if (std::set<int32_t>(target.begin(), target.end()).size() != target.size()) {
        return ApiError{ErrorCode::invalid_replica_assignment,
                        fmt::format("Duplicate replica ids in partition reassignment replica "
                                    "list: [{}]",
                                    fmt::join(target, ", "))};
    }
    if (std::any_of(target.begin(), target.end(), [](int32_t r) { return r < 0; })) {
        return ApiError{
            ErrorCode::invalid_replica_assignment,
            fmt::format("Invalid broker id in replica list: [{}]", fmt::join(target, ", "))};
    }
    const auto adding = current.reassign_to(target).adding;
    std::vector<int32_t> dead;
    std::copy_if(adding.begin(), adding.end(), std::back_inserter(dead),
                 [&](int32_t r) { return !is_live(r); });
    if (!dead.empty()) {
        return ApiError{ErrorCode::invalid_replica_assignment,
                        fmt::format("Replica assignment has brokers that are not alive. Replica "
                                    "list: [{}], brokers not alive: [{}]",
                                    fmt::join(adding, ", "), fmt::join(dead, ", "))};
    }
    return std::nullopt;
}

}  // namespace samsa::controller
