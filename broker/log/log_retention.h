#pragma once
// Retention: which of a log's oldest segments to delete (Kafka's Log.deleteOldSegments). In
// Kafka "LogCleaner" is compaction, which lives in log_cleaner.h; cleanup.policy=compact topics
// lose segments here only through DeleteRecords (log start offset), compact,delete ones by
// retention too. Pure functions over a snapshot; the Log applies the decision.
//
// A segment may go only if it lies wholly below the high watermark (the next segment's base,
// or the log end for the last one, <= HW) and is not the empty active segment. Then, in order,
// while the leading segment:
//   1. retention.ms:    now - segment's largest timestamp > retention.ms (unless -1);
//   2. retention.bytes: total size - segment size >= retention.bytes (unless -1);
//   3. log start:       the next segment's base <= log start offset (DeleteRecords).

#include "broker/log/log_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace samsa::log {

struct SegmentSummary {
    int64_t base_offset = 0;
    int64_t size = 0;
    int64_t largest_timestamp = 0;
};

struct RetentionInput {
    std::vector<SegmentSummary> segments;  // oldest first, the active one last
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    int64_t log_start_offset = 0;
    int64_t now_ms = 0;
};

struct RetentionDecision {
    size_t count = 0;    // delete segments [0, count)
    std::string reason;  // for the log line, e.g. "retention.ms 604800000 breached"
};

RetentionDecision find_deletable_segments(const RetentionInput& input, const LogConfig& config);

}  // namespace samsa::log
