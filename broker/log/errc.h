#pragma once
// log::Errc: everything the log module can fail with, as a std::error_code category. The API
// layer maps these to Kafka error codes at its edge (the Kafka code is noted per line).

#include <system_error>

namespace samsa::log {

enum class Errc {
    success = 0,
    corrupt_message = 1,             // CORRUPT_MESSAGE (2): bad CRC or truncated batch
    message_too_large,               // MESSAGE_TOO_LARGE (10): batch > max.message.bytes
    record_list_too_large,           // RECORD_LIST_TOO_LARGE (18): batch > segment.bytes
    invalid_record,                  // INVALID_RECORD (87): violates a batch/record rule
    invalid_timestamp,               // INVALID_TIMESTAMP (32)
    unsupported_for_message_format,  // UNSUPPORTED_FOR_MESSAGE_FORMAT (43): magic != 2
    offset_out_of_range,             // OFFSET_OUT_OF_RANGE (1)
    unexpected_append_offset,        // follower append not above the log end offset
    storage_error,                   // KAFKA_STORAGE_ERROR (56): an I/O call failed
    invalid_config,                  // INVALID_CONFIG (40): bad topic config value/key
    log_dir_locked,                  // startup: another process owns the log dir
    inconsistent_broker_metadata,    // startup: meta.properties disagree across dirs
    corrupt_checkpoint,              // a checkpoint/properties file cannot be parsed
    log_closed,                      // the Log was closed or deleted
    would_block,                     // AppendMode::non_blocking: retry where blocking is fine
    cleaning_aborted,                // compaction: the log changed under the cleaner
    out_of_order_sequence,           // OUT_OF_ORDER_SEQUENCE_NUMBER (45): a producer's gap
    invalid_producer_epoch,          // INVALID_PRODUCER_EPOCH (47): an older producer epoch
};

const std::error_category& log_category();

inline std::error_code make_error_code(Errc e) {
    return {static_cast<int>(e), log_category()};
}

}  // namespace samsa::log

template <>
struct std::is_error_code_enum<samsa::log::Errc> : std::true_type {};
