#pragma once
// ReplicaFetcherManager: which ReplicaFetcherThread fetches which follower partition (Kafka's
// AbstractFetcherManager). Fetchers are keyed by (leader broker, fetcher id): a partition goes
// to fetcher `hash(partition) % num.replica.fetchers` of its leader, so one leader's
// partitions share num.replica.fetchers connections however many there are.
//
// Thread-safe; called by the ReplicaManager on LeaderAndIsr and StopReplica. A fetcher left
// with no partitions is stopped (shutdown_idle_fetchers), as Kafka does after each change.

#include "broker/replica/replica_fetcher_thread.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

namespace samsa::replica {

struct FollowerTarget {
    SourceBroker leader;
    int32_t leader_epoch = -1;
};

class ReplicaFetcherManager {
  public:
    ReplicaFetcherManager(FetcherConfig config, int32_t num_fetchers, PartitionLookup lookup);
    ~ReplicaFetcherManager();
    ReplicaFetcherManager(const ReplicaFetcherManager&) = delete;
    ReplicaFetcherManager& operator=(const ReplicaFetcherManager&) = delete;

    void add_fetcher_for_partitions(const std::map<TopicPartition, FollowerTarget>& partitions);
    void remove_fetcher_for_partitions(const std::set<TopicPartition>& partitions);
    void shutdown_idle_fetchers();
    void shutdown();
    // Partitions being fetched, over all fetchers (for tests and logs).
    size_t partition_count() const;

  private:
    using FetcherKey = std::pair<int32_t, int32_t>;  // leader broker id, fetcher id

    int32_t fetcher_id(const TopicPartition& tp) const;

    const FetcherConfig config_;
    const int32_t num_fetchers_;
    const PartitionLookup lookup_;
    mutable std::mutex mu_;
    std::map<FetcherKey, std::unique_ptr<ReplicaFetcherThread>> fetchers_;
};

}  // namespace samsa::replica
