// Settings that depend on other settings, checked once every key has its value.
#include "broker/server/kafka_config_resolve.h"

#include "broker/server/kafka_config_keys.h"

#include <algorithm>
#include <cctype>
#include <sched.h>
#include <set>
#include <thread>

namespace samsa::server::detail {

int32_t available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        return std::max(1, CPU_COUNT(&set));
    }
    return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

void resolve_log_settings(KafkaConfig& c, const Supplied& given) {
    if (!given.contains("log.dirs"))
        c.log_dirs = split_list(c.log_dir);
    if (c.log_dirs.empty()) {
        throw ConfigError(given.contains("log.dirs") ? "log.dirs" : "log.dir", "",
                          "at least one log directory must be defined via log.dirs or log.dir");
    }
    constexpr int64_t kHourMs = 60 * 60 * 1000;
    if (!given.contains("log.roll.ms"))
        c.log_roll_ms = kHourMs * c.log_roll_hours;
    if (!given.contains("log.roll.jitter.ms"))
        c.log_roll_jitter_ms = kHourMs * c.log_roll_jitter_hours;

    // KafkaConfig.logRetentionTimeMillis: ms > minutes > hours, negative = unlimited.
    std::string source = "log.retention.hours";
    int64_t retention = kHourMs * c.log_retention_hours;
    if (given.contains("log.retention.ms")) {
        source = "log.retention.ms";
        retention = c.log_retention_ms;
    } else if (c.log_retention_minutes) {
        source = "log.retention.minutes";
        retention = int64_t{60'000} * *c.log_retention_minutes;
    }
    if (retention == 0) {
        throw ConfigError(source, "0", "log retention must be unlimited (-1) or at least 1 ms");
    }
    c.log_retention_ms = retention < 0 ? -1 : retention;

    if (!given.contains("log.flush.interval.ms")) {
        c.log_flush_interval_ms = c.log_flush_scheduler_interval_ms;
    }
}

void resolve_thread_settings(KafkaConfig& c, const Supplied& given) {
    if (!given.contains("num.network.threads")) {
        c.num_network_threads = std::max(1, available_cpus() / 2);
    }
}

void resolve_listeners(KafkaConfig& c, const Supplied& given) {
    if (c.listeners.empty())
        throw ConfigError("listeners", "", "at least one listener is required");
    auto assign_protocols = [&](std::vector<EndPoint>& eps, const std::string& key) {
        for (auto& ep : eps) {
            auto it = c.listener_security_protocol_map.find(ep.listener_name);
            if (it == c.listener_security_protocol_map.end()) {
                throw ConfigError(key, listener_list_text(eps),
                                  "no security protocol defined for listener " + ep.listener_name +
                                      " in listener.security.protocol.map");
            }
            ep.security_protocol = it->second;
        }
    };
    assign_protocols(c.listeners, "listeners");
    std::set<uint16_t> ports;
    for (const auto& ep : c.listeners) {
        if (ep.port != 0 && !ports.insert(ep.port).second) {
            throw ConfigError("listeners", listener_list_text(c.listeners),
                              "each listener must have a different port; " +
                                  std::to_string(ep.port) + " is used twice");
        }
    }

    // Kafka: advertised.listeners defaults to listeners, and then the same rules apply to it.
    const std::string adv_key =
        given.contains("advertised.listeners") && !c.advertised_listeners.empty()
            ? "advertised.listeners"
            : "listeners";
    if (adv_key == "listeners")
        c.advertised_listeners = c.listeners;
    assign_protocols(c.advertised_listeners, adv_key);
    for (const auto& ep : c.advertised_listeners) {
        const bool known =
            std::any_of(c.listeners.begin(), c.listeners.end(),
                        [&](const EndPoint& l) { return l.listener_name == ep.listener_name; });
        if (!known) {
            throw ConfigError(adv_key, listener_list_text(c.advertised_listeners),
                              "listener " + ep.listener_name + " is not defined in listeners");
        }
        if (ep.host == "0.0.0.0" || ep.host == "::") {
            const std::string why = adv_key == "listeners"
                                        ? "advertised.listeners is not set, so listeners are "
                                          "advertised, and "
                                        : "";
            throw ConfigError(adv_key, listener_list_text(c.advertised_listeners),
                              why +
                                  "an advertised listener cannot use the non-routable "
                                  "meta-address " +
                                  ep.host +
                                  "; set advertised.listeners to a routable host or address");
        }
    }
}

void resolve_inter_broker(KafkaConfig& c, const Supplied& given) {
    const bool by_name = given.contains("inter.broker.listener.name");
    if (by_name && given.contains("security.inter.broker.protocol")) {
        throw ConfigError("inter.broker.listener.name", c.inter_broker_listener_name,
                          "only one of inter.broker.listener.name and "
                          "security.inter.broker.protocol may be set");
    }
    const std::string key =
        by_name ? "inter.broker.listener.name" : "security.inter.broker.protocol";
    const std::string value = by_name ? c.inter_broker_listener_name
                                      : std::string(to_string(c.security_inter_broker_protocol));
    if (by_name) {
        std::transform(c.inter_broker_listener_name.begin(), c.inter_broker_listener_name.end(),
                       c.inter_broker_listener_name.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        auto it = c.listener_security_protocol_map.find(c.inter_broker_listener_name);
        if (it == c.listener_security_protocol_map.end()) {
            throw ConfigError(key, value,
                              "no security protocol defined for this listener in "
                              "listener.security.protocol.map");
        }
        c.security_inter_broker_protocol = it->second;
    } else {
        c.inter_broker_listener_name = std::string(to_string(c.security_inter_broker_protocol));
    }
    std::vector<std::string> names;
    for (const auto& ep : c.advertised_listeners)
        names.push_back(ep.listener_name);
    if (std::find(names.begin(), names.end(), c.inter_broker_listener_name) == names.end()) {
        throw ConfigError(key, value,
                          "the inter-broker listener must be one of the advertised listeners (" +
                              join(names, ", ") + "); set inter.broker.listener.name");
    }
}

void check_cross_key_rules(KafkaConfig& c, const Supplied& given) {
    if (!given.contains("zookeeper.connection.timeout.ms")) {
        c.zookeeper_connection_timeout_ms = c.zookeeper_session_timeout_ms;
    }
    if (c.zookeeper_set_acl && c.zookeeper_auth_digest.empty()) {
        // Kafka: "zookeeper.set.acl is true, but the verification of the JAAS login file
        // failed": znodes only their creator may change need a creator ZooKeeper knows.
        throw ConfigError("zookeeper.set.acl", "true",
                          "needs the broker to log in to ZooKeeper: set zookeeper.auth.digest "
                          "(user:password)");
    }
    if (!c.zookeeper_auth_digest.empty() &&
        c.zookeeper_auth_digest.find(':') == std::string::npos) {
        throw ConfigError("zookeeper.auth.digest", "[hidden]", "must be user:password");
    }
    const std::string id = std::to_string(c.broker_id);
    if (c.broker_id_generation_enable &&
        (c.broker_id < -1 || c.broker_id > c.reserved_broker_max_id)) {
        throw ConfigError("broker.id", id,
                          "must be -1 (generated) or between 0 and reserved.broker.max.id (" +
                              std::to_string(c.reserved_broker_max_id) + ")");
    }
    if (!c.broker_id_generation_enable && c.broker_id < 0) {
        throw ConfigError("broker.id", id,
                          "must be at least 0 when broker.id.generation.enable is false");
    }
    if (c.replica_fetch_wait_max_ms > c.replica_socket_timeout_ms) {
        throw ConfigError("replica.fetch.wait.max.ms", std::to_string(c.replica_fetch_wait_max_ms),
                          "must not exceed replica.socket.timeout.ms (" +
                              std::to_string(c.replica_socket_timeout_ms) + ")");
    }
    if (c.replica_fetch_wait_max_ms > c.replica_lag_time_max_ms) {
        throw ConfigError("replica.fetch.wait.max.ms", std::to_string(c.replica_fetch_wait_max_ms),
                          "must not exceed replica.lag.time.max.ms (" +
                              std::to_string(c.replica_lag_time_max_ms) + ")");
    }
    if (c.offsets_commit_required_acks < -1 ||
        c.offsets_commit_required_acks > c.offsets_topic_replication_factor) {
        throw ConfigError("offsets.commit.required.acks",
                          std::to_string(c.offsets_commit_required_acks),
                          "must be between -1 and offsets.topic.replication.factor (" +
                              std::to_string(c.offsets_topic_replication_factor) + ")");
    }
}

}  // namespace samsa::server::detail
