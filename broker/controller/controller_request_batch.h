#pragma once
// ControllerRequestBatch: collects the LeaderAndIsr, UpdateMetadata and StopReplica requests a
// state change implies, then sends them per broker in Kafka's order — LeaderAndIsr, then
// UpdateMetadata, then StopReplica (Kafka's ControllerBrokerRequestBatch).
//
// Used on the controller event thread only.

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_context.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace samsa::controller {

class ControllerRequestBatch {
  public:
    ControllerRequestBatch(ControllerContext& context, ControllerChannelManager& channels,
                           int32_t controller_id, std::string inter_broker_listener);

    // LeaderAndIsr for `tp` to each of `brokers`; also queues UpdateMetadata for `tp` to every
    // live or shutting-down broker, as Kafka does.
    void add_leader_and_isr(const std::vector<int32_t>& brokers, const TopicPartition& tp,
                            const LeaderIsrAndControllerEpoch& leadership, bool is_new);
    // UpdateMetadata with the current state of `partitions` (all live brokers are listed in
    // every UpdateMetadata). Partitions of topics being deleted go out with leader -2.
    void add_update_metadata(const std::vector<int32_t>& brokers,
                             const std::vector<TopicPartition>& partitions);
    void add_stop_replica(int32_t broker, const TopicPartition& tp, bool delete_partition,
                          int32_t leader_epoch);

    // Sends everything collected and empties the batch. `on_stop_replica` gets StopReplica
    // responses (on a send thread).
    void send(const ResponseCallback& on_stop_replica = {});

  private:
    struct PendingLeaderAndIsr {
        LeaderIsrAndControllerEpoch leadership;
        ReplicaAssignment assignment;  // RS, with AR and RR while the partition moves
        bool is_new = false;
    };
    struct PendingStopReplica {
        bool delete_partition = false;
        int32_t leader_epoch = -1;
    };

    // The epoch of a live broker's registration (-1 if unknown), and a topic's id (zero if none).
    int64_t broker_epoch(int32_t broker) const;
    protocol::Uuid topic_id(const std::string& topic) const;

    void send_leader_and_isr();
    void send_update_metadata();
    void send_stop_replica(const ResponseCallback& on_response);

    ControllerContext& context_;
    ControllerChannelManager& channels_;
    const int32_t controller_id_;
    const std::string inter_broker_listener_;

    std::map<int32_t, std::map<TopicPartition, PendingLeaderAndIsr>> leader_and_isr_;
    std::set<int32_t> update_metadata_brokers_;
    std::set<TopicPartition> update_metadata_partitions_;
    std::map<int32_t, std::map<TopicPartition, PendingStopReplica>> stop_replica_;
};

}  // namespace samsa::controller
