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
    int32_t record_count = 0;      // records appended (sum of batch record counts)
    int64_t max_timestamp = -1;
    int64_t offset_of_max_timestamp = -1;
    int32_t valid_bytes = 0;       // bytes written to the log
};

}  // namespace samsa::log
