#pragma once
// What a Log read returns (Kafka's LogOffsetMetadata, FetchDataInfo, TimestampAndOffset).

#include "broker/protocol/records.h"

#include <cstdint>
#include <optional>

namespace samsa::log {

// An offset and where its batch starts on disk. Position -1 = unknown.
struct LogOffsetMetadata {
    int64_t message_offset = 0;
    int64_t segment_base_offset = -1;
    int32_t relative_position_in_segment = -1;
};

struct FetchDataInfo {
    LogOffsetMetadata fetch_offset_metadata;
    // File slices of one segment (empty when there is nothing to return). May end with a
    // partial batch, which clients skip.
    protocol::Records records;
    // The first batch is larger than the slice (only when min_one_batch is false).
    bool first_entry_incomplete = false;
};

// Whether a read may wait for the log's lock (see Log::read).
enum class ReadMode {
    may_block,     // the I/O pool, tests
    non_blocking,  // a network thread
};

// ListOffsets by time: the first offset whose timestamp >= the target.
struct TimestampAndOffset {
    int64_t timestamp = -1;
    int64_t offset = -1;
    std::optional<int32_t> leader_epoch;
};

}  // namespace samsa::log
