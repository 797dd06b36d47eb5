#pragma once
// Log: one partition's replica on disk, a sequence of LogSegments in <log.dir>/<topic>-<p>/
// (Kafka's Log / UnifiedLog). Offsets run from log_start_offset() to log_end_offset() (LEO,
// the next offset to assign); the high watermark (HW), set by the Partition, bounds what
// consumers see and what retention may delete.
//
// Concurrency notes (every public method may be called from any thread):
//  1. A Log is internally synchronized by one shared_mutex. Appends, roll, truncation,
//     retention, config updates and close take it exclusively; read(),
//     fetch_offset_by_timestamp() and size_in_bytes() take it shared, so consumers read in
//     parallel with each other but not with an append. Network threads append with
//     AppendMode::non_blocking: they never wait long for the lock, never roll and never
//     flush (append_info.h), so a network thread stalls on neither the disk nor a writer
//     that the kernel is throttling.
//  2. log_end_offset(), log_start_offset(), high_watermark() and recovery_point() are atomics
//     readable without the lock (a Partition polls them on every fetch).
//  3. Producer validation (CRC-32C, record walk) runs before the lock is taken; only the
//     in-place rewrite, the write and the index updates happen under it.
//  4. read() returns file slices that own the segment's descriptor, to be sent after the lock
//     is released. A segment deleted or truncated meanwhile stays readable (unlinked files
//     live while open); a slice cut short by truncation reads short, and the network layer
//     then sends what it could (followers and consumers re-fetch).
//  5. flush() fsyncs outside the lock (on descriptors taken under it), then moves the recovery
//     point, unless a truncation happened in between. Roll asks for the old segments to be
//     flushed asynchronously: set_roll_listener() lets the LogManager's thread do it.
//  6. The leader epoch cache and the topic id are guarded by mu_ as well: queries take it
//     shared, changes exclusively (their files are rewritten under it; epochs change rarely).
//
// Ownership: the Log owns its segments; deleted segments wait in a queue (renamed *.deleted)
// until file.delete.delay.ms has passed and purge_deleted_segments() unlinks them. It also
// owns the partition dir's leader-epoch-checkpoint (leader_epoch_file_cache.h) and
// partition.metadata (partition_metadata_file.h).
//
// Leader epochs (Kafka's Log.maybeAssignEpochStartOffset and friends): every append, as leader
// or follower, starts the epoch of a batch whose partitionLeaderEpoch (>= 0) is above the
// latest known one at that batch's base offset; truncate_to() drops the entries from the new
// LEO on; truncate_fully_and_start_at() clears them; a log start moving forward (retention,
// DeleteRecords) trims them to it; recovery rebuilds them (log_loader.h).

#include "broker/log/append_info.h"
#include "broker/log/clock.h"
#include "broker/log/fetch_data_info.h"
#include "broker/log/leader_epoch_file_cache.h"
#include "broker/log/log_config.h"
#include "broker/log/log_lock.h"
#include "broker/log/log_segment.h"
#include "broker/log/producer_state_manager.h"
#include "common/result.h"
#include "common/types.h"

#include <boost/outcome/try.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

namespace samsa::log {

struct ValidatedBatch;

// One segment as the cleaner sees it (Log::cleaning_snapshot()).
struct CleanableSegment {
    int64_t base_offset = 0;
    int64_t end_offset = 0;  // the next segment's base: every offset here is below it
    int32_t size = 0;
    int64_t offset_index_bytes = 0;
    int64_t time_index_bytes = 0;
    int64_t largest_timestamp = 0;  // LogSegment::largest_timestamp()
    int64_t last_modified_ms = 0;   // the .log file's mtime
    std::shared_ptr<const FileHandle> file;
};

struct CleaningSnapshot {
    std::vector<CleanableSegment> segments;  // oldest first, the active segment excluded
    int64_t active_base_offset = 0;
    int64_t log_start_offset = 0;
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    uint64_t generation = 0;  // changes whenever a segment is removed or truncated
};

class Log {
  public:
    // Opens (loading and, after an unclean shutdown, recovering; see log_loader.h) or creates
    // the partition directory `dir`. The HW starts at the log start offset: the Partition
    // sets the checkpointed value with update_high_watermark().
    static result<std::unique_ptr<Log>> open(const std::string& dir, const TopicPartition& tp,
                                             const LogConfig& config, int64_t recovery_point,
                                             bool had_clean_shutdown, Clock clock,
                                             int64_t log_start_offset = 0);
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    // Validates one producer batch completely (ZK-MODE.md §e; errors in log_validator.h), then
    // rewrites it in place (offsets from LEO, `leader_epoch`, timestamps) and appends it,
    // rolling first if needed. Nothing is written when validation fails.
    // With AppendMode::non_blocking, see append_info.h.
    result<AppendInfo> append_as_leader(std::span<uint8_t> batch, int32_t leader_epoch,
                                        AppendMode mode = AppendMode::may_block);
    // Appends a leader's batches with their offsets, which must start at or above LEO and
    // increase; a trailing partial batch is ignored. CRC-32C is checked.
    result<AppendInfo> append_as_follower(std::span<const uint8_t> batches);

    // Up to max_bytes from the batch holding start_offset, never at or past max_offset (the
    // exclusive bound, e.g. the HW); the whole first batch if min_one_batch. Empty at LEO or
    // max_offset; Errc::offset_out_of_range below the log start or above LEO.
    // ReadMode::non_blocking: Errc::would_block if the lock is held for longer than a moment
    // (by a writer blocked in the kernel, say) or the data is not in the page cache
    // (LogSegment::read); load_into_page_cache() then readies the slices, elsewhere.
    result<FetchDataInfo> read(int64_t start_offset, int32_t max_bytes, int64_t max_offset,
                               bool min_one_batch, ReadMode mode = ReadMode::may_block) const;
    // ListOffsets by time: the first offset >= log start whose timestamp >= `timestamp`
    // (a compressed batch answers with its first offset), or nullopt if none. The caller
    // handles -1/-2 and bounds the answer by the HW.
    result<std::optional<TimestampAndOffset>> fetch_offset_by_timestamp(int64_t timestamp) const;

    int64_t log_start_offset() const { return log_start_offset_.load(); }
    int64_t log_end_offset() const { return log_end_offset_.load(); }
    int64_t high_watermark() const { return high_watermark_.load(); }
    int64_t recovery_point() const { return recovery_point_.load(); }
    // Clamps `hw` into [log start, LEO], stores and returns it. Lock-free; callers serialise
    // their updates.
    int64_t update_high_watermark(int64_t hw);
    // A leader's HW only rises: sets it to `hw` (clamped to LEO) if that is higher. Lock-free
    // and safe from any number of threads at once. Returns whether it moved.
    bool raise_high_watermark(int64_t hw);
    // DeleteRecords: moves the log start forward (never back); offset_out_of_range above HW.
    result<void> maybe_increment_log_start_offset(int64_t new_start);

    // ---- leader epochs (leader-epoch-checkpoint) ----
    // The latest epoch known to the log, nullopt if none.
    std::optional<int32_t> latest_epoch() const;
    // OffsetsForLeaderEpoch: where `epoch` ended in this log (LeaderEpochFileCache::
    // end_offset_for with this log's LEO).
    EpochEndOffset end_offset_for_epoch(int32_t epoch) const;
    // The epoch that wrote `offset`, nullopt if none is known.
    std::optional<int32_t> epoch_for_offset(int64_t offset) const;
    // Becoming leader (Kafka's Partition.makeLeader step 3): `epoch` starts at `start_offset`,
    // the LEO. The cache's file is written later (before the recovery point passes the
    // epoch's records, or on close: LeaderEpochFileCache); assign says what it replaces.
    result<void> assign_epoch_start_offset(int32_t epoch, int64_t start_offset);
    // A copy of the cache's entries, oldest first.
    std::vector<EpochEntry> epoch_entries() const;

    // ---- idempotent producers (producer_state_manager.h) ----
    // A copy of a producer's state, nullopt if the log knows no batch of it.
    std::optional<ProducerStateEntry> producer_state(int64_t producer_id) const;
    size_t producer_count() const;
    // Forgets producers idle for longer than `max_idle_ms`; returns how many.
    size_t expire_producers(int64_t max_idle_ms);

    // ---- topic id (partition.metadata) ----
    // The topic id recorded for this partition (read at open), nullopt if none.
    std::optional<std::string> topic_id() const;
    // Records `topic_id` (its text form; see partition_metadata_file.h) and writes
    // partition.metadata. The caller checks it does not replace a different id.
    result<void> set_topic_id(const std::string& topic_id);

    // Removes everything from `offset` on (replication: a follower's divergent tail). Returns
    // whether anything was removed. Below the first segment it becomes
    // truncate_fully_and_start_at(offset). Epochs starting at or after the resulting LEO are
    // dropped even when no record is.
    result<bool> truncate_to(int64_t offset);
    // Deletes every segment and starts empty at `new_offset` (= start = LEO = HW).
    result<void> truncate_fully_and_start_at(int64_t new_offset);

    // fsyncs everything up to LEO and moves the recovery point there.
    result<void> flush();
    result<void> flush_up_to(int64_t offset);
    // Flushes the segments a roll left behind, if any (called by the LogManager's thread).
    result<void> flush_rolled_segments();
    int64_t last_flush_time_ms() const { return last_flush_ms_.load(); }
    // Starts a new active segment at LEO (no-op when the active segment is empty).
    result<void> roll();
    // Retention (see log_retention.h). Returns how many segments were deleted.
    result<size_t> delete_old_segments();
    // Unlinks deleted segments whose file.delete.delay.ms has passed (all of them if `all`).
    void purge_deleted_segments(bool all = false);

    // ---- compaction (log_cleaner.h; implemented in log_clean.cc) ----
    // What the cleaner may read without the lock: every segment below the active one, with
    // its file (readable even if the segment is deleted meanwhile: see note 4).
    CleaningSnapshot cleaning_snapshot() const;
    // Swaps `cleaned` (segments written with the ".cleaned" suffix, flushed) in for the
    // segments [first_base, end_base) of `snapshot`, Kafka's replaceSegments: under the lock,
    // the new files become *.swap, the old segments are renamed *.deleted (and unlinked after
    // file.delete.delay.ms), then the *.swap files lose their suffix. A crash at any step
    // leaves a log that recovery completes or rolls back (log_loader.h). Errc::cleaning_aborted,
    // with nothing changed, if the log lost or truncated segments since the snapshot; the
    // caller then deletes the cleaned files.
    result<void> replace_segments(std::vector<std::unique_ptr<LogSegment>> cleaned,
                                  const CleaningSnapshot& snapshot, int64_t first_base,
                                  int64_t end_base);

    void update_config(const LogConfig& config);
    // Lock-free; the reference stays valid for the Log's life (a later update_config() makes
    // it the previous config, not a dangling one).
    const LogConfig& config() const;
    // Called (under the Log's lock: it must not call back into this Log) after each roll.
    void set_roll_listener(std::function<void()> listener);

    const TopicPartition& topic_partition() const { return tp_; }
    const std::string& dir() const { return dir_; }
    int64_t size_in_bytes() const;
    size_t number_of_segments() const;
    // Base offset of the oldest segment (log-start-offset-checkpoint only lists logs whose
    // start is above it).
    int64_t first_segment_base_offset() const;
    // Trims indexes and releases mappings; later calls fail with Errc::log_closed.
    result<void> close();
    // Moves the directory (LogManager::delete_log renames it to *-delete). Call after close().
    result<void> rename_dir(const std::string& new_dir);

  private:
    Log(std::string dir, TopicPartition tp, std::unique_ptr<const LogConfig> config, Clock clock,
        LeaderEpochFileCache epoch_cache)
        : dir_(std::move(dir)),
          tp_(std::move(tp)),
          clock_(std::move(clock)),
          epoch_cache_(std::move(epoch_cache)),
          producer_state_(dir_) {
        config_.store(config.get());
        configs_.push_back(std::move(config));
    }

    LogSegment& active_segment() const { return *segments_.rbegin()->second; }
    result<LogSegment*> maybe_roll_locked(int32_t messages_size, int64_t max_timestamp,
                                          int64_t first_offset, int64_t last_offset, int64_t now);
    result<void> roll_locked(int64_t new_base, int64_t now);
    result<void> delete_segments_locked(size_t count, const std::string& reason, int64_t now);
    result<void> remove_and_delete_locked(
        std::map<int64_t, std::unique_ptr<LogSegment>>::iterator first,
        std::map<int64_t, std::unique_ptr<LogSegment>>::iterator last, int64_t now);
    result<void> truncate_fully_locked(int64_t new_offset, int64_t now);
    // The file position in *it that reads must stop at for an exclusive bound max_offset.
    int64_t max_position_for(
        const std::map<int64_t, std::unique_ptr<LogSegment>>::const_iterator& it,
        int64_t max_offset) const;
    result<void> check_open() const;
    // Starts each batch's epoch if it is newer than the latest (batches already validated).
    result<void> maybe_assign_epoch_start_offsets_locked(std::span<const uint8_t> batches);
    void purge_locked(int64_t now, bool all);
    result<void> maybe_flush_after_append(const LogConfig& config);
    bool flush_due(const LogConfig& config) const;
    result<AppendInfo> append_as_leader_locked(std::span<uint8_t> batch, const ValidatedBatch& v,
                                               int32_t leader_epoch, int64_t now, AppendMode mode);
    result<FetchDataInfo> read_locked(int64_t start_offset, int32_t max_bytes, int64_t max_offset,
                                      bool min_one_batch, ReadMode mode) const;
    // Would a leader's batch written in `leader_epoch` start a new epoch?
    bool starts_new_epoch_locked(int32_t leader_epoch) const;
    // Producer state from the newest snapshot at or below LEO plus the log after it
    // (log_producer_state.cc): after load and after truncation.
    result<void> rebuild_producer_state_locked();
    // Records every producer batch of `batches` (already written at their offsets).
    void update_producer_state_locked(std::span<const uint8_t> batches);
    // Snapshot at the new active segment's base (roll) or at LEO (close); a failure is logged,
    // never fatal: a missing snapshot costs a longer replay at the next start.
    void take_producer_snapshot_locked(int64_t offset);

    struct PendingDeletion {
        std::unique_ptr<LogSegment> segment;
        int64_t due_ms;
    };

    std::string dir_;
    const TopicPartition tp_;
    mutable LogLock mu_;
    // The current config, read without any lock (every append reads it, and appends from
    // network threads wait for nothing they can avoid). Changed under mu_; every config the
    // log ever had stays in configs_, so a reference from config() stays valid for the Log's
    // life. Topic configs change rarely (an operator's command), so the history stays small.
    std::atomic<const LogConfig*> config_{nullptr};
    std::vector<std::unique_ptr<const LogConfig>> configs_;  // guarded by mu_
    Clock clock_;
    std::map<int64_t, std::unique_ptr<LogSegment>> segments_;  // guarded by mu_
    std::vector<PendingDeletion> pending_deletions_;           // guarded by mu_
    std::function<void()> roll_listener_;                      // guarded by mu_
    int64_t rolled_flush_offset_ = -1;                         // guarded by mu_
    uint64_t truncations_ = 0;                                 // guarded by mu_
    uint64_t removals_ = 0;                // segments removed or replaced; guarded by mu_
    bool closed_ = false;                  // guarded by mu_
    LeaderEpochFileCache epoch_cache_;     // guarded by mu_
    std::optional<std::string> topic_id_;  // guarded by mu_
    ProducerStateManager producer_state_;  // guarded by mu_
    std::atomic<int64_t> log_start_offset_{0};
    std::atomic<int64_t> log_end_offset_{0};
    std::atomic<int64_t> high_watermark_{0};
    std::atomic<int64_t> recovery_point_{0};
    std::atomic<int64_t> last_flush_ms_{0};
};

}  // namespace samsa::log
