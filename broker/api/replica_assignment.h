#pragma once
// Replica placement for new partitions: Kafka's AdminUtils.assignReplicasToBrokers, a pure
// function so that tests can pin its random start.
//
// Without racks, partition p's first replica is brokers[(p + start) % n] and the others follow
// at a distance that grows by one every n partitions (the "shift"), so leaders and followers
// spread evenly. With racks, the same walk runs over a rack-alternated broker list (one broker
// of each rack in turn), and a follower is skipped while its rack already holds a replica of the
// partition and some rack holds none, or while it already holds one and some broker holds none.
// Either every broker has a rack or none has: a mix is refused, as Kafka refuses it.

#include "broker/protocol/error_code.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::api {

// A live broker as placement sees it (Kafka's admin BrokerMetadata).
struct BrokerPlacement {
    int32_t id = -1;
    std::optional<std::string> rack;
};

using ReplicaMap = std::map<int32_t, std::vector<int32_t>>;

struct AssignmentOutcome {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::optional<std::string> message;
    ReplicaMap assignment;  // partition id -> replicas, the preferred leader first
};

// Where the walk starts: both in [0, number of brokers). Kafka draws them at random unless a
// caller fixes them (CreatePartitions fixes both, to follow the existing partitions).
struct AssignmentStart {
    int32_t start_index = 0;
    int32_t replica_shift = 0;
};

// Places `partitions` partitions numbered from `first_partition_id`, `replication_factor`
// replicas each, on `brokers` (any order; sorted by id here, as Kafka sorts them).
// INVALID_PARTITIONS for partitions <= 0, INVALID_REPLICATION_FACTOR for a factor <= 0 or above
// the broker count, UNKNOWN_SERVER_ERROR (Kafka's AdminOperationException, answered without
// a message) when only some brokers have a rack.
AssignmentOutcome assign_replicas_to_brokers(std::vector<BrokerPlacement> brokers,
                                             int32_t partitions, int32_t replication_factor,
                                             AssignmentStart start, int32_t first_partition_id = 0);

// Some brokers have a rack and some do not: placement refuses such a cluster.
bool has_mixed_racks(const std::vector<BrokerPlacement>& brokers);

// A random start in [0, broker_count), as Kafka draws it for CreateTopics and auto-creation.
AssignmentStart random_assignment_start(int32_t broker_count);

// The brokers one rack at a time (racks in name order, brokers of a rack in id order), e.g.
// {0:r1, 1:r3, 2:r3, 3:r2, 4:r2, 5:r1} -> 0, 3, 1, 5, 4, 2. Brokers without a rack are ignored.
std::vector<int32_t> rack_alternated_broker_list(const std::vector<BrokerPlacement>& brokers);

}  // namespace samsa::api
