#pragma once
// ReplicaManager: the partitions this broker hosts and the control requests that change them
// (Kafka's server/ReplicaManager). The controller says who leads what through LeaderAndIsr,
// StopReplica and UpdateMetadata; client requests find their Partition here.
//
// Thread-safe. Control requests run on the I/O pool, one at a time per connection from the
// controller; mu_ guards the partition map and the epochs, never held across disk I/O of a
// single partition except when a log is first created.
//
// LeaderAndIsr v5+ carries topic ids (KIP-516): a partition whose log already records another
// id is answered INCONSISTENT_TOPIC_ID and left alone; otherwise a log without an id gets it
// (partition.metadata). The zero id (a controller without topic ids) is ignored.
//
// Replication: partitions this broker follows are fetched by the ReplicaFetcherManager's
// threads (one per leader broker and fetcher id). As a leader, follower fetches report their
// progress through update_follower_fetch_state(); the ISR thread writes ISR expansions (queued
// by those fetches) and shrinks (checked every replica.lag.time.max.ms / 2) to ZooKeeper and
// then notifies the controller with an /isr_change_notification node (Kafka's
// maybeShrinkIsr / maybeExpandIsr / maybePropagateIsrChanges, ZK-MODE §c).

#include "broker/log/log_config.h"
#include "broker/metrics/metrics.h"
#include "broker/protocol/error_code.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/partition.h"
#include "broker/replica/replica_fetcher_manager.h"
#include "common/result.h"
#include "common/types.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace samsa::log {
class LogManager;
}
namespace samsa::protocol {
struct LeaderAndIsrRequestData;
struct LeaderAndIsrResponseData;
struct StopReplicaRequestData;
struct StopReplicaResponseData;
struct UpdateMetadataRequestData;
}  // namespace samsa::protocol

namespace samsa::replica {

// What replication needs from the broker: the fetchers' settings and the ZooKeeper writes.
struct ReplicationConfig {
    FetcherConfig fetcher;
    int32_t num_replica_fetchers = 1;
    int64_t replica_lag_time_max_ms = 30000;
    // Conditional write of a partition's state znode (KafkaZkClient::update_leader_and_isr):
    // the new zkVersion, or an error (bad_version: the controller changed it first).
    std::function<result<int32_t>(const IsrChange&)> write_isr;
    // /isr_change_notification (KafkaZkClient::propagate_isr_changes).
    std::function<result<void>(const std::vector<TopicPartition>&)> propagate_isr_changes;
};

// A partition this broker now leads or no longer leads (Kafka's onLeadershipChange).
struct LeadershipChange {
    TopicPartition tp;
    bool leader = false;
    int32_t leader_epoch = -1;
};

class ReplicaManager {
  public:
    // Told of every role change, after LeaderAndIsr and StopReplica have applied them, on the
    // control request's thread and outside the ReplicaManager's locks. The group coordinator
    // loads and unloads __consumer_offsets partitions with it.
    using LeadershipListener = std::function<void(const std::vector<LeadershipChange>&)>;

    // Reads a topic's config overrides (/config/topics/<t>) when its log is first created.
    using TopicConfigLoader =
        std::function<result<std::map<std::string, std::string>>(const std::string& topic)>;

    ReplicaManager(int32_t broker_id, log::LogManager& logs, MetadataCache& metadata,
                   log::LogConfig default_log_config, TopicConfigLoader load_topic_config,
                   int64_t hw_checkpoint_interval_ms, ReplicationConfig replication = {});
    ~ReplicaManager();
    ReplicaManager(const ReplicaManager&) = delete;
    ReplicaManager& operator=(const ReplicaManager&) = delete;

    // Starts the high-watermark checkpoint thread and the ISR thread.
    void startup();
    // Stops the fetchers and threads and writes a last checkpoint.
    void shutdown();

    // Shutdown: delayed requests (long-poll fetches, acks=all produces) stop waiting and
    // answer with what they have, so connections can close at once.
    void complete_delayed_requests();
    bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

    // Set once, before the first control request.
    void set_leadership_listener(LeadershipListener listener) {
        leadership_listener_ = std::move(listener);
    }

    // Control requests should carry at least this epoch (our registration's czxid).
    void set_broker_epoch(int64_t epoch);
    // -1 until this broker's registration has been created.
    int64_t broker_epoch() const;

    std::shared_ptr<Partition> get_partition(const TopicPartition& tp) const;
    // The error for a partition we do not host: NOT_LEADER_OR_FOLLOWER if the cluster knows
    // it, UNKNOWN_TOPIC_OR_PARTITION otherwise (as Kafka answers).
    protocol::ErrorCode missing_partition_error(const TopicPartition& tp) const;

    protocol::LeaderAndIsrResponseData become_leader_or_follower(
        const protocol::LeaderAndIsrRequestData& request, int16_t version);
    protocol::StopReplicaResponseData stop_replicas(const protocol::StopReplicaRequestData& request,
                                                    int16_t version);
    protocol::ErrorCode update_metadata(const protocol::UpdateMetadataRequestData& request);

    MetadataCache& metadata() { return metadata_; }

    // A follower's fetch of `partition` from `fetch_offset` (leader side); queues an ISR
    // expansion when it has caught up. Errors: NOT_LEADER_OR_FOLLOWER.
    result<void> update_follower_fetch_state(const std::shared_ptr<Partition>& partition,
                                             int32_t replica, int64_t fetch_offset,
                                             int32_t current_leader_epoch);
    // Controlled shutdown: partitions that become followers from now on are not fetched.
    void stop_starting_fetchers() { no_new_fetchers_ = true; }
    // Fetchers' partition count (tests).
    size_t fetching_partition_count() const { return fetchers_->partition_count(); }

  private:
    // Topic config overrides read while handling one LeaderAndIsr: one ZooKeeper read per
    // topic rather than per partition (thousands of partitions arrive in one request).
    using TopicConfigMemo = std::map<std::string, log::LogConfig>;
    // Returns the partition, creating it and its log if needed. Errors: storage errors.
    result<std::shared_ptr<Partition>> get_or_create_partition(const TopicPartition& tp,
                                                               TopicConfigMemo& configs);
    const log::LogConfig& log_config_for(const std::string& topic, TopicConfigMemo& configs);
    protocol::ErrorCode check_control_epochs(int32_t controller_epoch, int64_t broker_epoch);
    // False (logged) if the partition's log records a topic id other than `topic_id`
    // (KIP-516: the log is left over from a deleted topic of the same name).
    bool has_consistent_topic_id(const TopicPartition& tp, const std::string& topic_id) const;
    protocol::ErrorCode stop_replica(const TopicPartition& tp, int32_t leader_epoch,
                                     bool delete_partition);
    void checkpoint_high_watermarks();
    void checkpoint_loop();
    // Followers: starts fetching from their leaders (`leaders` from LeaderAndIsr's live
    // leaders), after the partitions became followers.
    void start_fetchers(const std::map<TopicPartition, int32_t>& followers,
                        const std::map<int32_t, SourceBroker>& leaders);
    // The ISR thread (replica_manager_isr.cc).
    void isr_loop();
    void maybe_shrink_isrs();
    void expand_pending_isrs();
    // Writes `change` and applies it; remembers the partition for the next notification.
    // `shrink` says which of IsrShrinks / IsrExpands counts it once applied.
    void write_isr_change(const std::shared_ptr<Partition>& partition, const IsrChange& change,
                          bool shrink);
    void propagate_isr_changes();
    std::vector<std::shared_ptr<Partition>> all_partitions() const;
    // Kafka's ReplicaManager gauges, computed at scrape time (replica_manager_metrics.cc).
    void collect_metrics(metrics::SampleSink& sink) const;

    const int32_t broker_id_;
    log::LogManager& logs_;
    MetadataCache& metadata_;
    const log::LogConfig default_log_config_;
    TopicConfigLoader load_topic_config_;
    const int64_t hw_checkpoint_interval_ms_;

    std::atomic<bool> shutting_down_{false};
    std::atomic<bool> no_new_fetchers_{false};
    // Tells the network threads' partition caches apart (get_partition()).
    const uint64_t instance_id_;
    mutable std::mutex mu_;
    std::unordered_map<TopicPartition, std::shared_ptr<Partition>> partitions_;
    // Bumped after every change to partitions_: get_partition()'s caches are then stale.
    std::atomic<uint64_t> version_{0};
    int32_t controller_epoch_ = 0;
    int64_t broker_epoch_ = -1;

    const ReplicationConfig replication_;
    LeadershipListener leadership_listener_;
    std::unique_ptr<ReplicaFetcherManager> fetchers_;

    std::mutex isr_mu_;
    std::condition_variable isr_cv_;
    std::vector<std::weak_ptr<Partition>> pending_expansions_;  // guarded by isr_mu_
    bool isr_stopping_ = false;                                 // guarded by isr_mu_
    std::vector<TopicPartition> isr_changes_;                   // ISR thread only: not yet notified
    std::thread isr_thread_;

    std::mutex checkpoint_mu_;
    std::condition_variable checkpoint_cv_;
    bool stopping_ = false;
    std::thread checkpoint_thread_;

    metrics::Counter& isr_shrinks_;
    metrics::Counter& isr_expands_;
    // Last: removed before anything it reads goes.
    metrics::CollectorHandle metrics_collector_;
};

}  // namespace samsa::replica
