#pragma once
// Dynamic broker configs (the part of Kafka's DynamicBrokerConfig this broker applies): the
// settings AlterConfigs may change on running brokers, kept in ZooKeeper as
// /config/brokers/<id> (one broker) and /config/brokers/<default> (every broker). A value is
// taken from, in order: this broker's node, the cluster default node, server.properties,
// Kafka's default.
//
// The dynamic keys here are the broker-level log settings, the synonyms of topic configs
// (log.retention.ms / .minutes / .hours, log.segment.bytes, log.retention.bytes,
// message.max.bytes, min.insync.replicas, unclean.leader.election.enable, log.cleanup.policy,
// ...): they are every topic's defaults, so a change reaches every log without a restart;
// and the log cleaner's own settings (dynamic_cleaner_config.h), which restart its threads.
// Other keys the broker knows are refused ("Cannot update these configs dynamically"), as
// Kafka refuses its read-only ones; unknown keys are kept, as Kafka keeps them. Pure functions:
// callable from any thread.

#include "broker/log/log_config.h"
#include "broker/server/kafka_config.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::server {

using ConfigMap = std::map<std::string, std::string>;

// The entity name of the cluster-wide level (Kafka's ConfigEntityName.Default).
inline constexpr std::string_view kDefaultBrokerEntity = "<default>";

struct DynamicBrokerConfigs {
    ConfigMap per_broker;       // /config/brokers/<this broker's id>
    ConfigMap cluster_default;  // /config/brokers/<default>
};

// True for a reconfigurable SSL key, plain (ssl.keystore.location) or for one listener
// (listener.name.ssl.ssl.keystore.location).
bool is_dynamic_ssl_config(std::string_view key);
// True for the password-typed ones among them.
bool is_password_ssl_config(std::string_view key);

// `base` with this broker's dynamic SSL keys laid over it (other keys ignored). Throws
// ConfigError for a value the key's type refuses.
KafkaConfig with_dynamic_ssl(const KafkaConfig& base, const ConfigMap& per_broker);

// True for a key AlterConfigs may set on a broker resource.
bool is_dynamic_broker_config(std::string_view key);

// The broker keys that set the same value, highest precedence first (Kafka's
// brokerConfigSynonyms): log.retention.ms -> log.retention.ms, .minutes, .hours; log.roll.ms ->
// log.roll.ms, log.roll.hours; any other key -> itself.
std::vector<std::string> broker_config_synonyms(std::string_view key);

// Checks one level's new configs (per broker, or the cluster default when `cluster_default`);
// Kafka's message for the first problem ("Cannot update these configs dynamically:
// Set(broker.id)", "Invalid value ...", per-broker keys at the default level), or nullopt
// when they are acceptable. Listener key material is checked by DynamicListenerSsl.
std::optional<std::string> validate_dynamic_broker_configs(const ConfigMap& configs,
                                                           bool cluster_default = false);

// The topic-key values the dynamic levels put over the static log defaults: per-broker
// log.retention.hours=1 becomes retention.ms=3600000, unless a per-broker log.retention.ms is
// also set. Laid under a topic's own overrides, it gives the topic's effective config.
log::ConfigMap dynamic_log_overrides(const DynamicBrokerConfigs& dynamic);

}  // namespace samsa::server
