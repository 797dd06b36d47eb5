#include "broker/log/log_validator.h"

#include "broker/log/errc.h"
#include "broker/protocol/compression.h"
#include "broker/protocol/record_batch.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace samsa::log {

using protocol::CompressionType;
using protocol::MutableRecordBatchView;
using protocol::RecordBatchView;
using protocol::TimestampType;

namespace {

std::error_code reject(Errc code, const std::string& why) {
    get_logger("log")->debug("rejected produce batch: {}", why);
    return code;
}

bool timestamp_in_range(int64_t ts, int64_t now_ms, int64_t max_diff) {
    if (max_diff == kLongMax || ts == -1) {
        return true;  // -1 = NO_TIMESTAMP, never checked
    }
    int64_t diff = 0;
    if (__builtin_sub_overflow(ts, now_ms, &diff) || diff == INT64_MIN) {
        return false;  // farther apart than any int64 limit
    }
    return (diff < 0 ? -diff : diff) <= max_diff;
}

// The fixed header checks of LogValidator.validateBatch for client batches.
result<void> validate_header(const RecordBatchView& batch) {
    int64_t count_from_offsets = int64_t{batch.last_offset_delta()} + 1;
    if (count_from_offsets <= 0 || batch.record_count() <= 0 ||
        count_from_offsets != batch.record_count()) {
        return reject(Errc::invalid_record,
                      fmt::format("lastOffsetDelta {} does not match recordCount {}",
                                  batch.last_offset_delta(), batch.record_count()));
    }
    if (batch.is_control()) {
        return reject(Errc::invalid_record, "clients may not write control batches");
    }
    if (batch.has_producer_id() && batch.base_sequence() < 0) {
        return reject(Errc::invalid_record, "producerId set without a base sequence");
    }
    if (batch.timestamp_type() == TimestampType::log_append_time) {
        return reject(Errc::invalid_timestamp, "producer set the LogAppendTime attribute");
    }
    return success();
}

// Walks an uncompressed batch's records: count, offset deltas, keys, timestamps.
result<void> validate_records(const RecordBatchView& batch, const LogConfig& config, int64_t now_ms,
                              ValidatedBatch& out) {
    protocol::RecordIterator it(batch);
    protocol::Record r;
    int32_t n = 0;
    int64_t max_ts = -1;
    bool check_time = config.message_timestamp_type == TimestampType::create_time;
    while (it.next(r)) {
        if (r.offset_delta != n) {
            return reject(Errc::invalid_record,
                          fmt::format("record {} has offsetDelta {}", n, r.offset_delta));
        }
        if (config.cleanup_policy_compact && !r.key) {
            return reject(Errc::invalid_record,
                          "Compacted topic cannot accept message without key");
        }
        int64_t ts = 0;
        if (__builtin_add_overflow(batch.base_timestamp(), r.timestamp_delta, &ts)) {
            return reject(Errc::invalid_timestamp,
                          fmt::format("record {}: timestampDelta {} overflows baseTimestamp {}", n,
                                      r.timestamp_delta, batch.base_timestamp()));
        }
        if (check_time &&
            !timestamp_in_range(ts, now_ms, config.message_timestamp_difference_max_ms)) {
            return reject(Errc::invalid_timestamp,
                          fmt::format("timestamp {} too far from now {}", ts, now_ms));
        }
        if (ts > max_ts) {
            max_ts = ts;
            out.offset_delta_of_max_timestamp = n;
        }
        ++n;
    }
    if (it.malformed() || !it.at_end() || n != batch.record_count()) {
        return reject(Errc::invalid_record,
                      fmt::format("malformed records: read {} of {}", n, batch.record_count()));
    }
    out.max_timestamp = max_ts;
    return success();
}

// A compacted topic's compressed batch: every record must have a key.
result<void> check_compressed_keys(const RecordBatchView& batch) {
    bool keyless = false;
    auto walked = protocol::for_each_record(
        batch, [&](const protocol::Record& r) { keyless = keyless || !r.key; });
    if (!walked) {
        return reject(Errc::corrupt_message,
                      fmt::format("cannot decompress: {}", walked.error().message()));
    }
    if (!walked.value()) {
        return reject(Errc::invalid_record, "malformed compressed records");
    }
    if (keyless) {
        return reject(Errc::invalid_record, "Compacted topic cannot accept message without key");
    }
    return success();
}

// The single batch of a producer's records field, checked for size and CRC.
result<RecordBatchView> single_batch(std::span<const uint8_t> bytes, const LogConfig& config) {
    if (bytes.size() < static_cast<size_t>(protocol::kRecordBatchHeaderSize)) {
        return reject(Errc::corrupt_message, fmt::format("only {} bytes", bytes.size()));
    }
    RecordBatchView batch(bytes);
    if (batch.base_offset() != 0) {
        return reject(Errc::invalid_record, fmt::format("baseOffset {}", batch.base_offset()));
    }
    if (batch.magic() != protocol::kMagicV2) {
        return reject(Errc::unsupported_for_message_format, fmt::format("magic {}", batch.magic()));
    }
    int64_t size = int64_t{batch.batch_length()} + protocol::kLogOverhead;
    if (size < protocol::kRecordBatchHeaderSize || size > static_cast<int64_t>(bytes.size())) {
        return reject(Errc::corrupt_message,
                      fmt::format("batch of {} bytes in {} bytes", size, bytes.size()));
    }
    if (size > config.max_message_bytes) {
        return reject(Errc::message_too_large,
                      fmt::format("batch of {} bytes > max.message.bytes {}", size,
                                  config.max_message_bytes));
    }
    RecordBatchView whole(bytes.first(static_cast<size_t>(size)));
    if (!whole.is_valid_crc()) {
        return reject(Errc::corrupt_message, "CRC-32C mismatch");
    }
    if (size > config.segment_bytes) {
        return reject(Errc::record_list_too_large, fmt::format("batch of {} bytes", size));
    }
    if (static_cast<size_t>(size) != bytes.size()) {
        return reject(Errc::invalid_record, "more than one batch (or trailing bytes)");
    }
    return whole;
}

}  // namespace

result<ValidatedBatch> validate_producer_batch(std::span<const uint8_t> bytes,
                                               const LogConfig& config, int64_t now_ms) {
    SAMSA_TRY(RecordBatchView batch, single_batch(bytes, config));
    SAMSA_TRY(validate_header(batch));
    ValidatedBatch out;
    out.size = batch.size_in_bytes();
    out.record_count = batch.record_count();
    out.log_append_time = config.message_timestamp_type == TimestampType::log_append_time;
    if (batch.compression() == CompressionType::none) {
        SAMSA_TRY(validate_records(batch, config, now_ms, out));
    } else {
        // Compressed: only compacted topics look inside, for keyless records (Kafka's
        // LogValidator decompresses every batch; we do it only where a rule needs it).
        if (config.cleanup_policy_compact) {
            SAMSA_TRY(check_compressed_keys(batch));
        }
        out.max_timestamp = batch.max_timestamp();
        out.offset_delta_of_max_timestamp = batch.last_offset_delta();
        if (!out.log_append_time &&
            !timestamp_in_range(out.max_timestamp, now_ms,
                                config.message_timestamp_difference_max_ms)) {
            return reject(Errc::invalid_timestamp, "batch max timestamp too far from now");
        }
    }
    if (out.log_append_time) {
        out.max_timestamp = now_ms;
        out.offset_delta_of_max_timestamp = 0;
    }
    return out;
}

void assign_offsets_and_timestamps(std::span<uint8_t> bytes, const ValidatedBatch& batch,
                                   int64_t base_offset, int32_t leader_epoch, int64_t now_ms) {
    MutableRecordBatchView view(bytes.first(static_cast<size_t>(batch.size)));
    view.set_base_offset(base_offset);
    view.set_partition_leader_epoch(leader_epoch);
    if (batch.log_append_time) {
        view.set_max_timestamp(TimestampType::log_append_time, now_ms);
    } else if (view.compression() == CompressionType::none) {
        view.set_max_timestamp(TimestampType::create_time, batch.max_timestamp);
    }
}

result<ValidatedFollowerBatches> validate_follower_batches(std::span<const uint8_t> bytes,
                                                           const LogConfig& config,
                                                           int64_t log_end_offset) {
    ValidatedFollowerBatches out;
    protocol::RecordBatchIterator it(bytes);
    int64_t next = log_end_offset;
    while (auto batch = it.next()) {
        if (batch->magic() != protocol::kMagicV2) {
            return reject(Errc::unsupported_for_message_format, "follower batch magic");
        }
        if (!batch->is_valid_crc()) {
            return reject(Errc::corrupt_message, "follower batch CRC-32C mismatch");
        }
        if (batch->size_in_bytes() > config.segment_bytes) {
            return reject(Errc::record_list_too_large, "follower batch > segment.bytes");
        }
        if (batch->base_offset() < next || batch->last_offset_delta() < 0 ||
            batch->base_offset() > kLongMax - 1 - batch->last_offset_delta()) {
            // The last check keeps last_offset() and next_offset() below: no int64 overflow.
            return reject(Errc::unexpected_append_offset,
                          fmt::format("follower batch at {} (lastOffsetDelta {}) below next "
                                      "offset {} or past the largest offset",
                                      batch->base_offset(), batch->last_offset_delta(), next));
        }
        if (batch->record_count() < 0) {
            return reject(Errc::corrupt_message,
                          fmt::format("follower batch recordCount {}", batch->record_count()));
        }
        if (out.first_offset < 0) {
            out.first_offset = batch->base_offset();
        }
        out.last_offset = batch->last_offset();
        // Saturates: a fetch may carry more than INT32_MAX records in total (counts are the
        // leader's, only bounded by each batch's offset range).
        out.record_count = static_cast<int32_t>(
            std::min<int64_t>(int64_t{out.record_count} + batch->record_count(), INT32_MAX));
        if (batch->max_timestamp() > out.max_timestamp) {
            out.max_timestamp = batch->max_timestamp();
            out.offset_of_max_timestamp = batch->last_offset();
        }
        next = batch->next_offset();
    }
    if (it.stop() == protocol::RecordBatchIterator::Stop::corrupt) {
        return reject(Errc::corrupt_message, "follower batch with impossible length");
    }
    out.valid_bytes = static_cast<int32_t>(it.position());
    return out;
}

}  // namespace samsa::log
