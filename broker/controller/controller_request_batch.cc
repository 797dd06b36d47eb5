#include "broker/controller/controller_request_batch.h"

#include "auth/security_protocol.h"

#include <algorithm>

namespace samsa::controller {

namespace {

using protocol::LeaderAndIsrRequestData;
using protocol::StopReplicaRequestData;
using protocol::UpdateMetadataRequestData;

// Security protocol ids on the wire (Kafka's SecurityProtocol.id).
int16_t protocol_id(const std::string& name) {
    auto p = auth::parse_security_protocol(name);
    return p ? static_cast<int16_t>(*p) : 0;
}

}  // namespace

ControllerRequestBatch::ControllerRequestBatch(ControllerContext& context,
                                               ControllerChannelManager& channels,
                                               int32_t controller_id,
                                               std::string inter_broker_listener)
    : context_(context),
      channels_(channels),
      controller_id_(controller_id),
      inter_broker_listener_(std::move(inter_broker_listener)) {}

int64_t ControllerRequestBatch::broker_epoch(int32_t broker) const {
    auto live = context_.live_brokers.find(broker);
    return live == context_.live_brokers.end() ? -1 : live->second.epoch;
}

protocol::Uuid ControllerRequestBatch::topic_id(const std::string& topic) const {
    auto id = context_.topic_ids.find(topic);
    return id == context_.topic_ids.end() ? protocol::Uuid{} : id->second;
}

void ControllerRequestBatch::add_leader_and_isr(const std::vector<int32_t>& brokers,
                                                const TopicPartition& tp,
                                                const LeaderIsrAndControllerEpoch& leadership,
                                                bool is_new) {
    for (int32_t b : brokers) {
        if (b < 0) {
            continue;
        }
        auto& pending = leader_and_isr_[b][tp];
        pending.leadership = leadership;
        pending.assignment = context_.full_assignment(tp);
        pending.is_new = pending.is_new || is_new;
    }
    add_update_metadata(context_.live_or_shutting_down_broker_ids(), {tp});
}

void ControllerRequestBatch::add_update_metadata(const std::vector<int32_t>& brokers,
                                                 const std::vector<TopicPartition>& partitions) {
    update_metadata_brokers_.insert(brokers.begin(), brokers.end());
    update_metadata_partitions_.insert(partitions.begin(), partitions.end());
}

void ControllerRequestBatch::add_stop_replica(int32_t broker, const TopicPartition& tp,
                                              bool delete_partition, int32_t leader_epoch) {
    auto& pending = stop_replica_[broker][tp];
    pending.delete_partition = pending.delete_partition || delete_partition;
    pending.leader_epoch = leader_epoch;
}

void ControllerRequestBatch::send(const ResponseCallback& on_stop_replica) {
    send_leader_and_isr();
    send_update_metadata();
    send_stop_replica(on_stop_replica);
}

void ControllerRequestBatch::send_leader_and_isr() {
    for (auto& [broker, partitions] : leader_and_isr_) {
        LeaderAndIsrRequestData request;
        request.controller_id = controller_id_;
        request.controller_epoch = context_.epoch;
        request.broker_epoch = broker_epoch(broker);
        std::set<int32_t> leaders;
        std::map<std::string, LeaderAndIsrRequestData::LeaderAndIsrTopicState> topics;
        for (const auto& [tp, p] : partitions) {
            auto& topic = topics[tp.topic];
            topic.topic_name = tp.topic;
            topic.topic_id = topic_id(tp.topic);
            LeaderAndIsrRequestData::LeaderAndIsrPartitionState state;
            state.topic_name = tp.topic;
            state.partition_index = tp.partition;
            state.controller_epoch = p.leadership.controller_epoch;
            state.leader = p.leadership.leader_and_isr.leader;
            state.leader_epoch = p.leadership.leader_and_isr.leader_epoch;
            state.isr = p.leadership.leader_and_isr.isr;
            state.zk_version = p.leadership.leader_and_isr.zk_version;
            state.replicas = p.assignment.replicas;
            state.adding_replicas = p.assignment.adding;
            state.removing_replicas = p.assignment.removing;
            state.is_new = p.is_new;
            leaders.insert(state.leader);
            topic.partition_states.push_back(std::move(state));
        }
        for (auto& [name, topic] : topics) {
            request.topic_states.push_back(std::move(topic));
        }
        for (int32_t leader : leaders) {
            auto it = context_.live_brokers.find(leader);
            if (it == context_.live_brokers.end()) {
                continue;
            }
            for (const auto& ep : it->second.endpoints) {
                if (ep.listener_name == inter_broker_listener_) {
                    LeaderAndIsrRequestData::LeaderAndIsrLiveLeader l;
                    l.broker_id = leader;
                    l.host_name = ep.host;
                    l.port = ep.port;
                    request.live_leaders.push_back(std::move(l));
                }
            }
        }
        channels_.send(broker, std::move(request));
    }
    leader_and_isr_.clear();
}

void ControllerRequestBatch::send_update_metadata() {
    if (update_metadata_brokers_.empty()) {
        update_metadata_partitions_.clear();
        return;
    }
    UpdateMetadataRequestData base;
    base.controller_id = controller_id_;
    base.controller_epoch = context_.epoch;
    std::map<std::string, UpdateMetadataRequestData::UpdateMetadataTopicState> topics;
    for (const auto& tp : update_metadata_partitions_) {
        auto lit = context_.leadership.find(tp);
        const bool deleting = context_.topics_to_be_deleted.contains(tp.topic);
        if (lit == context_.leadership.end() && !deleting) {
            continue;
        }
        auto& topic = topics[tp.topic];
        topic.topic_name = tp.topic;
        topic.topic_id = topic_id(tp.topic);
        UpdateMetadataRequestData::UpdateMetadataPartitionState state;
        state.topic_name = tp.topic;
        state.partition_index = tp.partition;
        if (lit != context_.leadership.end()) {
            const auto& l = lit->second;
            state.controller_epoch = l.controller_epoch;
            state.leader = l.leader_and_isr.leader;
            state.leader_epoch = l.leader_and_isr.leader_epoch;
            state.isr = l.leader_and_isr.isr;
            state.zk_version = l.leader_and_isr.zk_version;
        }
        if (deleting) {
            state.leader = -2;  // LeaderDuringDelete: brokers drop the partition from metadata
        }
        state.replicas = context_.replicas(tp);
        for (int32_t r : state.replicas) {
            if (!context_.is_live_or_shutting_down(r)) {
                state.offline_replicas.push_back(r);
            }
        }
        topic.partition_states.push_back(std::move(state));
    }
    for (auto& [name, topic] : topics) {
        base.topic_states.push_back(std::move(topic));
    }
    for (const auto& [id, info] : context_.live_brokers) {
        UpdateMetadataRequestData::UpdateMetadataBroker b;
        b.id = id;
        b.rack = info.rack;
        for (const auto& ep : info.endpoints) {
            UpdateMetadataRequestData::UpdateMetadataEndpoint e;
            e.port = ep.port;
            e.host = ep.host;
            e.listener = ep.listener_name;
            e.security_protocol = protocol_id(ep.security_protocol);
            b.endpoints.push_back(std::move(e));
        }
        base.live_brokers.push_back(std::move(b));
    }
    for (int32_t broker : update_metadata_brokers_) {
        auto request = base;
        request.broker_epoch = broker_epoch(broker);
        channels_.send(broker, std::move(request));
    }
    update_metadata_brokers_.clear();
    update_metadata_partitions_.clear();
}

void ControllerRequestBatch::send_stop_replica(const ResponseCallback& on_response) {
    for (auto& [broker, partitions] : stop_replica_) {
        StopReplicaRequestData request;
        request.controller_id = controller_id_;
        request.controller_epoch = context_.epoch;
        request.broker_epoch = broker_epoch(broker);
        std::map<std::string, StopReplicaRequestData::StopReplicaTopicState> topics;
        for (const auto& [tp, p] : partitions) {
            auto& topic = topics[tp.topic];
            topic.topic_name = tp.topic;
            StopReplicaRequestData::StopReplicaPartitionState state;
            state.partition_index = tp.partition;
            state.leader_epoch = p.leader_epoch;
            state.delete_partition = p.delete_partition;
            topic.partition_states.push_back(state);
        }
        for (auto& [name, topic] : topics) {
            request.topic_states.push_back(std::move(topic));
        }
        channels_.send(broker, std::move(request), on_response);
    }
    stop_replica_.clear();
}

}  // namespace samsa::controller
