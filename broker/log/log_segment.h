#pragma once
// LogSegment: one <base>.log file with its <base>.index and <base>.timeindex (formats in
// file_records.h, offset_index.h, time_index.h), holding the batches with offsets from
// base_offset() up to the next segment's base. File names are the base offset as 20 digits.
//
// Only the last (active) segment of a Log is appended to; older ones are read, truncated by
// replication or deleted by retention. The active segment's indexes are preallocated; they
// are trimmed by on_become_inactive() (roll) or close().
//
// Not thread-safe (like Kafka's LogSegment): its Log calls it under the Log's lock. Handles
// returned by read()/flush_handles() stay valid after the segment is closed or deleted.

#include "broker/log/fetch_data_info.h"
#include "broker/log/file_records.h"
#include "broker/log/offset_index.h"
#include "broker/log/time_index.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace samsa::log {

inline const std::string kLogFileSuffix = ".log";
inline const std::string kIndexFileSuffix = ".index";
inline const std::string kTimeIndexFileSuffix = ".timeindex";
inline const std::string kDeletedFileSuffix = ".deleted";
inline const std::string kCleanedFileSuffix = ".cleaned";  // a cleaner's output being written
inline const std::string kSwapFileSuffix = ".swap";        // cleaned, about to replace segments

struct SegmentOptions {
    int32_t index_interval_bytes = 4096;
    int32_t max_index_bytes = 10 * 1024 * 1024;
    int64_t roll_jitter_ms = 0;
    int64_t created_ms = 0;  // the clock's now: for roll by age when batches carry no time
};

// The inputs of should_roll() (Kafka's RollParams).
struct RollParams {
    int32_t max_segment_bytes = 0;
    int64_t max_segment_ms = 0;
    int32_t messages_size = 0;
    int64_t max_timestamp_in_messages = -1;
    int64_t max_offset_in_messages = 0;
    int64_t now_ms = 0;
};

// What recover() kept and dropped.
struct SegmentRecovery {
    int32_t valid_bytes = 0;
    int32_t truncated_bytes = 0;
    int64_t next_offset = 0;  // after the last valid batch (base offset if none)
    std::string reason;       // why the first dropped batch was rejected
};

class LogSegment {
  public:
    // Opens the segment's files in `dir`, creating missing ones. Existing indexes are opened
    // as they are: call indexes_look_sane() and recover() as needed.
    static result<std::unique_ptr<LogSegment>> open(const std::string& dir, int64_t base_offset,
                                                    const SegmentOptions& options,
                                                    const std::string& suffix = "");

    LogSegment(const LogSegment&) = delete;
    LogSegment& operator=(const LogSegment&) = delete;

    int64_t base_offset() const { return base_offset_; }
    int32_t size() const { return log_->size(); }
    const FileRecords& log() const { return *log_; }
    const OffsetIndex& offset_index() const { return *offset_index_; }
    const TimeIndex& time_index() const { return *time_index_; }
    int64_t max_timestamp_so_far() const { return max_timestamp_so_far_; }

    // Appends whole, valid batches with increasing offsets that fit this segment (the Log
    // checked should_roll first), then adds index entries every index_interval_bytes.
    result<void> append(std::span<const uint8_t> batches);

    // The first batch at or after `start_position` whose last offset >= `offset`.
    result<std::optional<BatchPosition>> translate_offset(
        int64_t offset, int32_t start_position = 0, ReadMode mode = ReadMode::may_block) const;
    // Up to max_size bytes starting at the batch holding `start_offset`, never past
    // max_position; the whole first batch if min_one_batch. nullopt if no batch holds it.
    // ReadMode::non_blocking: Errc::would_block when the batch headers, or the last byte of
    // the slice, are not in the page cache (the slice would be sent from the disk).
    result<std::optional<FetchDataInfo>> read(int64_t start_offset, int32_t max_size,
                                              int64_t max_position, bool min_one_batch,
                                              ReadMode mode = ReadMode::may_block) const;
    // The first batch at or after `starting_offset` whose max timestamp >= `timestamp`.
    result<std::optional<TimestampAndOffset>> find_offset_by_timestamp(
        int64_t timestamp, int64_t starting_offset) const;

    bool should_roll(const RollParams& p);
    // The offset after the last batch (base offset if empty), read from the tail of the file.
    result<int64_t> read_next_offset() const;
    // max_timestamp_so_far(), or the file's modification time when no batch has a timestamp.
    int64_t largest_timestamp() const;

    // Rebuilds both indexes from the .log, checking each batch (size >= 61, magic 2,
    // CRC-32C); truncates the file at the first bad batch.
    result<SegmentRecovery> recover();
    // Whether the indexes pass Kafka's sanity checks (else the loader calls recover()).
    bool indexes_look_sane() const;
    // Removes batches from the one holding `offset` on (so a batch straddling `offset` goes
    // entirely, as in Kafka); returns the bytes removed. The segment becomes appendable again.
    result<int32_t> truncate_to(int64_t offset, int64_t now_ms);
    // Maps `max_index_bytes` for both indexes (the loader does this for the active segment).
    result<void> resize_indexes(int32_t max_index_bytes);

    // Roll: adds the final time index entry and trims both indexes.
    result<void> on_become_inactive();
    result<void> flush() const;
    // The descriptors to fsync when flushing outside the Log's lock.
    result<std::vector<std::shared_ptr<const FileHandle>>> flush_handles() const;
    // Adds `suffix` (".deleted", ".swap") to the three files, or removes it when `suffix` is
    // empty; the indexes first, the .log last.
    result<void> change_file_suffixes(const std::string& suffix);
    result<void> delete_files();
    result<void> close();

  private:
    LogSegment(int64_t base_offset, const SegmentOptions& options)
        : base_offset_(base_offset), options_(options) {}

    result<void> load_largest_timestamp();
    void add_index_entries(int32_t position, const protocol::RecordBatchView& batch);
    result<void> reset_indexes_to(int32_t max_index_bytes);
    // Recovery's check of one batch at `position`; returns why it is bad, or "" if good.
    std::string check_batch(const protocol::RecordBatchView& batch, int64_t next_offset) const;

    int64_t base_offset_;
    SegmentOptions options_;
    std::string dir_;
    std::unique_ptr<FileRecords> log_;
    std::unique_ptr<OffsetIndex> offset_index_;
    std::unique_ptr<TimeIndex> time_index_;
    int32_t bytes_since_last_index_entry_ = 0;
    int64_t max_timestamp_so_far_ = -1;
    int64_t offset_of_max_timestamp_so_far_ = 0;
    std::optional<int64_t> rolling_based_timestamp_;  // first batch's max timestamp
};

}  // namespace samsa::log
