#pragma once
// The Java exception a Kafka tool prints for an error code, as `e.getCause.toString` shows it:
// "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host
// this topic-partition." (DeleteRecordsCommand, ConfigCommand's failures).

#include <cstdint>
#include <optional>
#include <string>

namespace samsa::admin {

// The simple class name (Errors.java's exception for the code): "OffsetOutOfRangeException".
std::string exception_class(int16_t code);

// "org.apache.kafka.common.errors.<class>: <the broker's message or the standard text>".
std::string kafka_exception_text(int16_t code, const std::optional<std::string>& broker_message);

}  // namespace samsa::admin
