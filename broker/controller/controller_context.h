#pragma once
// ControllerContext: the controller's cache of cluster state (Kafka's ControllerContext) —
// live brokers and their epochs, topics, replica assignments, and each partition's
// leader/ISR as last written to ZooKeeper.
//
// Touched only on the controller event thread: no locks.

#include "broker/controller/replica_assignment.h"
#include "broker/protocol/wire.h"
#include "common/types.h"
#include "zk/zk_data.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace samsa::controller {

// A partition's leader and ISR, and the zkVersion of the state znode they came from.
struct LeaderAndIsr {
    int32_t leader = -1;
    int32_t leader_epoch = 0;
    std::vector<int32_t> isr;
    int32_t zk_version = 0;
};

struct LeaderIsrAndControllerEpoch {
    LeaderAndIsr leader_and_isr;
    int32_t controller_epoch = 0;
};

enum class PartitionState { non_existent, new_partition, online, offline };
enum class ReplicaState {
    new_replica,
    online,
    offline,
    deletion_started,
    deletion_successful,
    deletion_ineligible,
    non_existent
};

class ControllerContext {
  public:
    // Epoch of this controller, and the zkVersion of /controller_epoch that fences its writes.
    int32_t epoch = 0;
    int32_t epoch_zk_version = 0;

    std::map<int32_t, zk::BrokerInfo> live_brokers;  // with epochs (registration czxid)
    std::set<int32_t> shutting_down_brokers;
    std::set<std::string> all_topics;
    std::map<std::string, protocol::Uuid> topic_ids;
    std::map<TopicPartition, std::vector<int32_t>> assignments;  // first = preferred leader
    std::map<TopicPartition, LeaderIsrAndControllerEpoch> leadership;
    std::map<TopicPartition, PartitionState> partition_states;
    // KIP-455: the adding and removing replicas of partitions mid-move (`assignments` holds
    // their full RS), and the partitions whose reassignment is in progress.
    std::map<TopicPartition, std::pair<std::vector<int32_t>, std::vector<int32_t>>> adding_removing;
    std::set<TopicPartition> partitions_being_reassigned;
    std::set<std::string> topics_to_be_deleted;
    std::set<std::string> topics_ineligible_for_deletion;

    bool is_live(int32_t broker) const {
        return live_brokers.contains(broker) && !shutting_down_brokers.contains(broker);
    }
    bool is_live_or_shutting_down(int32_t broker) const { return live_brokers.contains(broker); }
    // Live brokers that are not shutting down: those that may lead or join an ISR.
    std::vector<int32_t> live_broker_ids() const;
    // Every registered broker: those that hear UpdateMetadata (a shutting-down broker still
    // serves clients until it stops, so it must learn where leadership went).
    std::vector<int32_t> live_or_shutting_down_broker_ids() const;

    std::vector<TopicPartition> partitions_of(const std::string& topic) const;
    std::vector<TopicPartition> partitions_on_broker(int32_t broker) const;
    std::vector<TopicPartition> partitions_led_by(int32_t broker) const;
    // Partitions `broker` leads that have more than one replica and whose topic is not being
    // deleted: those a controlled shutdown moves, and reports until they are moved (Kafka's
    // partitionLeadersOnBroker).
    std::vector<TopicPartition> partition_leaders_on_broker(int32_t broker) const;
    std::vector<TopicPartition> partitions_in(PartitionState state) const;
    PartitionState state_of(const TopicPartition& tp) const;
    const std::vector<int32_t>& replicas(const TopicPartition& tp) const;

    // The partition's RS with its AR and RR (empty unless it is mid-move), and setting them.
    ReplicaAssignment full_assignment(const TopicPartition& tp) const;
    void set_full_assignment(const TopicPartition& tp, const ReplicaAssignment& assignment);
    bool is_topic_being_reassigned(const std::string& topic) const;

    void remove_topic(const std::string& topic);
    void reset();
};

}  // namespace samsa::controller
