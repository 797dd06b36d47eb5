#include "broker/server/dynamic_broker_config.h"

#include "broker/log/log_config_names.h"
#include "broker/server/dynamic_cleaner_config.h"
#include "broker/server/kafka_config_keys.h"

#include <array>
#include <charconv>
#include <set>

namespace samsa::server {

namespace {

// A broker key that sets a topic default in other units: its topic key and the factor to ms.
struct UnitSynonym {
    std::string_view key;
    std::string_view topic_key;
    int64_t factor;
};
constexpr UnitSynonym kUnitSynonyms[] = {
    {"log.retention.minutes", "retention.ms", 60'000},
    {"log.retention.hours", "retention.ms", 3'600'000},
    {"log.roll.hours", "segment.ms", 3'600'000},
    {"log.roll.jitter.hours", "segment.jitter.ms", 3'600'000},
};

// Topic keys whose broker synonym is not a broker setting (throttled replica lists), or is
// not dynamic in Kafka either (the message format follows inter.broker.protocol.version).
bool excluded_topic_key(std::string_view topic_key) {
    return topic_key == "message.format.version" ||
           topic_key == "leader.replication.throttled.replicas" ||
           topic_key == "follower.replication.throttled.replicas";
}

// Broker key -> topic key, for the dynamic log settings given in the topic's own unit.
const std::map<std::string, std::string, std::less<>>& direct_synonyms() {
    static const auto table = [] {
        std::map<std::string, std::string, std::less<>> t;
        for (const std::string& topic_key : log::topic_config_names()) {
            auto broker_key = log::server_config_name(topic_key);
            if (broker_key && !excluded_topic_key(topic_key)) {
                t.emplace(std::string(*broker_key), topic_key);
            }
        }
        return t;
    }();
    return table;
}

const UnitSynonym* unit_synonym(std::string_view key) {
    for (const auto& u : kUnitSynonyms) {
        if (u.key == key) {
            return &u;
        }
    }
    return nullptr;
}

// `key`'s value as its topic key's value, or nullopt when `key` sets no topic default.
std::optional<std::pair<std::string, std::string>> as_topic_value(std::string_view key,
                                                                  const std::string& value) {
    if (auto it = direct_synonyms().find(key); it != direct_synonyms().end()) {
        return std::make_pair(it->second, value);
    }
    const UnitSynonym* u = unit_synonym(key);
    if (u == nullptr) {
        return std::nullopt;
    }
    const std::string text = detail::trim(value);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    // Negative retention means "forever" (-1), whatever the unit
    // (KafkaConfig.logRetentionTimeMillis).
    const int64_t ms = n < 0 ? -1 : n * u->factor;
    return std::make_pair(std::string(u->topic_key), std::to_string(ms));
}

// Kafka's SslConfigs.RECONFIGURABLE_CONFIGS (2.8, PEM included).
constexpr std::array<std::string_view, 10> kReconfigurable = {
    "ssl.keystore.type",       "ssl.keystore.location",
    "ssl.keystore.password",   "ssl.key.password",
    "ssl.truststore.type",     "ssl.truststore.location",
    "ssl.truststore.password", "ssl.keystore.certificate.chain",
    "ssl.keystore.key",        "ssl.truststore.certificates"};

constexpr std::string_view kListenerPrefix = "listener.name.";

// The SSL key `key` sets: itself, or the tail of listener.name.<l>.<ssl key>.
std::string_view base_key(std::string_view key) {
    if (key.starts_with(kListenerPrefix)) {
        key.remove_prefix(kListenerPrefix.size());
        const size_t dot = key.find('.');
        return dot == std::string_view::npos ? std::string_view{} : key.substr(dot + 1);
    }
    return key;
}

}  // namespace

bool is_dynamic_ssl_config(std::string_view key) {
    const std::string_view base = base_key(key);
    for (std::string_view k : kReconfigurable) {
        if (base == k) {
            return true;
        }
    }
    return false;
}

bool is_password_ssl_config(std::string_view key) {
    const std::string_view base = base_key(key);
    return is_dynamic_ssl_config(key) &&
           (base == "ssl.keystore.password" || base == "ssl.key.password" ||
            base == "ssl.truststore.password" || base == "ssl.keystore.key");
}

KafkaConfig with_dynamic_ssl(const KafkaConfig& base, const ConfigMap& per_broker) {
    KafkaConfig out = base;
    for (const auto& [key, value] : per_broker) {
        if (!is_dynamic_ssl_config(key)) {
            continue;
        }
        if (key.starts_with(kListenerPrefix)) {
            out.listener_name_configs[key] = value;
        } else if (const detail::ConfigKey* row = detail::find_key(key)) {
            detail::apply(*row, value, out);
        }
    }
    return out;
}

bool is_dynamic_broker_config(std::string_view key) {
    return direct_synonyms().contains(key) || unit_synonym(key) != nullptr ||
           is_dynamic_ssl_config(key) || is_cleaner_reconfigurable(key);
}

std::vector<std::string> broker_config_synonyms(std::string_view key) {
    if (key == "log.retention.ms") {
        return {"log.retention.ms", "log.retention.minutes", "log.retention.hours"};
    }
    if (key == "log.roll.ms") {
        return {"log.roll.ms", "log.roll.hours"};
    }
    if (key == "log.roll.jitter.ms") {
        return {"log.roll.jitter.ms", "log.roll.jitter.hours"};
    }
    return {std::string(key)};
}

std::optional<std::string> validate_dynamic_broker_configs(const ConfigMap& configs,
                                                           bool cluster_default) {
    std::set<std::string> read_only;
    std::set<std::string> per_broker_only;
    for (const auto& [key, value] : configs) {
        if (detail::find_key(key) != nullptr && !is_dynamic_broker_config(key)) {
            read_only.insert(key);
        }
        if (is_dynamic_ssl_config(key)) {
            per_broker_only.insert(key);
        }
    }
    if (!read_only.empty()) {
        return "Cannot update these configs dynamically: Set(" + detail::join(read_only, ", ") +
               ")";
    }
    if (cluster_default && !per_broker_only.empty()) {
        return "Cannot update these configs at default cluster level, broker id must be "
               "specified: Set(" +
               detail::join(per_broker_only, ", ") + ")";
    }
    for (const std::string& key : per_broker_only) {
        // Kafka keeps these encrypted with password.encoder.secret; never in clear.
        if (is_password_ssl_config(key)) {
            return "Cannot update password config " + key +
                   " dynamically: password.encoder.secret is not supported, so it cannot be "
                   "stored encrypted (use an unencrypted PEM key file readable only by the "
                   "broker, or change server.properties and restart)";
        }
    }
    KafkaConfig scratch;
    for (const auto& [key, value] : configs) {
        if (const detail::ConfigKey* row = detail::find_key(key)) {
            try {
                detail::apply(*row, value, scratch);
            } catch (const ConfigError& e) {
                return std::string(e.what());
            }
        }
        // The topic-level bounds too (segment.bytes >= 14...): the value becomes a topic default.
        if (auto topic = as_topic_value(key, value)) {
            std::string why;
            if (!log::apply_topic_overrides(log::LogConfig{}, {*topic}, &why)) {
                return why;
            }
        }
    }
    return std::nullopt;
}

log::ConfigMap dynamic_log_overrides(const DynamicBrokerConfigs& dynamic) {
    log::ConfigMap out;
    for (const std::string& topic_key : log::topic_config_names()) {
        auto broker_key = log::server_config_name(topic_key);
        if (!broker_key || excluded_topic_key(topic_key)) {
            continue;
        }
        const auto synonyms = broker_config_synonyms(*broker_key);
        bool found = false;
        for (const ConfigMap* level : {&dynamic.per_broker, &dynamic.cluster_default}) {
            for (const std::string& synonym : synonyms) {
                auto it = level->find(synonym);
                if (it == level->end()) {
                    continue;
                }
                if (auto topic = as_topic_value(synonym, it->second)) {
                    out[topic->first] = topic->second;
                    found = true;
                    break;
                }
            }
            if (found) {
                break;
            }
        }
    }
    return out;
}

}  // namespace samsa::server
