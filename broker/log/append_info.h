#pragma once
// What an append returns (Kafka's LogAppendInfo, trimmed to what Produce and the replica
// layer use).

#include <cstdint>

namespace samsa::log {

struct AppendInfo {
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    int64_t log_append_time = -1;  // -1 unless the topic uses LogAppendTime
    int64_t log_start_offset = 0;
    int32_t record_count = 0;  // records appended (sum of batch record counts)
    int64_t max_timestamp = -1;
    int64_t offset_of_max_timestamp = -1;
    int32_t valid_bytes = 0;  // bytes written to the log
    // AppendMode::non_blocking only: the flush policy (flush.messages) asks for a flush now;
    // the caller must flush() before acknowledging, where blocking is fine.
    bool flush_due = false;
    // An idempotent producer's retry of a batch already in the log: the offsets are the
    // original's and nothing was written.
    bool duplicate = false;
};

// How an append may behave when it would have to wait for something slow.
enum class AppendMode {
    // Roll segments, flush per flush.messages, wait for the log's lock: the I/O pool, tests,
    // followers' fetchers.
    may_block,
    // A network thread: instead of rolling, assigning a new leader epoch (a file rewrite) or
    // waiting more than a moment for the lock, fail with Errc::would_block and change nothing;
    // a due flush is reported in AppendInfo::flush_due rather than done.
    non_blocking,
};

}  // namespace samsa::log
