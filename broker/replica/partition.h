#pragma once
// Partition: one topic-partition hosted by this broker — its role (leader or follower), the
// leader epoch, the ISR and the high watermark — over a Log that stores its records (Kafka's
// cluster/Partition). The Log knows nothing about replication; the Partition knows nothing
// about segments.
//
// Concurrency notes:
//  1. Any thread may call any method. Network threads append and read directly (appends with
//     AppendMode::non_blocking, so they never wait on a role change or the disk); the I/O
//     pool does what may block.
//  2. leader_isr_lock_ is held exclusively by role changes (make_leader, make_follower, stop)
//     and shared by appends, reads and offset lookups, so an append can never land under a
//     leader epoch that has already been replaced.
//  3. The Log synchronises itself; the high watermark lives in the Log (as in Kafka 2.8) and
//     a leader only ever raises it (Log::raise_high_watermark, lock-free), under the shared
//     lock, and under remote_mu_ too when followers' offsets decide it.
//  4. remote_mu_ guards the followers' fetch state (their log end offsets and when they were
//     last caught up), written by follower fetches that hold the shared lock.
//  5. watchers_ is notified after every append, HW move and role change, outside all locks.
//  6. The ISR changes in two steps, because writing it to ZooKeeper blocks: propose_isr_*()
//     says what it should become (under the shared lock), the ReplicaManager's ISR thread
//     writes the partition's state znode conditionally on the zkVersion the proposal saw, and
//     apply_isr_change() installs it only if no LeaderAndIsr came in between (exclusive lock).
//     Until then the HW is computed from the old ISR: a shrink not yet written keeps the HW
//     where the larger ISR puts it, which is never above what the smaller one would allow.
//
// Replication (leader side): the HW is the smallest log end offset among the ISR; a follower
// joins the ISR once it has caught up to the HW (and to this leader epoch's start), and leaves
// it when it has not been caught up for replica.lag.time.max.ms (Kafka's Partition).
// Follower side: the ReplicaFetcherThread appends the leader's batches with
// append_records_to_follower() and moves the HW to what the leader says, bounded by our LEO.

#include "broker/log/log.h"
#include "broker/protocol/records.h"
#include "broker/replica/broker_topic_stats.h"
#include "broker/replica/delayed_operation.h"
#include "common/result.h"
#include "common/types.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

namespace samsa::replica {

// What LeaderAndIsr says about one partition.
struct PartitionRole {
    int32_t controller_epoch = 0;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    std::vector<int32_t> isr;
    int32_t zk_version = 0;
    std::vector<int32_t> replicas;
    bool is_new = false;
};

enum class FetchIsolation {
    log_end,         // followers read everything the leader has
    high_watermark,  // READ_UNCOMMITTED consumers
    txn_committed,   // READ_COMMITTED consumers (the LSO; equals the HW without transactions)
};

struct PartitionRead {
    protocol::Records records;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    int64_t log_end_offset = -1;
    // Fetch v12 (KIP-595): where the fetcher's log diverges from this one, instead of records.
    std::optional<log::EpochEndOffset> diverging_epoch;
};

// A change of the ISR a leader wants to write to ZooKeeper: the new ISR and the state it was
// computed from (the write is conditional on zk_version, the apply on the leader epoch).
struct IsrChange {
    TopicPartition tp;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    int32_t controller_epoch = -1;
    int32_t zk_version = -1;
    std::vector<int32_t> isr;
};

struct OffsetLookup {
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
};

class Partition {
  public:
    // `log` is shared with the LogManager; a deleted log fails its calls with log_closed.
    Partition(TopicPartition tp, int32_t local_broker_id, std::shared_ptr<log::Log> log);

    const TopicPartition& topic_partition() const { return tp_; }

    // LeaderAndIsr. Returns false (and changes nothing) when `role` is not newer than what we
    // have; the caller answers STALE_CONTROLLER_EPOCH for it.
    bool make_leader(const PartitionRole& role);
    // The same at a given time (the ISR members' last caught-up time), for tests with a clock.
    bool make_leader(const PartitionRole& role, int64_t now_ms);
    bool make_follower(const PartitionRole& role);
    // StopReplica: no longer leader or follower; the log stays unless the caller deletes it.
    void stop();

    // Produce. Errors: NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS (acks=-1 with too small an
    // ISR), and the log's validation errors; with AppendMode::non_blocking also
    // log::Errc::would_block (nothing appended: retry with may_block where that is fine).
    result<log::AppendInfo> append_records_to_leader(
        std::span<uint8_t> records, int16_t required_acks, int32_t min_insync_replicas,
        log::AppendMode mode = log::AppendMode::may_block);
    // acks=-1: has the high watermark passed `offset`? Errors if leadership was lost meanwhile,
    // or NOT_ENOUGH_REPLICAS_AFTER_APPEND if it passed with fewer than `min_insync_replicas`
    // in the ISR (Kafka's checkEnoughReplicasReachOffset).
    result<bool> is_replicated(int64_t offset, int32_t min_insync_replicas) const;

    // ---- leader side of replication ----
    // A follower fetched from `fetch_offset` (so it has everything below it). Records its log
    // end offset and whether it is caught up, raises the HW if it can, and returns whether the
    // ISR should now include it (the caller then proposes and writes the expansion).
    // NOT_LEADER_OR_FOLLOWER if we do not lead, FENCED/UNKNOWN_LEADER_EPOCH if the follower
    // fetches in another epoch (`current_leader_epoch`, -1: unchecked): such a fetch says
    // nothing about this epoch's log (Kafka updates only on reads without error). A replica
    // not in the assignment is ignored.
    result<bool> update_follower_fetch_state(int32_t replica, int64_t fetch_offset, int64_t now_ms,
                                             int32_t current_leader_epoch = -1);
    // The ISR with every caught-up follower added; nullopt if nobody is to be added.
    std::optional<IsrChange> propose_isr_expand() const;
    // The ISR without the followers that have not caught up for `max_lag_ms`; nullopt if none.
    std::optional<IsrChange> propose_isr_shrink(int64_t now_ms, int64_t max_lag_ms) const;
    // Installs a change written to ZooKeeper (at `new_zk_version`) unless a LeaderAndIsr
    // replaced the state it was computed from. Returns whether it was applied.
    bool apply_isr_change(const IsrChange& change, int32_t new_zk_version);
    std::vector<int32_t> in_sync_replicas() const;

    // ---- follower side of replication ----
    // The leader's batches, fetched in `leader_epoch`: appended with their offsets unless we
    // are no longer a follower in that epoch (NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH).
    result<log::AppendInfo> append_records_to_follower(std::span<const uint8_t> batches,
                                                       int32_t leader_epoch);
    // Moves our HW to the leader's, bounded by our log end, and our log start up to the
    // leader's when it moved (retention, DeleteRecords).
    void update_follower_offsets(int32_t leader_epoch, int64_t leader_high_watermark,
                                 int64_t leader_log_start_offset);
    // Truncates the log to `offset` (a follower's divergent tail), in `leader_epoch`.
    result<bool> truncate_to(int64_t offset, int32_t leader_epoch);
    // Starts the log over at `offset` (the leader no longer has what we would fetch next).
    result<void> truncate_fully_and_start_at(int64_t offset, int32_t leader_epoch);
    // The leader's broker id, if known.
    std::optional<int32_t> leader_id() const;

    // Fetch. `current_leader_epoch` -1 skips the epoch check (clients before KIP-320). With
    // ReadMode::non_blocking also log::Errc::would_block (retry with may_block elsewhere).
    // `last_fetched_epoch` (Fetch v12; -1: none) is the epoch of the fetcher's last record: if
    // its log diverges from this one there, the answer is diverging_epoch and no records.
    result<PartitionRead> read(int64_t fetch_offset, int32_t max_bytes,
                               int32_t current_leader_epoch, FetchIsolation isolation,
                               bool min_one_batch, bool fetch_only_from_leader,
                               log::ReadMode mode = log::ReadMode::may_block,
                               int32_t last_fetched_epoch = -1) const;

    // ListOffsets: -2 earliest, -1 latest (per isolation), otherwise by timestamp.
    result<OffsetLookup> fetch_offset_for_timestamp(int64_t timestamp, int32_t current_leader_epoch,
                                                    FetchIsolation isolation) const;

    bool is_leader() const;
    // Led here with an ISR smaller than the assignment (UnderReplicatedPartitions).
    bool is_under_replicated() const;
    // This partition's topic's BrokerTopicMetrics, looked up once at creation.
    const TopicStats& stats() const { return stats_; }
    int32_t leader_epoch() const;
    int64_t high_watermark() const;
    log::Log* log() const { return log_.get(); }

    // Waiters woken on appends, high watermark moves and role changes.
    void add_watcher(const std::shared_ptr<Waiter>& w) { watchers_.add(w); }
    // Wakes every waiter (shutdown: delayed requests answer with what they have).
    void wake_watchers() { watchers_.notify_all(); }

    // OffsetsForLeaderEpoch (Kafka's Partition.lastOffsetForLeaderEpoch): the largest epoch
    // this log knows that is at most `leader_epoch`, and where it ended
    // (log::Log::end_offset_for_epoch); (-1, -1) when there is none. `current_leader_epoch`
    // -1 skips the KIP-320 check, otherwise FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH; it is
    // checked before leadership, as Kafka does. With `fetch_only_from_leader` (always, in
    // Kafka 2.8) a follower answers NOT_LEADER_OR_FOLLOWER. May wait for a role change.
    result<log::EpochEndOffset> last_offset_for_leader_epoch(int32_t current_leader_epoch,
                                                             int32_t leader_epoch,
                                                             bool fetch_only_from_leader) const;

  private:
    // One follower's fetch state (Kafka's Replica): its log end offset, and what decides
    // whether it is caught up (Kafka's lastCaughtUpTime rule: a fetch at or past the leader's
    // log end offset of the previous fetch means the follower was caught up then).
    struct FollowerState {
        int64_t log_end_offset = -1;  // unknown until it fetches
        int64_t last_caught_up_ms = 0;
        int64_t last_fetch_leader_log_end_offset = -1;
        int64_t last_fetch_ms = 0;
    };

    bool is_newer(const PartitionRole& role) const;
    // Whether the state of `replica` (not in the ISR) lets it join: caught up to the HW and to
    // this epoch's start. Holds remote_mu_.
    bool can_join_isr(const FollowerState& f) const;
    std::error_code check_follower_epoch(int32_t leader_epoch) const;
    IsrChange isr_change(std::vector<int32_t> isr) const;
    std::error_code check_leader_epoch(int32_t current_leader_epoch, bool require_leader) const;
    // Raises the HW to the smallest log end offset in the ISR. Holds the shared lock.
    bool maybe_increment_high_watermark();
    int64_t offset_bound(FetchIsolation isolation) const;

    const TopicPartition tp_;
    const int32_t local_broker_id_;
    const std::shared_ptr<log::Log> log_;
    const TopicStats& stats_;

    mutable std::shared_mutex leader_isr_lock_;
    std::optional<int32_t> leader_;  // broker id of the leader, if known
    int32_t leader_epoch_ = -1;
    int32_t controller_epoch_ = -1;
    int32_t zk_version_ = -1;
    std::vector<int32_t> replicas_;
    std::vector<int32_t> isr_;  // empty unless we lead

    int64_t leader_epoch_start_offset_ = -1;  // our LEO when we became leader in this epoch

    mutable std::mutex remote_mu_;
    std::map<int32_t, FollowerState> followers_;

    WatchList watchers_;
};

}  // namespace samsa::replica
