#include "broker/api/config_admin.h"

#include "broker/log/log_config.h"
#include "broker/log/log_config_names.h"
#include "broker/server/dynamic_cleaner_config.h"
#include "broker/server/kafka_config_keys.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using server::ConfigMap;

auto& logger() {
    static auto l = get_logger("config");
    return *l;
}

std::string resource_text(ConfigResourceType type, const std::string& name) {
    return std::string("ConfigResource(type=") +
           (type == ConfigResourceType::topic ? "TOPIC" : "BROKER") + ", name='" + name + "')";
}

ConfigOutcome invalid_value(ConfigResourceType type, const std::string& name,
                            const std::string& why) {
    return {ErrorCode::invalid_request,
            "Invalid config value for resource " + resource_text(type, name) + ": " + why};
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        out.push_back(item);
    }
    return out;
}

std::string join_commas(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : ",") + i;
    }
    return out;
}

// Kafka's List.diff: each item of `removed` takes away one occurrence.
std::vector<std::string> subtract(std::vector<std::string> items,
                                  const std::vector<std::string>& removed) {
    for (const auto& r : removed) {
        if (auto it = std::find(items.begin(), items.end(), r); it != items.end()) {
            items.erase(it);
        }
    }
    return items;
}

}  // namespace

std::optional<bool> topic_list_type(std::string_view key) {
    const auto names = log::topic_config_names();
    if (std::find(names.begin(), names.end(), key) == names.end()) {
        return std::nullopt;
    }
    return key == "cleanup.policy" || key == "leader.replication.throttled.replicas" ||
           key == "follower.replication.throttled.replicas";
}

std::string topic_list_default(std::string_view key) {
    return key == "cleanup.policy" ? "delete" : "";
}

std::optional<bool> broker_list_type(std::string_view key) {
    const auto* row = server::detail::find_key(key);
    if (row == nullptr) {
        return std::nullopt;
    }
    return std::holds_alternative<std::vector<std::string> server::KafkaConfig::*>(row->field);
}

std::string broker_list_default(std::string_view key) {
    const auto* row = server::detail::find_key(key);
    return row != nullptr && row->default_value ? std::string(*row->default_value) : "";
}

std::variant<ConfigMap, ConfigOutcome> apply_incremental(const ConfigMap& current,
                                                         const std::vector<AlterableConfig>& ops,
                                                         ListTypeOf is_list,
                                                         ListDefaultOf list_default) {
    std::set<std::string> seen;
    for (const auto& op : ops) {
        if (!seen.insert(op.name).second) {
            return ConfigOutcome{ErrorCode::invalid_request, "Error due to duplicate config keys"};
        }
    }
    ConfigMap out = current;
    for (const auto& op : ops) {
        const std::string value = op.value.value_or("");
        switch (static_cast<AlterConfigOp>(op.op)) {
            case AlterConfigOp::set:
                out[op.name] = value;
                break;
            case AlterConfigOp::remove:
                out.erase(op.name);
                break;
            case AlterConfigOp::append:
            case AlterConfigOp::subtract: {
                const bool append = op.op == static_cast<int8_t>(AlterConfigOp::append);
                auto list = is_list(op.name);
                if (!list) {
                    return ConfigOutcome{ErrorCode::invalid_config,
                                         "Unknown topic config name: " + op.name};
                }
                if (!*list) {
                    return ConfigOutcome{ErrorCode::invalid_request,
                                         std::string("Config value ") +
                                             (append ? "append" : "subtract") +
                                             " is not allowed for config key: " + op.name};
                }
                auto it = out.find(op.name);
                if (append) {
                    auto items = split_commas(it != out.end() ? it->second : list_default(op.name));
                    auto added = split_commas(value);
                    items.insert(items.end(), added.begin(), added.end());
                    out[op.name] = join_commas(items);
                } else {
                    auto items =
                        it != out.end() ? split_commas(it->second) : std::vector<std::string>{};
                    out[op.name] = join_commas(subtract(items, split_commas(value)));
                }
                break;
            }
            default:
                return ConfigOutcome{ErrorCode::invalid_request,
                                     "Unknown config operation " + std::to_string(op.op)};
        }
    }
    return out;
}

ConfigOutcome validate_topic_config(const std::string& topic, const ConfigMap& config) {
    const auto names = log::topic_config_names();
    for (const auto& [key, value] : config) {
        if (std::find(names.begin(), names.end(), key) == names.end()) {
            return {ErrorCode::invalid_config, "Unknown topic config name: " + key};
        }
    }
    std::string why;
    if (!log::apply_topic_overrides(log::LogConfig{}, config, &why)) {
        return invalid_value(ConfigResourceType::topic, topic, why);
    }
    return {};
}

ConfigOutcome validate_broker_config(const std::string& name, int32_t broker_id,
                                     const ConfigMap& config) {
    if (!name.empty()) {
        int32_t id = -1;
        try {
            size_t used = 0;
            id = std::stoi(name, &used);
            if (used != name.size()) {
                throw std::invalid_argument(name);
            }
        } catch (const std::exception&) {
            return {ErrorCode::invalid_request, "Broker id must be an integer, but it is: " + name};
        }
        if (id != broker_id) {
            return {ErrorCode::invalid_request, "Unexpected broker id, expected " +
                                                    std::to_string(broker_id) + ", but received " +
                                                    name};
        }
    }
    if (auto why = server::validate_dynamic_broker_configs(config, name.empty())) {
        return invalid_value(ConfigResourceType::broker, name, *why);
    }
    return {};
}

std::string ConfigAdmin::broker_entity(const std::string& name) {
    return name.empty() ? std::string(server::kDefaultBrokerEntity) : name;
}

result<server::DynamicBrokerConfigs> ConfigAdmin::dynamic_broker_configs() {
    server::DynamicBrokerConfigs out;
    SAMSA_TRY(out.per_broker,
              zk_.get_entity_configs(zk::kConfigTypeBroker, std::to_string(broker_id_)));
    SAMSA_TRY(out.cluster_default,
              zk_.get_entity_configs(zk::kConfigTypeBroker, server::kDefaultBrokerEntity));
    return out;
}

result<std::optional<ConfigMap>> ConfigAdmin::topic_overrides(const std::string& topic) {
    SAMSA_TRY(auto stat, zk_.zookeeper_client().exists(zk::TopicZNode::path(topic)));
    if (!stat) {
        return std::optional<ConfigMap>();
    }
    SAMSA_TRY(auto config, zk_.get_topic_config(topic));
    return std::optional<ConfigMap>(std::move(config));
}

result<ConfigMap> ConfigAdmin::current(ConfigResourceType type, const std::string& name) {
    if (type == ConfigResourceType::topic) {
        return zk_.get_topic_config(name);
    }
    return zk_.get_entity_configs(zk::kConfigTypeBroker, broker_entity(name));
}

ConfigOutcome ConfigAdmin::validate_and_write(ConfigResourceType type, const std::string& name,
                                              const ConfigMap& config, bool validate_only) {
    ConfigOutcome outcome;
    if (type == ConfigResourceType::topic) {
        auto existing = topic_overrides(name);
        if (!existing) {
            return {ErrorCode::unknown_server_error, existing.error().message()};
        }
        if (!existing.value()) {
            return {ErrorCode::unknown_topic_or_partition,
                    "The topic '" + name + "' does not exist."};
        }
        outcome = validate_topic_config(name, config);
    } else {
        outcome = validate_broker_config(name, broker_id_, config);
        if (outcome.error == ErrorCode::none) {
            outcome = validate_cleaner_change(name, config);
        }
        // The key material is checked where it is used: on the broker the resource names.
        if (outcome.error == ErrorCode::none && !name.empty() && validate_ssl_) {
            if (auto why = validate_ssl_(config)) {
                outcome = invalid_value(ConfigResourceType::broker, name, *why);
            }
        }
    }
    if (outcome.error != ErrorCode::none || validate_only) {
        return outcome;
    }
    const auto entity_type =
        type == ConfigResourceType::topic ? zk::kConfigTypeTopic : zk::kConfigTypeBroker;
    const std::string entity = type == ConfigResourceType::topic ? name : broker_entity(name);
    if (auto w = zk_.change_entity_configs(entity_type, entity, config); !w) {
        return {ErrorCode::unknown_server_error, w.error().message()};
    }
    logger().info("updated {}/{} with new configuration ({} keys)", entity_type, entity,
                  config.size());
    return {};
}

ConfigOutcome ConfigAdmin::validate_cleaner_change(const std::string& name,
                                                   const ConfigMap& config) {
    if (static_config_ == nullptr) {
        return {};
    }
    auto levels = dynamic_broker_configs();
    if (!levels) {
        return {ErrorCode::unknown_server_error, levels.error().message()};
    }
    const server::DynamicBrokerConfigs current = levels.value();
    server::DynamicBrokerConfigs next = current;
    (name.empty() ? next.cluster_default : next.per_broker) = config;
    auto why = server::validate_cleaner_reconfiguration(
        server::effective_cleaner_config(*static_config_, current),
        server::effective_cleaner_config(*static_config_, next));
    if (why) {
        return invalid_value(ConfigResourceType::broker, name, *why);
    }
    return {};
}

ConfigOutcome ConfigAdmin::alter(ConfigResourceType type, const std::string& name,
                                 const ConfigMap& config, bool validate_only) {
    return validate_and_write(type, name, config, validate_only);
}

ConfigOutcome ConfigAdmin::incremental_alter(ConfigResourceType type, const std::string& name,
                                             const std::vector<AlterableConfig>& ops,
                                             bool validate_only) {
    auto existing = current(type, name);
    if (!existing) {
        return {ErrorCode::unknown_server_error, existing.error().message()};
    }
    const bool topic = type == ConfigResourceType::topic;
    auto next = apply_incremental(existing.value(), ops, topic ? topic_list_type : broker_list_type,
                                  topic ? topic_list_default : broker_list_default);
    if (auto* failed = std::get_if<ConfigOutcome>(&next)) {
        return *failed;
    }
    return validate_and_write(type, name, std::get<ConfigMap>(next), validate_only);
}

}  // namespace samsa::api
