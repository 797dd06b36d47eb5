#include "broker/replica/metadata_cache.h"

#include "broker/protocol/generated/update_metadata_request.h"
#include "common/logging.h"

namespace samsa::replica {

namespace {

auto& logger() {
    static auto l = get_logger("metadata");
    return *l;
}

using UpdateRequest = protocol::UpdateMetadataRequestData;

BrokerMetadata to_broker(const UpdateRequest::UpdateMetadataBroker& b) {
    BrokerMetadata out;
    out.id = b.id;
    out.rack = b.rack;
    if (b.endpoints.empty() && !b.v0_host.empty()) {
        out.endpoints.push_back(BrokerEndpoint{"PLAINTEXT", b.v0_host, b.v0_port, 0});
    }
    for (const auto& e : b.endpoints) {
        out.endpoints.push_back(BrokerEndpoint{e.listener, e.host, e.port, e.security_protocol});
    }
    return out;
}

PartitionState to_state(const UpdateRequest::UpdateMetadataPartitionState& p) {
    return PartitionState{p.controller_epoch, p.leader,   p.leader_epoch,    p.isr,
                          p.zk_version,       p.replicas, p.offline_replicas};
}

}  // namespace

const BrokerEndpoint* BrokerMetadata::endpoint(const std::string& listener) const {
    for (const auto& e : endpoints) {
        if (e.listener == listener) {
            return &e;
        }
    }
    return nullptr;
}

const PartitionState* MetadataSnapshot::partition(const TopicPartition& tp) const {
    auto t = topics.find(tp.topic);
    if (t == topics.end()) {
        return nullptr;
    }
    auto p = t->second.partitions.find(tp.partition);
    return p == t->second.partitions.end() ? nullptr : &p->second;
}

MetadataCache::MetadataCache() : snapshot_(std::make_shared<MetadataSnapshot>()) {}

std::shared_ptr<const MetadataSnapshot> MetadataCache::snapshot() const {
    std::lock_guard lock(mu_);
    return snapshot_;
}

std::vector<TopicPartition> MetadataCache::update(const UpdateRequest& request) {
    std::vector<TopicPartition> deleted;
    {
        std::lock_guard lock(mu_);
        auto next = std::make_shared<MetadataSnapshot>(*snapshot_);
        next->controller_id = request.controller_id;
        next->brokers.clear();
        for (const auto& b : request.live_brokers) {
            next->brokers[b.id] = to_broker(b);
        }
        auto apply = [&](const std::string& topic, const protocol::Uuid* topic_id,
                         const UpdateRequest::UpdateMetadataPartitionState& p) {
            if (p.leader == kLeaderDuringDelete) {
                auto t = next->topics.find(topic);
                if (t != next->topics.end()) {
                    t->second.partitions.erase(p.partition_index);
                    if (t->second.partitions.empty()) {
                        next->topics.erase(t);
                    }
                }
                deleted.push_back(TopicPartition{topic, p.partition_index});
                return;
            }
            auto& t = next->topics[topic];
            if (topic_id) {
                t.topic_id = *topic_id;
            }
            t.partitions[p.partition_index] = to_state(p);
        };
        for (const auto& p : request.ungrouped_partition_states) {
            apply(p.topic_name, nullptr, p);
        }
        for (const auto& ts : request.topic_states) {
            for (const auto& p : ts.partition_states) {
                apply(ts.topic_name, &ts.topic_id, p);
            }
        }
        snapshot_ = std::move(next);
    }
    logger().debug("metadata updated: {} live brokers, {} deleted partitions",
                   request.live_brokers.size(), deleted.size());
    watchers_.notify_all();
    return deleted;
}

void MetadataCache::set_cluster_id(std::string id) {
    std::lock_guard lock(mu_);
    cluster_id_ = std::move(id);
}

std::string MetadataCache::cluster_id() const {
    std::lock_guard lock(mu_);
    return cluster_id_;
}

}  // namespace samsa::replica
