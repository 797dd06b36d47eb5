#pragma once
// The broker-level log.* settings as the default LogConfig of every topic (Kafka's
// LogConfig.extractLogConfigMap / KafkaServer.copyKafkaConfigToLog).

#include "broker/log/log_config.h"
#include "broker/server/kafka_config.h"

namespace samsa::server {

log::LogConfig log_config_defaults(const KafkaConfig& config);

}  // namespace samsa::server
