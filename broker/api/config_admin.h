#pragma once
// ConfigAdmin: the config half of Kafka's ZkAdminManager — DescribeConfigs' reads and
// AlterConfigs / IncrementalAlterConfigs' validation and writes, for topics and brokers.
//
// A change is written the way Kafka's AdminZkClient writes it: the whole entity node
// (/config/topics/<t>, /config/brokers/<id> or /config/brokers/<default>,
// {"version":1,"config":{...}}), then /config/changes/config_change_<seq>
// ({"version":2,"entity_path":"topics/<t>"}), which every broker's DynamicConfigManager sees:
// the logs take the new config without a restart.
//
// Errors as Kafka 2.8 answers them: an unknown topic config name is INVALID_CONFIG; a bad value
// or a broker key that cannot change at runtime is INVALID_REQUEST ("Invalid config value for
// resource ..."); a topic that does not exist is UNKNOWN_TOPIC_OR_PARTITION; a broker resource
// naming another broker is INVALID_REQUEST. No alter.config.policy.class.name exists here, so
// POLICY_VIOLATION never happens.
//
// Thread-safe; every method that takes a ZooKeeper client may block on it: I/O pool only.

#include "broker/protocol/error_code.h"
#include "broker/server/dynamic_broker_config.h"
#include "common/result.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace samsa::zk {
class KafkaZkClient;
}
namespace samsa::server {
struct KafkaConfig;
}

namespace samsa::api {

// Kafka's ConfigResource.Type ids.
enum class ConfigResourceType : int8_t { unknown = 0, topic = 2, broker = 4, broker_logger = 8 };

// Kafka's AlterConfigOp.OpType ids (IncrementalAlterConfigs).
enum class AlterConfigOp : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

struct AlterableConfig {
    std::string name;
    int8_t op = 0;  // AlterConfigOp, unchecked: the request may carry anything
    std::optional<std::string> value;
};

struct ConfigOutcome {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::optional<std::string> message;
};

// The new entity config from `current` and IncrementalAlterConfigs' `ops` (Kafka's
// prepareIncrementalConfigs): SET and DELETE on any key; APPEND and SUBTRACT on LIST configs
// only, APPEND starting from `list_default(key)` when the key is not set. `is_list` says
// whether a key is a LIST (nullopt: not a key of the resource type).
using ListTypeOf = std::optional<bool> (*)(std::string_view key);
using ListDefaultOf = std::string (*)(std::string_view key);
std::variant<server::ConfigMap, ConfigOutcome> apply_incremental(
    const server::ConfigMap& current, const std::vector<AlterableConfig>& ops, ListTypeOf is_list,
    ListDefaultOf list_default);

// Whether topic / broker keys are LIST configs, and the LIST default APPEND starts from.
std::optional<bool> topic_list_type(std::string_view key);
std::string topic_list_default(std::string_view key);
std::optional<bool> broker_list_type(std::string_view key);
std::string broker_list_default(std::string_view key);

// Validates a topic's whole new config; ConfigOutcome{} when acceptable.
ConfigOutcome validate_topic_config(const std::string& topic, const server::ConfigMap& config);
// Validates a broker resource's new config: `name` must be "" (cluster default) or
// `broker_id`.
ConfigOutcome validate_broker_config(const std::string& name, int32_t broker_id,
                                     const server::ConfigMap& config);

// Why this broker's new per-broker config cannot be applied to its TLS listeners, or nullopt
// (DynamicListenerSsl::validate, through BrokerServices).
using ListenerSslValidator =
    std::function<std::optional<std::string>(const server::ConfigMap& per_broker)>;

class ConfigAdmin {
  public:
    // With `static_config` (this broker's server.properties), a broker resource's change to
    // the log.cleaner.* settings is also checked against the cleaner's current settings
    // (LogCleaner.validateReconfiguration: thread count halved or doubled at most), and with
    // `validate_ssl` its listeners' key material (dynamic keystores).
    ConfigAdmin(zk::KafkaZkClient& zk, int32_t broker_id,
                const server::KafkaConfig* static_config = nullptr,
                ListenerSslValidator validate_ssl = {})
        : zk_(zk),
          broker_id_(broker_id),
          static_config_(static_config),
          validate_ssl_(std::move(validate_ssl)) {}

    // AlterConfigs: `config` replaces the resource's dynamic config.
    ConfigOutcome alter(ConfigResourceType type, const std::string& name,
                        const server::ConfigMap& config, bool validate_only);
    // IncrementalAlterConfigs: `ops` on the resource's current dynamic config.
    ConfigOutcome incremental_alter(ConfigResourceType type, const std::string& name,
                                    const std::vector<AlterableConfig>& ops, bool validate_only);

    // The dynamic broker levels for this broker.
    result<server::DynamicBrokerConfigs> dynamic_broker_configs();
    // A topic's overrides; nullopt when the topic does not exist.
    result<std::optional<server::ConfigMap>> topic_overrides(const std::string& topic);

  private:
    // The entity name under /config/brokers for a broker resource name ("" = <default>).
    static std::string broker_entity(const std::string& name);
    result<server::ConfigMap> current(ConfigResourceType type, const std::string& name);
    ConfigOutcome validate_and_write(ConfigResourceType type, const std::string& name,
                                     const server::ConfigMap& config, bool validate_only);
    // The cleaner's reconfiguration check for a broker resource's new `config`.
    ConfigOutcome validate_cleaner_change(const std::string& name, const server::ConfigMap& config);

    zk::KafkaZkClient& zk_;
    const int32_t broker_id_;
    const server::KafkaConfig* const static_config_;
    ListenerSslValidator validate_ssl_;
};

}  // namespace samsa::api
