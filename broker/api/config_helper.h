#pragma once
// ConfigHelper: what DescribeConfigs shows for a topic or a broker (Kafka's ConfigHelper and
// ZkAdminManager.createTopicConfigEntry / createBrokerConfigEntries, 2.8), computed from the
// broker's static configuration and the dynamic levels read from ZooKeeper. Pure: the caller
// reads ZooKeeper (on the I/O pool) and passes what it read.
//
// Each config carries its source, the level its value comes from:
//   topic override (/config/topics/<t>)           DYNAMIC_TOPIC_CONFIG          1
//   this broker's node (/config/brokers/<id>)      DYNAMIC_BROKER_CONFIG         2
//   cluster default (/config/brokers/<default>)    DYNAMIC_DEFAULT_BROKER_CONFIG 3
//   server.properties / --override                 STATIC_BROKER_CONFIG          4
//   Kafka's default                                DEFAULT_CONFIG                5
// and, on request, its synonyms: the value at every level where it (or a broker key that sets
// it: log.retention.hours for retention.ms) is set, highest precedence first. Sensitive configs
// (passwords, keys) have a null value everywhere: the secret never leaves the broker.

#include "broker/server/dynamic_broker_config.h"
#include "broker/server/kafka_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::api {

enum class ConfigSource : int8_t {
    unknown = 0,
    dynamic_topic = 1,
    dynamic_broker = 2,
    dynamic_default_broker = 3,
    static_broker = 4,
    default_config = 5,
};

// Kafka's ConfigEntry.ConfigType on the wire (DescribeConfigs v3+).
enum class ConfigType : int8_t {
    unknown = 0,
    boolean = 1,
    string = 2,
    int_type = 3,
    short_type = 4,
    long_type = 5,
    double_type = 6,
    list = 7,
    class_type = 8,
    password = 9,
};

struct ConfigSynonym {
    std::string name;
    std::optional<std::string> value;  // null when sensitive
    ConfigSource source = ConfigSource::unknown;
};

struct DescribedConfig {
    std::string name;
    std::optional<std::string> value;  // null when sensitive
    ConfigSource source = ConfigSource::default_config;
    bool read_only = false;
    bool is_sensitive = false;
    ConfigType type = ConfigType::unknown;
    std::vector<ConfigSynonym> synonyms;  // always computed; the handler drops them if unasked
};

// Every topic config with its effective value: `topic_overrides` over the dynamic broker
// levels over the static log defaults.
std::vector<DescribedConfig> describe_topic_configs(const server::KafkaConfig& config,
                                                    const server::DynamicBrokerConfigs& dynamic,
                                                    const server::ConfigMap& topic_overrides);

// `per_broker`: every broker config, as resource "<id>" shows them; otherwise only the cluster
// defaults set in /config/brokers/<default>, as resource "" shows them.
std::vector<DescribedConfig> describe_broker_configs(const server::KafkaConfig& config,
                                                     const server::DynamicBrokerConfigs& dynamic,
                                                     bool per_broker);

// The type of a topic config (unknown for a key topics do not have).
ConfigType topic_config_type(std::string_view key);

}  // namespace samsa::api
