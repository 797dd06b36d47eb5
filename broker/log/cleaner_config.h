#pragma once
// CleanerConfig: the broker-wide log.cleaner.* settings (Kafka's CleanerConfig). The per-topic
// ones (min.cleanable.dirty.ratio, delete.retention.ms, min/max.compaction.lag.ms) are in
// LogConfig and are read afresh on every cleaning pass.

#include <cstdint>
#include <limits>

namespace samsa::log {

struct CleanerConfig {
    bool enable = true;       // log.cleaner.enable
    int32_t num_threads = 1;  // log.cleaner.threads
    int64_t dedupe_buffer_size =
        128LL * 1024 * 1024;                 // log.cleaner.dedupe.buffer.size (all threads)
    double dedupe_buffer_load_factor = 0.9;  // log.cleaner.io.buffer.load.factor
    int32_t io_buffer_size = 512 * 1024;     // log.cleaner.io.buffer.size
    double max_io_bytes_per_second =         // log.cleaner.io.max.bytes.per.second
        std::numeric_limits<double>::max();
    int64_t backoff_ms = 15000;  // log.cleaner.backoff.ms

    bool operator==(const CleanerConfig&) const = default;
};

inline const char* const kCleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";

}  // namespace samsa::log
