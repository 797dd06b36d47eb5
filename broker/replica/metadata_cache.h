#pragma once
// MetadataCache: this broker's view of the cluster, as the controller last described it in
// UpdateMetadata requests (Kafka's ZkMetadataCache). Client Metadata responses are served only
// from here, never from ZooKeeper.
//
// Copy-on-write: readers take an immutable snapshot (a shared_ptr) and never block the writer;
// update() builds a new snapshot and swaps it in. Thread-safe.

#include "broker/protocol/wire.h"
#include "broker/replica/delayed_operation.h"
#include "common/types.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace samsa::protocol {
struct UpdateMetadataRequestData;
}

namespace samsa::replica {

struct BrokerEndpoint {
    std::string listener;
    std::string host;
    int32_t port = 0;
    int16_t security_protocol = 0;
};

struct BrokerMetadata {
    int32_t id = -1;
    std::optional<std::string> rack;
    std::vector<BrokerEndpoint> endpoints;

    const BrokerEndpoint* endpoint(const std::string& listener) const;
};

struct PartitionState {
    int32_t controller_epoch = -1;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    std::vector<int32_t> isr;
    int32_t zk_version = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> offline_replicas;
};

struct TopicState {
    protocol::Uuid topic_id{};
    std::map<int32_t, PartitionState> partitions;
};

struct MetadataSnapshot {
    std::map<int32_t, BrokerMetadata> brokers;  // live brokers
    std::map<std::string, TopicState> topics;
    int32_t controller_id = -1;

    const PartitionState* partition(const TopicPartition& tp) const;
};

class MetadataCache {
  public:
    // The leader value UpdateMetadata uses to say "this partition is being deleted".
    static constexpr int32_t kLeaderDuringDelete = -2;

    MetadataCache();

    std::shared_ptr<const MetadataSnapshot> snapshot() const;

    // Applies an UpdateMetadata request (any version). Returns the partitions it deleted.
    std::vector<TopicPartition> update(const protocol::UpdateMetadataRequestData& request);

    // Notified after every update (CreateTopics and DeleteTopics wait on it).
    WatchList& watchers() { return watchers_; }

    void set_cluster_id(std::string id);
    std::string cluster_id() const;

  private:
    mutable std::mutex mu_;
    std::shared_ptr<const MetadataSnapshot> snapshot_;
    std::string cluster_id_;
    WatchList watchers_;
};

}  // namespace samsa::replica
