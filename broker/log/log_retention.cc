#include "broker/log/log_retention.h"

#include <fmt/format.h>

#include <functional>

namespace samsa::log {
namespace {

using Predicate = std::function<bool(size_t index)>;

// How many segments from `first` on may go under `predicate` (Log.deletableSegments).
size_t deletable_from(const RetentionInput& in, size_t first, const Predicate& predicate) {
    size_t i = first;
    for (; i < in.segments.size(); ++i) {
        bool last = i + 1 == in.segments.size();
        int64_t upper_bound = last ? in.log_end_offset : in.segments[i + 1].base_offset;
        bool last_and_empty = last && in.segments[i].size == 0;
        if (in.high_watermark < upper_bound || last_and_empty || !predicate(i)) {
            break;
        }
    }
    return i - first;
}

void add(RetentionDecision& d, size_t n, const std::string& why) {
    if (n > 0) {
        d.count += n;
        d.reason += (d.reason.empty() ? "" : "; ") + fmt::format("{} segment(s): {}", n, why);
    }
}

}  // namespace

RetentionDecision find_deletable_segments(const RetentionInput& in, const LogConfig& config) {
    RetentionDecision d;
    if (config.cleanup_policy_delete && config.retention_ms >= 0) {
        size_t n = deletable_from(in, d.count, [&](size_t i) {
            return in.now_ms - in.segments[i].largest_timestamp > config.retention_ms;
        });
        add(d, n, fmt::format("retention.ms {} breached", config.retention_ms));
    }
    if (config.cleanup_policy_delete && config.retention_bytes >= 0) {
        int64_t total = 0;
        for (size_t i = d.count; i < in.segments.size(); ++i) {
            total += in.segments[i].size;
        }
        int64_t excess = total - config.retention_bytes;
        size_t n = deletable_from(in, d.count, [&](size_t i) {
            if (excess - in.segments[i].size < 0) {
                return false;
            }
            excess -= in.segments[i].size;
            return true;
        });
        add(d, n, fmt::format("retention.bytes {} breached", config.retention_bytes));
    }
    size_t n = deletable_from(in, d.count, [&](size_t i) {
        return i + 1 < in.segments.size() && in.segments[i + 1].base_offset <= in.log_start_offset;
    });
    add(d, n, fmt::format("below log start offset {}", in.log_start_offset));
    return d;
}

}  // namespace samsa::log
