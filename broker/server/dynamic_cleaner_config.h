#pragma once
// The log cleaner's dynamic settings (Kafka's LogCleaner.ReconfigurableConfigs):
// log.cleaner.threads, .dedupe.buffer.size, .io.buffer.load.factor, .io.buffer.size,
// .io.max.bytes.per.second and .backoff.ms. AlterConfigs sets them per broker or as the
// cluster default (dynamic_broker_config.h); each broker then restarts its cleaner threads
// with the new values (LogCleaner::reconfigure), as Kafka's LogCleaner.reconfigure does.
// log.cleaner.enable stays static, as in Kafka. Pure functions: callable from any thread.

#include "broker/log/cleaner_config.h"
#include "broker/server/dynamic_broker_config.h"
#include "broker/server/kafka_config.h"

#include <optional>
#include <string>
#include <string_view>

namespace samsa::server {

// True for the six keys above.
bool is_cleaner_reconfigurable(std::string_view key);

// The cleaner settings of a KafkaConfig (server.properties and Kafka's defaults).
log::CleanerConfig cleaner_config(const KafkaConfig& config);

// The settings in effect: per broker, then cluster default, then `static_config`. A dynamic
// value that does not parse is ignored (validation refuses such values before they are
// written; a hand-edited znode must not stop the broker).
log::CleanerConfig effective_cleaner_config(const KafkaConfig& static_config,
                                            const DynamicBrokerConfigs& dynamic);

// LogCleaner.validateReconfiguration: the thread count may change at most by half or double
// at a time and stays >= 1. Kafka's message, or nullopt when `next` may replace `current`.
std::optional<std::string> validate_cleaner_reconfiguration(const log::CleanerConfig& current,
                                                            const log::CleanerConfig& next);

}  // namespace samsa::server
