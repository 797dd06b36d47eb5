#pragma once
// The one place where module errors become Kafka error codes (the API edge). Partitions and
// the log report std::error_codes of their own categories; responses carry ErrorCode.

#include "broker/log/errc.h"
#include "broker/protocol/error_code.h"

#include <system_error>

namespace samsa::api {

constexpr protocol::ErrorCode to_kafka(log::Errc e) {
    using protocol::ErrorCode;
    switch (e) {
        case log::Errc::success:
            return ErrorCode::none;
        case log::Errc::corrupt_message:
            return ErrorCode::corrupt_message;
        case log::Errc::message_too_large:
            return ErrorCode::message_too_large;
        case log::Errc::record_list_too_large:
            return ErrorCode::record_list_too_large;
        case log::Errc::invalid_record:
            return ErrorCode::invalid_record;
        case log::Errc::invalid_timestamp:
            return ErrorCode::invalid_timestamp;
        case log::Errc::unsupported_for_message_format:
            return ErrorCode::unsupported_for_message_format;
        case log::Errc::offset_out_of_range:
            return ErrorCode::offset_out_of_range;
        case log::Errc::invalid_config:
            return ErrorCode::invalid_config;
        case log::Errc::storage_error:
            return ErrorCode::kafka_storage_error;
        case log::Errc::log_closed:
            return ErrorCode::not_leader_or_follower;
        case log::Errc::out_of_order_sequence:
            return ErrorCode::out_of_order_sequence_number;
        case log::Errc::invalid_producer_epoch:
            return ErrorCode::invalid_producer_epoch;
        default:
            return ErrorCode::unknown_server_error;
    }
}

inline protocol::ErrorCode to_kafka(const std::error_code& ec) {
    if (!ec) {
        return protocol::ErrorCode::none;
    }
    if (ec.category() == protocol::kafka_category()) {
        return static_cast<protocol::ErrorCode>(ec.value());
    }
    if (ec.category() == log::log_category()) {
        return to_kafka(static_cast<log::Errc>(ec.value()));
    }
    return protocol::ErrorCode::unknown_server_error;
}

inline int16_t code(protocol::ErrorCode e) {
    return static_cast<int16_t>(e);
}

}  // namespace samsa::api
