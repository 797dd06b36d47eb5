#pragma once
// LogValidator: the checks and in-place rewrites of Kafka's Log.analyzeAndValidateRecords and
// LogValidator for the two ways batches enter a log (ZK-MODE.md §e):
//
//  - from a producer (leader): exactly one v2 batch, checked completely before anything is
//    written, then patched in place: base offset, partition leader epoch, and timestamps
//    (LogAppendTime topics, or a CreateTime batch whose header max is wrong). The CRC is
//    recomputed only when the attributes or maxTimestamp changed. Compressed batches are
//    decompressed only for compacted topics, whose records must all have keys (Kafka:
//    "Compacted topic cannot accept message without key", INVALID_RECORD).
//  - from the leader (follower): whole batches with the leader's offsets, CRC checked, offsets
//    strictly increasing; a partial trailing batch (a size-limited fetch) is dropped.
//
// Not implemented here (yet): idempotent/transactional producer state (sequence numbers,
// epochs) and re-compression for a topic compression.type other than "producer".
// Stateless and thread-safe.

#include "broker/log/log_config.h"
#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <span>

namespace samsa::log {

// A producer batch that passed validation, and what the rewrite must do to it.
struct ValidatedBatch {
    int32_t size = 0;
    int32_t record_count = 0;
    int64_t max_timestamp = -1;  // the value the header must end up with
    int32_t offset_delta_of_max_timestamp = 0;
    bool log_append_time = false;  // the topic stamps the batch with now
};

// Checks a producer's records field for this topic at time `now_ms`. Touches nothing.
// Errors, in Kafka's order: invalid_record (baseOffset != 0), unsupported_for_message_format
// (magic != 2), corrupt_message (truncated or bad CRC), message_too_large,
// record_list_too_large, invalid_record (more than one batch, bad counts, control batch,
// producerId without sequence, malformed records), invalid_timestamp.
result<ValidatedBatch> validate_producer_batch(std::span<const uint8_t> bytes,
                                               const LogConfig& config, int64_t now_ms);

// Patches a validated batch in place for appending at `base_offset`.
void assign_offsets_and_timestamps(std::span<uint8_t> bytes, const ValidatedBatch& batch,
                                   int64_t base_offset, int32_t leader_epoch, int64_t now_ms);

// A follower's records field that passed validation.
struct ValidatedFollowerBatches {
    int32_t valid_bytes = 0;  // complete batches; the rest is a partial tail to drop
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    int32_t record_count = 0;
    int64_t max_timestamp = -1;
    int64_t offset_of_max_timestamp = -1;
};

// Checks replicated batches that must start at or after `log_end_offset`. Errors:
// unsupported_for_message_format, corrupt_message, record_list_too_large,
// unexpected_append_offset (offsets not above the log end or not increasing).
result<ValidatedFollowerBatches> validate_follower_batches(std::span<const uint8_t> bytes,
                                                           const LogConfig& config,
                                                           int64_t log_end_offset);

}  // namespace samsa::log
