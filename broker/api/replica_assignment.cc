#include "broker/api/replica_assignment.h"

#include <algorithm>
#include <random>
#include <set>

namespace samsa::api {

namespace {

using protocol::ErrorCode;

AssignmentOutcome fail(ErrorCode e, std::optional<std::string> message) {
    return AssignmentOutcome{e, std::move(message), {}};
}

// Kafka's AdminUtils.replicaIndex: the j-th follower sits 1 + (shift + j) % (n - 1) places
// after the first replica, so it is never the first replica itself.
int32_t replica_index(int32_t first_index, int32_t shift, int32_t j, int32_t n) {
    const int32_t step = 1 + (shift + j) % (n - 1);
    return (first_index + step) % n;
}

ReplicaMap assign_rack_unaware(const std::vector<int32_t>& brokers, int32_t partitions,
                               int32_t replication_factor, AssignmentStart start,
                               int32_t first_partition_id) {
    ReplicaMap out;
    const auto n = static_cast<int32_t>(brokers.size());
    int32_t shift = start.replica_shift;
    for (int32_t p = first_partition_id; p < first_partition_id + partitions; ++p) {
        if (p > 0 && p % n == 0) {
            ++shift;
        }
        const int32_t first = (p + start.start_index) % n;
        std::vector<int32_t> replicas{brokers[first]};
        for (int32_t j = 0; j < replication_factor - 1; ++j) {
            replicas.push_back(brokers[replica_index(first, shift, j, n)]);
        }
        out[p] = std::move(replicas);
    }
    return out;
}

// Followers of one partition, walking the rack-alternated list from the leader; `shift` is
// already multiplied by the rack count, as Kafka does, so successive rounds start on another
// rack.
std::vector<int32_t> rack_aware_replicas(const std::vector<int32_t>& arranged,
                                         const std::map<int32_t, std::string>& rack_of,
                                         size_t rack_count, int32_t first, int32_t shift,
                                         int32_t replication_factor) {
    const auto n = static_cast<int32_t>(arranged.size());
    const int32_t leader = arranged[first];
    std::vector<int32_t> replicas{leader};
    std::set<std::string> racks_used{rack_of.at(leader)};
    std::set<int32_t> brokers_used{leader};
    int32_t k = 0;
    while (static_cast<int32_t>(replicas.size()) < replication_factor) {
        const int32_t broker = arranged[replica_index(first, shift, k++, n)];
        const std::string& rack = rack_of.at(broker);
        const bool rack_ok = !racks_used.contains(rack) || racks_used.size() == rack_count;
        const bool broker_ok =
            !brokers_used.contains(broker) || brokers_used.size() == arranged.size();
        if (rack_ok && broker_ok) {
            replicas.push_back(broker);
            racks_used.insert(rack);
            brokers_used.insert(broker);
        }
    }
    return replicas;
}

ReplicaMap assign_rack_aware(const std::vector<BrokerPlacement>& brokers, int32_t partitions,
                             int32_t replication_factor, AssignmentStart start,
                             int32_t first_partition_id) {
    std::map<int32_t, std::string> rack_of;
    std::set<std::string> racks;
    for (const auto& b : brokers) {
        rack_of[b.id] = *b.rack;
        racks.insert(*b.rack);
    }
    const std::vector<int32_t> arranged = rack_alternated_broker_list(brokers);
    const auto n = static_cast<int32_t>(arranged.size());
    ReplicaMap out;
    int32_t shift = start.replica_shift;
    for (int32_t p = first_partition_id; p < first_partition_id + partitions; ++p) {
        if (p > 0 && p % n == 0) {
            ++shift;
        }
        const int32_t first = (p + start.start_index) % n;
        out[p] =
            rack_aware_replicas(arranged, rack_of, racks.size(), first,
                                shift * static_cast<int32_t>(racks.size()), replication_factor);
    }
    return out;
}

}  // namespace

std::vector<int32_t> rack_alternated_broker_list(const std::vector<BrokerPlacement>& brokers) {
    std::map<std::string, std::vector<int32_t>> by_rack;  // racks in name order
    size_t total = 0;
    for (const auto& b : brokers) {
        if (b.rack) {
            by_rack[*b.rack].push_back(b.id);
            ++total;
        }
    }
    for (auto& [rack, ids] : by_rack) {
        std::sort(ids.begin(), ids.end());
    }
    std::vector<int32_t> out;
    for (size_t round = 0; out.size() < total; ++round) {
        for (const auto& [rack, ids] : by_rack) {
            if (round < ids.size()) {
                out.push_back(ids[round]);
            }
        }
    }
    return out;
}

bool has_mixed_racks(const std::vector<BrokerPlacement>& brokers) {
    const auto with_rack = std::count_if(brokers.begin(), brokers.end(),
                                         [](const auto& b) { return b.rack.has_value(); });
    return with_rack > 0 && with_rack < static_cast<std::ptrdiff_t>(brokers.size());
}

AssignmentStart random_assignment_start(int32_t broker_count) {
    if (broker_count <= 0) {
        return {};
    }
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int32_t> pick(0, broker_count - 1);
    // Two draws, in Kafka's order: the start index, then the replica shift.
    const int32_t start_index = pick(rng);
    return AssignmentStart{start_index, pick(rng)};
}

AssignmentOutcome assign_replicas_to_brokers(std::vector<BrokerPlacement> brokers,
                                             int32_t partitions, int32_t replication_factor,
                                             AssignmentStart start, int32_t first_partition_id) {
    if (partitions <= 0) {
        return fail(ErrorCode::invalid_partitions, "Number of partitions must be larger than 0.");
    }
    if (replication_factor <= 0) {
        return fail(ErrorCode::invalid_replication_factor,
                    "Replication factor must be larger than 0.");
    }
    if (replication_factor > static_cast<int32_t>(brokers.size())) {
        return fail(ErrorCode::invalid_replication_factor,
                    "Replication factor: " + std::to_string(replication_factor) +
                        " larger than available brokers: " + std::to_string(brokers.size()) + ".");
    }
    std::sort(brokers.begin(), brokers.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    first_partition_id = std::max(first_partition_id, 0);
    AssignmentOutcome out;
    if (has_mixed_racks(brokers)) {
        // Kafka's AdminOperationException("Not all brokers have rack information for replica
        // rack aware assignment."): not an ApiException, so clients see UNKNOWN_SERVER_ERROR
        // and no message (ApiError.fromThrowable hides messages of unknown errors).
        return fail(ErrorCode::unknown_server_error, std::nullopt);
    }
    if (brokers.empty() || !brokers.front().rack) {
        std::vector<int32_t> ids;
        for (const auto& b : brokers) {
            ids.push_back(b.id);
        }
        out.assignment =
            assign_rack_unaware(ids, partitions, replication_factor, start, first_partition_id);
    } else {
        out.assignment =
            assign_rack_aware(brokers, partitions, replication_factor, start, first_partition_id);
    }
    return out;
}

}  // namespace samsa::api
