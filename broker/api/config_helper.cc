#include "broker/api/config_helper.h"

#include "broker/log/log_config.h"
#include "broker/server/kafka_config_keys.h"
#include "broker/server/log_config_defaults.h"

#include <map>
#include <variant>

namespace samsa::api {

namespace {

using server::ConfigMap;

// LogConfig.scala's ConfigDef types.
const std::map<std::string, ConfigType, std::less<>>& topic_types() {
    static const std::map<std::string, ConfigType, std::less<>> types = {
        {"cleanup.policy", ConfigType::list},
        {"compression.type", ConfigType::string},
        {"delete.retention.ms", ConfigType::long_type},
        {"file.delete.delay.ms", ConfigType::long_type},
        {"flush.messages", ConfigType::long_type},
        {"flush.ms", ConfigType::long_type},
        {"follower.replication.throttled.replicas", ConfigType::list},
        {"index.interval.bytes", ConfigType::int_type},
        {"leader.replication.throttled.replicas", ConfigType::list},
        {"max.compaction.lag.ms", ConfigType::long_type},
        {"max.message.bytes", ConfigType::int_type},
        {"message.downconversion.enable", ConfigType::boolean},
        {"message.format.version", ConfigType::string},
        {"message.timestamp.difference.max.ms", ConfigType::long_type},
        {"message.timestamp.type", ConfigType::string},
        {"min.cleanable.dirty.ratio", ConfigType::double_type},
        {"min.compaction.lag.ms", ConfigType::long_type},
        {"min.insync.replicas", ConfigType::int_type},
        {"preallocate", ConfigType::boolean},
        {"retention.bytes", ConfigType::long_type},
        {"retention.ms", ConfigType::long_type},
        {"segment.bytes", ConfigType::int_type},
        {"segment.index.bytes", ConfigType::int_type},
        {"segment.jitter.ms", ConfigType::long_type},
        {"segment.ms", ConfigType::long_type},
        {"unclean.leader.election.enable", ConfigType::boolean},
    };
    return types;
}

struct FieldType {
    using KafkaConfig = server::KafkaConfig;
    bool secret;
    ConfigType operator()(bool KafkaConfig::*) const { return ConfigType::boolean; }
    ConfigType operator()(int16_t KafkaConfig::*) const { return ConfigType::short_type; }
    ConfigType operator()(int32_t KafkaConfig::*) const { return ConfigType::int_type; }
    ConfigType operator()(int64_t KafkaConfig::*) const { return ConfigType::long_type; }
    ConfigType operator()(double KafkaConfig::*) const { return ConfigType::double_type; }
    ConfigType operator()(std::string KafkaConfig::*) const {
        return secret ? ConfigType::password : ConfigType::string;
    }
    ConfigType operator()(std::optional<std::string> KafkaConfig::*) const {
        return ConfigType::string;
    }
    ConfigType operator()(std::optional<int32_t> KafkaConfig::*) const {
        return ConfigType::int_type;
    }
    ConfigType operator()(std::vector<std::string> KafkaConfig::*) const {
        return ConfigType::list;
    }
    ConfigType operator()(const server::detail::Custom&) const { return ConfigType::string; }
};

ConfigType broker_config_type(const server::detail::ConfigKey& row) {
    return std::visit(FieldType{row.secret}, row.field);
}

bool is_sensitive_broker_key(std::string_view key) {
    return server::detail::is_secret_key(key);
}

// Kafka's configSynonyms: the value of each of `synonyms` at each level, by level first, then
// the entries before the first one named `name` dropped (a base key does not list the keys
// that only set it in other units when they come first).
std::vector<ConfigSynonym> config_synonyms(const std::string& name,
                                           const std::vector<std::string>& synonyms,
                                           const server::KafkaConfig& config,
                                           const server::DynamicBrokerConfigs& dynamic,
                                           bool sensitive) {
    std::vector<ConfigSynonym> all;
    auto add_from = [&](const ConfigMap& level, ConfigSource source) {
        for (const std::string& s : synonyms) {
            if (auto it = level.find(s); it != level.end()) {
                all.push_back({s, sensitive ? std::nullopt : std::optional(it->second), source});
            }
        }
    };
    add_from(dynamic.per_broker, ConfigSource::dynamic_broker);
    add_from(dynamic.cluster_default, ConfigSource::dynamic_default_broker);
    add_from(config.static_originals, ConfigSource::static_broker);
    for (const std::string& s : synonyms) {
        const auto* row = server::detail::find_key(s);
        if (row != nullptr && row->default_value) {
            all.push_back(
                {s, sensitive ? std::nullopt : std::optional(std::string(*row->default_value)),
                 ConfigSource::default_config});
        }
    }
    auto first = all.begin();
    while (first != all.end() && first->name != name) {
        ++first;
    }
    return {first, all.end()};
}

ConfigSource source_of(const std::vector<ConfigSynonym>& synonyms) {
    return synonyms.empty() ? ConfigSource::default_config : synonyms.front().source;
}

DescribedConfig broker_entry(const server::detail::ConfigKey& row,
                             const server::KafkaConfig& config,
                             const server::DynamicBrokerConfigs& dynamic,
                             std::optional<std::string> dynamic_value) {
    DescribedConfig c;
    c.name = std::string(row.name);
    c.is_sensitive = is_sensitive_broker_key(c.name);
    c.read_only = !server::is_dynamic_broker_config(c.name);
    c.type = broker_config_type(row);
    c.synonyms = config_synonyms(c.name, server::broker_config_synonyms(c.name), config, dynamic,
                                 c.is_sensitive);
    c.source = source_of(c.synonyms);
    if (!c.is_sensitive) {
        c.value = dynamic_value ? std::move(dynamic_value)
                                : std::optional(server::detail::format_value(row, config));
        if (c.value == "null") {
            c.value.reset();  // an unset optional key (broker.rack...)
        }
    }
    return c;
}

// The listener.name.<l>.<key> settings a broker has, from server.properties or its dynamic
// level (dynamic keystores): Kafka lists them among a broker's configs as they were given.
void add_listener_entries(const server::KafkaConfig& config,
                          const server::DynamicBrokerConfigs& dynamic,
                          std::vector<DescribedConfig>& out) {
    std::map<std::string, std::vector<ConfigSynonym>> entries;
    auto add_from = [&](const std::map<std::string, std::string>& level, ConfigSource source) {
        for (const auto& [key, value] : level) {
            if (key.starts_with("listener.name.")) {
                const bool sensitive = is_sensitive_broker_key(key);
                entries[key].push_back(
                    {key, sensitive ? std::nullopt : std::optional(value), source});
            }
        }
    };
    add_from(dynamic.per_broker, ConfigSource::dynamic_broker);
    add_from(config.listener_name_configs, ConfigSource::static_broker);
    for (auto& [key, synonyms] : entries) {
        DescribedConfig c;
        c.name = key;
        c.is_sensitive = is_sensitive_broker_key(key);
        c.read_only = !server::is_dynamic_broker_config(key);
        c.type = ConfigType::string;
        c.value = synonyms.front().value;
        c.source = synonyms.front().source;
        c.synonyms = std::move(synonyms);
        out.push_back(std::move(c));
    }
}

}  // namespace

ConfigType topic_config_type(std::string_view key) {
    auto it = topic_types().find(key);
    return it == topic_types().end() ? ConfigType::unknown : it->second;
}

std::vector<DescribedConfig> describe_topic_configs(const server::KafkaConfig& config,
                                                    const server::DynamicBrokerConfigs& dynamic,
                                                    const ConfigMap& topic_overrides) {
    const log::LogConfig static_defaults = server::log_config_defaults(config);
    auto broker_defaults =
        log::apply_topic_overrides(static_defaults, server::dynamic_log_overrides(dynamic));
    const log::LogConfig defaults = broker_defaults ? broker_defaults.value() : static_defaults;
    auto effective = log::apply_topic_overrides(defaults, topic_overrides);
    const ConfigMap values = log::to_config_map(effective ? effective.value() : defaults);

    std::vector<DescribedConfig> out;
    for (const auto& [name, value] : values) {
        DescribedConfig c;
        c.name = name;
        c.value = value;
        c.type = topic_config_type(name);
        if (auto it = topic_overrides.find(name); it != topic_overrides.end()) {
            c.value = it->second;  // as set: a list keeps its order ("delete,compact")
            c.synonyms.push_back({name, c.value, ConfigSource::dynamic_topic});
        }
        if (auto broker_key = log::server_config_name(name)) {
            const std::string key(*broker_key);
            auto broker =
                config_synonyms(key, server::broker_config_synonyms(key), config, dynamic, false);
            c.synonyms.insert(c.synonyms.end(), broker.begin(), broker.end());
        }
        c.source = source_of(c.synonyms);
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<DescribedConfig> describe_broker_configs(const server::KafkaConfig& config,
                                                     const server::DynamicBrokerConfigs& dynamic,
                                                     bool per_broker) {
    std::vector<DescribedConfig> out;
    for (const server::detail::ConfigKey& row : server::detail::config_keys()) {
        const std::string name(row.name);
        std::optional<std::string> dynamic_value;
        for (const ConfigMap* level : {&dynamic.per_broker, &dynamic.cluster_default}) {
            if (per_broker || level == &dynamic.cluster_default) {
                if (auto it = level->find(name); it != level->end() && !dynamic_value) {
                    dynamic_value = it->second;
                }
            }
        }
        if (!per_broker && !dynamic_value) {
            continue;  // resource "": only what the cluster default node sets
        }
        DescribedConfig c = broker_entry(row, config, dynamic, dynamic_value);
        if (!per_broker) {
            // Kafka's createBrokerConfigEntries keeps only the cluster default's own level:
            // the answer must not depend on which broker was asked.
            std::erase_if(c.synonyms, [](const ConfigSynonym& s) {
                return s.source != ConfigSource::dynamic_default_broker;
            });
            c.source = ConfigSource::dynamic_default_broker;
        }
        out.push_back(std::move(c));
    }
    if (per_broker) {
        add_listener_entries(config, dynamic, out);
    }
    return out;
}

}  // namespace samsa::api
