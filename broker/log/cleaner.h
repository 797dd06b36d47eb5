#pragma once
// Cleaner: compacts one log, once (Kafka's Cleaner). The LogCleaner (log_cleaner.h) chooses
// the log and the range; this class does the work:
//
//  1. Offset map: reads the dirty section [first dirty, first uncleanable) and records the
//     latest offset of every key (offset_map.h). When the map fills up, the section ends at
//     the first record that did not fit: the rest waits for the next pass.
//  2. Delete horizon: the last modification time of the last segment cleaned before, minus
//     delete.retention.ms (0 if nothing was cleaned yet). Tombstones in segments modified at
//     or before it are dropped; younger ones stay, so consumers get delete.retention.ms to
//     see them.
//  3. Groups the segments from the start of the log up to the end of the mapped section so
//     that each group's size stays within segment.bytes, its offset index within
//     segment.index.bytes, its offsets within an int32 of its base and its segments' mtimes
//     within delete.retention.ms of each other (see group_segments_by_size).
//  4. Copies each group into one new segment <base>.log.cleaned (record_filter.h decides what
//     stays), flushes it and gives it the mtime of the last segment copied into it, as Kafka
//     does. A segment that keeps a tombstone ends the new segment (the rest of its group
//     goes into another one): tombstones never take the mtime of younger segments, so they
//     fall behind the delete horizon once delete.retention.ms of newer data has been cleaned.
//     Kafka 2.8 would merge them with the younger segments, which gives them a fresh mtime
//     at every pass when the log gets small segments often (KAFKA-8522).
//  5. Swaps the new segments in (Log::replace_segments). If the log changed meanwhile the
//     pass is abandoned and its files deleted; the next pass starts again.
//
// The old segments are read through their file descriptors, without the Log's lock: appends
// and reads carry on during the whole pass, which takes the lock only to snapshot the
// segments and for the swap. All reads and writes go through the shared Throttler.
//
// Not thread-safe: one Cleaner per cleaner thread (it owns that thread's offset map).

#include "broker/log/cleaner_config.h"
#include "broker/log/clock.h"
#include "broker/log/log.h"
#include "broker/log/offset_map.h"
#include "broker/log/throttler.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace samsa::log {

// A log chosen for cleaning, and its cleanable range.
struct LogToClean {
    TopicPartition tp;
    std::shared_ptr<Log> log;
    std::string log_dir;  // the log dir (not the partition dir) holding it
    CleaningSnapshot snapshot;
    int64_t first_dirty_offset = 0;
    int64_t first_uncleanable_offset = 0;  // exclusive end of the dirty section
    int64_t clean_bytes = 0;
    int64_t dirty_bytes = 0;
    bool must_clean = false;  // max.compaction.lag.ms passed for its oldest dirty segment

    double dirty_ratio() const {
        int64_t total = clean_bytes + dirty_bytes;
        return total == 0 ? 0.0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
    }
};

struct CleanerStats {
    int64_t bytes_read = 0;
    int64_t bytes_written = 0;
    int64_t records_read = 0;
    int64_t records_kept = 0;
    int64_t batches_rewritten = 0;
    int64_t batches_dropped = 0;
    int64_t segments_cleaned = 0;
};

// Step 3 over `segments` (oldest first): each group is a list of indexes into `segments`.
// A group also spans at most `max_mtime_span_ms` (delete.retention.ms) of modification times.
// That alone does not keep tombstones from taking younger mtimes (a segment can move forward
// by up to the span at every pass): what does is that clean_group ends a cleaned segment
// after a segment that keeps tombstones (step 4).
std::vector<std::vector<size_t>> group_segments_by_size(
    const std::vector<CleanableSegment>& segments, int32_t max_size, int32_t max_index_size,
    int64_t max_mtime_span_ms);

class Cleaner {
  public:
    // `stopping` is polled between batches: a pass that sees it true is abandoned.
    Cleaner(const CleanerConfig& config, size_t offset_map_bytes, Throttler* throttler, Clock clock,
            std::function<bool()> stopping);

    // Cleans `log` and returns the new first dirty offset (what the checkpoint records).
    // Errc::cleaning_aborted when the log changed under the cleaner or the cleaner is stopping.
    result<int64_t> clean(const LogToClean& log);

    const CleanerStats& stats() const { return stats_; }
    const CleanerOffsetMap& offset_map() const { return map_; }

  private:
    // Step 1; returns the end of the mapped section.
    result<int64_t> build_offset_map(const LogToClean& log);
    // Producer id -> last offset of its last batch in `segments`.
    result<std::unordered_map<int64_t, int64_t>> producer_last_offsets(
        const std::vector<CleanableSegment>& segments);
    struct CleanedGroup {
        std::unique_ptr<LogSegment> segment;
        size_t segments_used = 0;  // a prefix of the group: see step 4
    };
    // Step 4 for one group, or for its first segments.
    result<CleanedGroup> clean_group(const LogToClean& log, std::span<const CleanableSegment> group,
                                     int64_t delete_horizon_ms,
                                     const std::unordered_map<int64_t, int64_t>& producers);
    result<void> check_stopping() const;

    CleanerConfig config_;
    CleanerOffsetMap map_;
    Throttler* throttler_;
    Clock clock_;
    std::function<bool()> stopping_;
    CleanerStats stats_;
};

}  // namespace samsa::log
