#include "broker/replica/replica_fetcher_manager.h"

#include <functional>
#include <string>

namespace samsa::replica {

ReplicaFetcherManager::ReplicaFetcherManager(FetcherConfig config, int32_t num_fetchers,
                                             PartitionLookup lookup)
    : config_(config), num_fetchers_(std::max(1, num_fetchers)), lookup_(std::move(lookup)) {}

ReplicaFetcherManager::~ReplicaFetcherManager() {
    shutdown();
}

int32_t ReplicaFetcherManager::fetcher_id(const TopicPartition& tp) const {
    // Kafka: Utils.abs(31 * topic.hashCode + partition) % numFetchers. Any stable spread does.
    return static_cast<int32_t>(std::hash<TopicPartition>{}(tp) %
                                static_cast<size_t>(num_fetchers_));
}

void ReplicaFetcherManager::add_fetcher_for_partitions(
    const std::map<TopicPartition, FollowerTarget>& partitions) {
    std::lock_guard lock(mu_);
    std::map<FetcherKey, std::map<TopicPartition, int32_t>> by_fetcher;
    for (const auto& [tp, target] : partitions) {
        FetcherKey key{target.leader.id, fetcher_id(tp)};
        auto& fetcher = fetchers_[key];
        // A leader that came back on another address gets a new fetcher.
        if (fetcher && !(fetcher->source() == target.leader)) {
            fetcher.reset();
        }
        if (!fetcher) {
            fetcher = std::make_unique<ReplicaFetcherThread>("ReplicaFetcherThread-" +
                                                                 std::to_string(key.second) + "-" +
                                                                 std::to_string(key.first),
                                                             config_, target.leader, lookup_);
        }
        by_fetcher[key][tp] = target.leader_epoch;
    }
    for (const auto& [key, parts] : by_fetcher) {
        fetchers_.at(key)->add_partitions(parts);
    }
}

void ReplicaFetcherManager::remove_fetcher_for_partitions(
    const std::set<TopicPartition>& partitions) {
    std::lock_guard lock(mu_);
    for (auto& [key, fetcher] : fetchers_) {
        fetcher->remove_partitions(partitions);
    }
}

void ReplicaFetcherManager::shutdown_idle_fetchers() {
    std::map<FetcherKey, std::unique_ptr<ReplicaFetcherThread>> idle;
    {
        std::lock_guard lock(mu_);
        for (auto it = fetchers_.begin(); it != fetchers_.end();) {
            if (it->second->partition_count() == 0) {
                idle.insert(fetchers_.extract(it++));
            } else {
                ++it;
            }
        }
    }
    idle.clear();  // joins them, outside the lock: a fetch in flight may take a moment
}

void ReplicaFetcherManager::shutdown() {
    std::map<FetcherKey, std::unique_ptr<ReplicaFetcherThread>> all;
    {
        std::lock_guard lock(mu_);
        all.swap(fetchers_);
    }
    all.clear();
}

size_t ReplicaFetcherManager::partition_count() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [key, fetcher] : fetchers_) {
        n += fetcher->partition_count();
    }
    return n;
}

}  // namespace samsa::replica
