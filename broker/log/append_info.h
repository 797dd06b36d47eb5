#pragma once
// What an append returns (Kafka's LogAppendInfo, trimmed to what Produce and the replica
// layer use).

#include <cstdint>
#include <functional>
#include <system_error>

namespace samsa::log {

struct AppendInfo {
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    int64_t log_append_time = -1;  // -1 unless the topic uses LogAppendTime
    int64_t log_start_offset = 0;
    int32_t record_count = 0;      // records appended (sum of batch record counts)
    int64_t max_timestamp = -1;
    int64_t offset_of_max_timestamp = -1;
    int32_t valid_bytes = 0;       // bytes written to the log
};

// Group commit (Log::reserve_leader_append): a network thread reserves its append (offsets
// assigned, batch rewritten in place) and the next commit writes every reserved batch with one
// write. Requests handled in the same round of a network thread's event loop share one write
// instead of one each: the write is the largest cost of a small produce request after the
// network's.
struct Reservation {
    AppendInfo info;
    // The first reservation since the last commit: the caller arranges for commit_pending() to
    // run soon (a network thread: at the end of its round).
    bool commit_needed = false;
};

// Called once a reserved append is written (an empty error_code) or failed; from whichever
// thread commits, after the log's lock is released.
using CommitCallback = std::function<void(std::error_code)>;

// How a commit may behave when it would have to wait.
enum class AppendMode {
    may_block,     // wait for the log's lock (the I/O pool, background threads)
    non_blocking,  // a network thread: Errc::would_block rather than wait more than a moment
};

}  // namespace samsa::log
