#include "broker/server/kafka_config.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <variant>

namespace samsa::server {

namespace po = boost::program_options;

ConfigError::ConfigError(std::string key, std::string value, const std::string& reason)
    : std::runtime_error("Invalid value '" + value + "' for configuration '" + key +
                         "': " + reason),
      key_(std::move(key)),
      value_(std::move(value)) {}

ConfigError::ConfigError(const std::string& message, std::string key)
    : std::runtime_error(message), key_(std::move(key)) {}

namespace {

// ---------------------------------------------------------------------------------------------
// The key table. One row per key: name, default (as the text an operator would write; nullopt =
// no default, the member is filled by resolve() or stays empty), where the value goes, and what
// values are acceptable. Rows with a Custom field parse structured values (listeners...).

struct Custom {
    void (*set)(KafkaConfig&, const std::string& key, const std::string& value);
    std::string (*get)(const KafkaConfig&);
};

using Field =
    std::variant<bool KafkaConfig::*, int16_t KafkaConfig::*, int32_t KafkaConfig::*,
                 int64_t KafkaConfig::*, double KafkaConfig::*, std::string KafkaConfig::*,
                 std::optional<std::string> KafkaConfig::*, std::optional<int32_t> KafkaConfig::*,
                 std::vector<std::string> KafkaConfig::*, Custom>;

struct Range {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};
struct OneOf {
    std::vector<std::string_view> words;  // for a LIST: every element must be one of these
};
using Check = std::variant<std::monostate, Range, OneOf>;

struct ConfigKey {
    std::string_view name;
    std::optional<std::string_view> default_value;
    Field field;
    Check check{};
    bool secret = false;  // PASSWORD: taken verbatim, shown as [hidden]
};

constexpr std::nullopt_t kNoDefault = std::nullopt;
constexpr std::string_view kIntMax = "2147483647";
constexpr std::string_view kLongMax = "9223372036854775807";

Range at_least(double min) {
    return Range{min};
}
Range between(double min, double max) {
    return Range{min, max};
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = std::min(text.find(',', pos), text.size());
        std::string_view item = text.substr(pos, comma - pos);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
            item.remove_prefix(1);
        }
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
            item.remove_suffix(1);
        }
        if (!item.empty())
            out.emplace_back(item);
        pos = comma + 1;
    }
    return out;
}

template <typename Items>
std::string join(const Items& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += sep;
        out += item;
    }
    return out;
}

std::vector<EndPoint> parse_listener_list(const std::string& key, const std::string& value) {
    std::vector<EndPoint> out;
    std::set<std::string> names;
    for (const std::string& item : split_list(value)) {
        std::string why;
        auto ep = parse_end_point(item, &why);
        if (!ep)
            throw ConfigError(key, value, "'" + item + "': " + why);
        if (!names.insert(ep->listener_name).second) {
            throw ConfigError(key, value,
                              "each listener must have a different name; " + ep->listener_name +
                                  " appears twice");
        }
        out.push_back(std::move(*ep));
    }
    return out;
}

std::string listener_list_text(const std::vector<EndPoint>& eps) {
    std::vector<std::string> items;
    for (const auto& ep : eps)
        items.push_back(ep.to_string());
    return join(items, ",");
}

const Custom kListeners{[](KafkaConfig& c, const std::string& k, const std::string& v) {
                            c.listeners = parse_listener_list(k, v);
                        },
                        [](const KafkaConfig& c) { return listener_list_text(c.listeners); }};

const Custom kAdvertisedListeners{
    [](KafkaConfig& c, const std::string& k, const std::string& v) {
        c.advertised_listeners = parse_listener_list(k, v);
    },
    [](const KafkaConfig& c) { return listener_list_text(c.advertised_listeners); }};

const Custom kProtocolMap{
    [](KafkaConfig& c, const std::string& k, const std::string& v) {
        c.listener_security_protocol_map.clear();
        for (const std::string& item : split_list(v)) {
            auto colon = item.find(':');
            if (colon == std::string::npos || colon == 0) {
                throw ConfigError(k, v, "'" + item + "' is not LISTENER_NAME:SECURITY_PROTOCOL");
            }
            std::string name = item.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
            auto protocol = security_protocol_from_string(item.substr(colon + 1));
            if (!protocol) {
                throw ConfigError(k, v,
                                  "unknown security protocol '" + item.substr(colon + 1) +
                                      "' (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)");
            }
            c.listener_security_protocol_map[name] = *protocol;
        }
    },
    [](const KafkaConfig& c) {
        std::vector<std::string> items;
        for (const auto& [name, protocol] : c.listener_security_protocol_map) {
            items.push_back(name + ":" + std::string(auth::to_string(protocol)));
        }
        return join(items, ",");
    }};

const Custom kZkConnect{[](KafkaConfig& c, const std::string& k, const std::string& v) {
                            std::string why;
                            auto zk = parse_zk_connect(v, &why);
                            if (!zk)
                                throw ConfigError(k, v, why);
                            c.zookeeper_connect = std::move(*zk);
                        },
                        [](const KafkaConfig& c) { return c.zookeeper_connect.to_string(); }};

const Custom kInterBrokerProtocol{
    [](KafkaConfig& c, const std::string& k, const std::string& v) {
        auto protocol = security_protocol_from_string(v);
        if (!protocol) {
            throw ConfigError(k, v, "expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
        }
        c.security_inter_broker_protocol = *protocol;
    },
    [](const KafkaConfig& c) { return std::string(to_string(c.security_inter_broker_protocol)); }};

using K = KafkaConfig;

const std::vector<ConfigKey>& config_keys() {
    static const std::vector<ConfigKey> keys{
        // Server basics
        {"broker.id", "-1", &K::broker_id},
        {"broker.id.generation.enable", "true", &K::broker_id_generation_enable},
        {"reserved.broker.max.id", "1000", &K::reserved_broker_max_id, at_least(0)},
        {"broker.rack", kNoDefault, &K::broker_rack},
        {"num.network.threads", "3", &K::num_network_threads, at_least(1)},
        {"num.io.threads", "8", &K::num_io_threads, at_least(1)},
        {"background.threads", "10", &K::background_threads, at_least(1)},
        {"queued.max.requests", "500", &K::queued_max_requests, at_least(1)},
        {"delete.topic.enable", "true", &K::delete_topic_enable},
        {"auto.create.topics.enable", "true", &K::auto_create_topics_enable},
        {"inter.broker.protocol.version", "2.8-IV1", &K::inter_broker_protocol_version},
        {"log.level", "info", &K::log_level,
         OneOf{{"trace", "debug", "info", "warn", "error", "critical", "off"}}},
        // Socket server
        {"listeners", "PLAINTEXT://:9092", kListeners},
        {"advertised.listeners", kNoDefault, kAdvertisedListeners},
        {"listener.security.protocol.map",
         "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
         kProtocolMap},
        {"inter.broker.listener.name", kNoDefault, &K::inter_broker_listener_name},
        {"security.inter.broker.protocol", "PLAINTEXT", kInterBrokerProtocol},
        {"control.plane.listener.name", kNoDefault, &K::control_plane_listener_name},
        {"socket.send.buffer.bytes", "102400", &K::socket_send_buffer_bytes},
        {"socket.receive.buffer.bytes", "102400", &K::socket_receive_buffer_bytes},
        {"socket.request.max.bytes", "104857600", &K::socket_request_max_bytes, at_least(1)},
        {"max.connections.per.ip", kIntMax, &K::max_connections_per_ip, at_least(0)},
        {"max.connections.per.ip.overrides", "", &K::max_connections_per_ip_overrides},
        {"max.connections", kIntMax, &K::max_connections, at_least(0)},
        {"connections.max.idle.ms", "600000", &K::connections_max_idle_ms},
        // ZooKeeper
        {"zookeeper.connect", kNoDefault, kZkConnect},
        {"zookeeper.session.timeout.ms", "18000", &K::zookeeper_session_timeout_ms, at_least(1)},
        {"zookeeper.connection.timeout.ms", kNoDefault, &K::zookeeper_connection_timeout_ms,
         at_least(1)},
        {"zookeeper.max.in.flight.requests", "10", &K::zookeeper_max_in_flight_requests,
         at_least(1)},
        {"zookeeper.set.acl", "false", &K::zookeeper_set_acl},
        // Log basics
        {"log.dir", "/tmp/kafka-logs", &K::log_dir},
        {"log.dirs", kNoDefault, &K::log_dirs},
        {"num.partitions", "1", &K::num_partitions, at_least(1)},
        {"default.replication.factor", "1", &K::default_replication_factor, at_least(1)},
        {"min.insync.replicas", "1", &K::min_insync_replicas, at_least(1)},
        {"num.recovery.threads.per.data.dir", "1", &K::num_recovery_threads_per_data_dir,
         at_least(1)},
        {"log.segment.bytes", "1073741824", &K::log_segment_bytes, at_least(14)},
        {"log.roll.ms", kNoDefault, &K::log_roll_ms, at_least(1)},
        {"log.roll.hours", "168", &K::log_roll_hours, at_least(1)},
        {"log.roll.jitter.ms", kNoDefault, &K::log_roll_jitter_ms, at_least(0)},
        {"log.roll.jitter.hours", "0", &K::log_roll_jitter_hours, at_least(0)},
        {"log.index.size.max.bytes", "10485760", &K::log_index_size_max_bytes, at_least(4)},
        {"log.index.interval.bytes", "4096", &K::log_index_interval_bytes, at_least(0)},
        {"log.preallocate", "false", &K::log_preallocate},
        {"message.max.bytes", "1048588", &K::message_max_bytes, at_least(0)},
        {"log.message.format.version", "2.8-IV1", &K::log_message_format_version},
        {"log.message.timestamp.type", "CreateTime", &K::log_message_timestamp_type,
         OneOf{{"CreateTime", "LogAppendTime"}}},
        {"log.message.timestamp.difference.max.ms", kLongMax,
         &K::log_message_timestamp_difference_max_ms, at_least(0)},
        {"log.message.downconversion.enable", "true", &K::log_message_downconversion_enable},
        {"compression.type", "producer", &K::compression_type,
         OneOf{{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}}},
        // Log flush policy
        {"log.flush.interval.messages", kLongMax, &K::log_flush_interval_messages, at_least(1)},
        {"log.flush.interval.ms", kNoDefault, &K::log_flush_interval_ms},
        {"log.flush.scheduler.interval.ms", kLongMax, &K::log_flush_scheduler_interval_ms},
        {"log.flush.offset.checkpoint.interval.ms", "60000",
         &K::log_flush_offset_checkpoint_interval_ms, at_least(0)},
        {"log.flush.start.offset.checkpoint.interval.ms", "60000",
         &K::log_flush_start_offset_checkpoint_interval_ms, at_least(0)},
        // Log retention and cleaning
        {"log.retention.ms", kNoDefault, &K::log_retention_ms},
        {"log.retention.minutes", kNoDefault, &K::log_retention_minutes},
        {"log.retention.hours", "168", &K::log_retention_hours},
        {"log.retention.bytes", "-1", &K::log_retention_bytes},
        {"log.retention.check.interval.ms", "300000", &K::log_retention_check_interval_ms,
         at_least(1)},
        {"log.segment.delete.delay.ms", "60000", &K::log_segment_delete_delay_ms, at_least(0)},
        {"log.cleanup.policy", "delete", &K::log_cleanup_policy, OneOf{{"compact", "delete"}}},
        {"log.cleaner.enable", "true", &K::log_cleaner_enable},
        {"log.cleaner.threads", "1", &K::log_cleaner_threads, at_least(0)},
        {"log.cleaner.dedupe.buffer.size", "134217728", &K::log_cleaner_dedupe_buffer_size},
        {"log.cleaner.delete.retention.ms", "86400000", &K::log_cleaner_delete_retention_ms},
        {"log.cleaner.min.cleanable.ratio", "0.5", &K::log_cleaner_min_cleanable_ratio,
         between(0, 1)},
        {"log.cleaner.min.compaction.lag.ms", "0", &K::log_cleaner_min_compaction_lag_ms},
        {"log.cleaner.backoff.ms", "15000", &K::log_cleaner_backoff_ms, at_least(0)},
        // Replication
        {"controller.socket.timeout.ms", "30000", &K::controller_socket_timeout_ms},
        {"replica.lag.time.max.ms", "30000", &K::replica_lag_time_max_ms},
        {"replica.socket.timeout.ms", "30000", &K::replica_socket_timeout_ms},
        {"replica.socket.receive.buffer.bytes", "65536", &K::replica_socket_receive_buffer_bytes},
        {"replica.fetch.max.bytes", "1048576", &K::replica_fetch_max_bytes, at_least(0)},
        {"replica.fetch.wait.max.ms", "500", &K::replica_fetch_wait_max_ms},
        {"replica.fetch.min.bytes", "1", &K::replica_fetch_min_bytes},
        {"replica.fetch.response.max.bytes", "10485760", &K::replica_fetch_response_max_bytes,
         at_least(0)},
        {"replica.fetch.backoff.ms", "1000", &K::replica_fetch_backoff_ms, at_least(0)},
        {"num.replica.fetchers", "1", &K::num_replica_fetchers},
        {"replica.high.watermark.checkpoint.interval.ms", "5000",
         &K::replica_high_watermark_checkpoint_interval_ms},
        {"fetch.purgatory.purge.interval.requests", "1000",
         &K::fetch_purgatory_purge_interval_requests},
        {"producer.purgatory.purge.interval.requests", "1000",
         &K::producer_purgatory_purge_interval_requests},
        {"unclean.leader.election.enable", "false", &K::unclean_leader_election_enable},
        {"auto.leader.rebalance.enable", "true", &K::auto_leader_rebalance_enable},
        {"leader.imbalance.per.broker.percentage", "10",
         &K::leader_imbalance_per_broker_percentage},
        {"leader.imbalance.check.interval.seconds", "300",
         &K::leader_imbalance_check_interval_seconds},
        // Controlled shutdown
        {"controlled.shutdown.enable", "true", &K::controlled_shutdown_enable},
        {"controlled.shutdown.max.retries", "3", &K::controlled_shutdown_max_retries},
        {"controlled.shutdown.retry.backoff.ms", "5000", &K::controlled_shutdown_retry_backoff_ms},
        // Group coordinator and __consumer_offsets
        {"group.min.session.timeout.ms", "6000", &K::group_min_session_timeout_ms},
        {"group.max.session.timeout.ms", "1800000", &K::group_max_session_timeout_ms},
        {"group.initial.rebalance.delay.ms", "3000", &K::group_initial_rebalance_delay_ms},
        {"group.max.size", kIntMax, &K::group_max_size, at_least(1)},
        {"offset.metadata.max.bytes", "4096", &K::offset_metadata_max_bytes},
        {"offsets.load.buffer.size", "5242880", &K::offsets_load_buffer_size, at_least(1)},
        {"offsets.topic.replication.factor", "3", &K::offsets_topic_replication_factor,
         at_least(1)},
        {"offsets.topic.num.partitions", "50", &K::offsets_topic_num_partitions, at_least(1)},
        {"offsets.topic.segment.bytes", "104857600", &K::offsets_topic_segment_bytes, at_least(1)},
        {"offsets.topic.compression.codec", "0", &K::offsets_topic_compression_codec},
        {"offsets.retention.minutes", "10080", &K::offsets_retention_minutes, at_least(1)},
        {"offsets.retention.check.interval.ms", "600000", &K::offsets_retention_check_interval_ms,
         at_least(1)},
        {"offsets.commit.timeout.ms", "5000", &K::offsets_commit_timeout_ms, at_least(1)},
        {"offsets.commit.required.acks", "-1", &K::offsets_commit_required_acks},
        // Transaction coordinator and __transaction_state
        {"transactional.id.expiration.ms", "604800000", &K::transactional_id_expiration_ms,
         at_least(1)},
        {"transaction.max.timeout.ms", "900000", &K::transaction_max_timeout_ms, at_least(1)},
        {"transaction.state.log.load.buffer.size", "5242880",
         &K::transaction_state_log_load_buffer_size, at_least(1)},
        {"transaction.state.log.replication.factor", "3",
         &K::transaction_state_log_replication_factor, at_least(1)},
        {"transaction.state.log.num.partitions", "50", &K::transaction_state_log_num_partitions,
         at_least(1)},
        {"transaction.state.log.segment.bytes", "104857600",
         &K::transaction_state_log_segment_bytes, at_least(1)},
        {"transaction.state.log.min.isr", "2", &K::transaction_state_log_min_isr, at_least(1)},
        {"transaction.abort.timed.out.transaction.cleanup.interval.ms", "10000",
         &K::transaction_abort_timed_out_transaction_cleanup_interval_ms, at_least(1)},
        {"transaction.remove.expired.transaction.cleanup.interval.ms", "3600000",
         &K::transaction_remove_expired_transaction_cleanup_interval_ms, at_least(1)},
        // SASL
        {"sasl.enabled.mechanisms", "GSSAPI", &K::sasl_enabled_mechanisms},
        {"sasl.mechanism.inter.broker.protocol", "GSSAPI",
         &K::sasl_mechanism_inter_broker_protocol},
        {"sasl.jaas.config", kNoDefault, &K::sasl_jaas_config, {}, true},
        {"sasl.kerberos.service.name", kNoDefault, &K::sasl_kerberos_service_name},
        {"sasl.server.max.receive.size", "524288", &K::sasl_server_max_receive_size},
        {"connections.max.reauth.ms", "0", &K::connections_max_reauth_ms},
        // SSL
        {"ssl.protocol", "TLSv1.3", &K::ssl_protocol},
        {"ssl.enabled.protocols", "TLSv1.2,TLSv1.3", &K::ssl_enabled_protocols},
        {"ssl.keystore.type", "JKS", &K::ssl_keystore_type},
        {"ssl.keystore.location", kNoDefault, &K::ssl_keystore_location},
        {"ssl.keystore.password", kNoDefault, &K::ssl_keystore_password, {}, true},
        {"ssl.key.password", kNoDefault, &K::ssl_key_password, {}, true},
        {"ssl.keystore.key", kNoDefault, &K::ssl_keystore_key, {}, true},
        {"ssl.keystore.certificate.chain",
         kNoDefault,
         &K::ssl_keystore_certificate_chain,
         {},
         true},
        {"ssl.truststore.type", "JKS", &K::ssl_truststore_type},
        {"ssl.truststore.location", kNoDefault, &K::ssl_truststore_location},
        {"ssl.truststore.password", kNoDefault, &K::ssl_truststore_password, {}, true},
        {"ssl.truststore.certificates", kNoDefault, &K::ssl_truststore_certificates, {}, true},
        {"ssl.client.auth", "none", &K::ssl_client_auth, OneOf{{"required", "requested", "none"}}},
        {"ssl.endpoint.identification.algorithm", "https",
         &K::ssl_endpoint_identification_algorithm},
        {"ssl.cipher.suites", "", &K::ssl_cipher_suites},
        {"ssl.principal.mapping.rules", "DEFAULT", &K::ssl_principal_mapping_rules},
        // Authorizer
        {"authorizer.class.name", "", &K::authorizer_class_name},
        {"super.users", kNoDefault, &K::super_users},
        {"allow.everyone.if.no.acl.found", "false", &K::allow_everyone_if_no_acl_found},
    };
    return keys;
}

const ConfigKey* find_key(std::string_view name) {
    static const std::map<std::string_view, const ConfigKey*> index = [] {
        std::map<std::string_view, const ConfigKey*> m;
        for (const auto& key : config_keys())
            m.emplace(key.name, &key);
        return m;
    }();
    auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// Typed parsing of one value, with the row's check.

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

std::string number_text(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

void check_range(const ConfigKey& key, const std::string& text, double value) {
    const auto* range = std::get_if<Range>(&key.check);
    if (range == nullptr)
        return;
    if (value < range->min || value > range->max) {
        std::string reason = std::isinf(range->max) ? "must be at least " + number_text(range->min)
                                                    : "must be between " + number_text(range->min) +
                                                          " and " + number_text(range->max);
        throw ConfigError(std::string(key.name), text, reason);
    }
}

void check_word(const ConfigKey& key, const std::string& text, const std::string& word) {
    const auto* one_of = std::get_if<OneOf>(&key.check);
    if (one_of == nullptr)
        return;
    if (std::find(one_of->words.begin(), one_of->words.end(), word) == one_of->words.end()) {
        throw ConfigError(std::string(key.name), text,
                          "must be one of: " + join(one_of->words, ", "));
    }
}

template <typename T>
T parse_integer(const ConfigKey& key, const std::string& text) {
    constexpr std::string_view type_name = sizeof(T) == 2   ? "SHORT"
                                           : sizeof(T) == 4 ? "INT"
                                                            : "LONG";
    std::string_view digits = text;
    if (digits.starts_with('+'))
        digits.remove_prefix(1);  // Java's parseInt accepts "+5"
    T value{};
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if (ec == std::errc::result_out_of_range) {
        throw ConfigError(std::string(key.name), text,
                          "out of range for a number of type " + std::string(type_name));
    }
    if (digits.empty() || ec != std::errc{} || ptr != end) {
        throw ConfigError(std::string(key.name), text,
                          "not a number of type " + std::string(type_name));
    }
    check_range(key, text, static_cast<double>(value));
    return value;
}

double parse_double(const ConfigKey& key, const std::string& text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) {
        throw ConfigError(std::string(key.name), text, "not a number of type DOUBLE");
    }
    check_range(key, text, value);
    return value;
}

bool parse_bool(const ConfigKey& key, const std::string& text) {
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "true")
        return true;
    if (lower == "false")
        return false;
    throw ConfigError(std::string(key.name), text, "expected true or false");
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void apply(const ConfigKey& key, const std::string& raw, KafkaConfig& c) {
    const std::string text = key.secret ? raw : trim(raw);
    std::visit(Overloaded{
                   [&](bool K::*m) { c.*m = parse_bool(key, text); },
                   [&](int16_t K::*m) { c.*m = parse_integer<int16_t>(key, text); },
                   [&](int32_t K::*m) { c.*m = parse_integer<int32_t>(key, text); },
                   [&](int64_t K::*m) { c.*m = parse_integer<int64_t>(key, text); },
                   [&](double K::*m) { c.*m = parse_double(key, text); },
                   [&](std::string K::*m) {
                       check_word(key, text, text);
                       c.*m = text;
                   },
                   [&](std::optional<std::string> K::*m) { c.*m = text; },
                   [&](std::optional<int32_t> K::*m) { c.*m = parse_integer<int32_t>(key, text); },
                   [&](std::vector<std::string> K::*m) {
                       c.*m = split_list(text);
                       for (const auto& word : c.*m)
                           check_word(key, text, word);
                   },
                   [&](const Custom& custom) { custom.set(c, std::string(key.name), text); },
               },
               key.field);
}

std::string format_value(const ConfigKey& key, const KafkaConfig& c) {
    return std::visit(
        Overloaded{
            [&](bool K::*m) { return std::string(c.*m ? "true" : "false"); },
            [&](double K::*m) { return number_text(c.*m); },
            [&](std::string K::*m) {
                return (c.*m).empty() && !key.default_value ? std::string("null") : c.*m;
            },
            [&](std::optional<std::string> K::*m) { return (c.*m).value_or("null"); },
            [&](std::optional<int32_t> K::*m) {
                return (c.*m) ? std::to_string(*(c.*m)) : std::string("null");
            },
            [&](std::vector<std::string> K::*m) { return "[" + join(c.*m, ", ") + "]"; },
            [&](const Custom& custom) { return custom.get(c); },
            [&](auto K::*m) { return std::to_string(c.*m); },
        },
        key.field);
}

// ---------------------------------------------------------------------------------------------
// Settings that depend on other settings, checked once every key has its value.

using Supplied = std::set<std::string, std::less<>>;

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

// ---------------------------------------------------------------------------------------------
// Merging file and overrides through Boost.Program_options: each property becomes a parsed
// option; known keys are registered options, the rest are marked unregistered and collected.

const po::options_description& options_description() {
    static const po::options_description desc = [] {
        po::options_description d("Broker configuration");
        for (const auto& key : config_keys()) {
            d.add_options()(std::string(key.name).c_str(), po::value<std::string>());
        }
        return d;
    }();
    return desc;
}

// Last occurrence wins; reports keys set twice in the same source.
Properties last_wins(const Properties& props, std::string_view source,
                     std::vector<std::string>& warnings) {
    Properties out;
    for (const auto& prop : props) {
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const auto& kv) { return kv.first == prop.first; });
        if (it == out.end()) {
            out.push_back(prop);
        } else {
            warnings.push_back("Configuration key '" + prop.first + "' is set more than once in " +
                               std::string(source) + "; the last value is used");
            it->second = prop.second;
        }
    }
    return out;
}

po::parsed_options to_parsed_options(const Properties& props) {
    po::parsed_options parsed(&options_description());
    for (const auto& [k, v] : props) {
        po::option opt(k, {v});
        opt.original_tokens = {k, v};
        opt.unregistered = find_key(k) == nullptr;
        parsed.options.push_back(std::move(opt));
    }
    return parsed;
}

bool is_listener_prefixed(std::string_view key) {
    constexpr std::string_view prefix = "listener.name.";
    if (!key.starts_with(prefix))
        return false;
    auto dot = key.find('.', prefix.size());
    return dot != std::string_view::npos && dot > prefix.size() && dot + 1 < key.size();
}

void collect_unknown(const po::parsed_options& parsed, KafkaConfig& c,
                     std::vector<std::string>& warnings) {
    const auto tokens = po::collect_unrecognized(parsed.options, po::exclude_positional);
    for (size_t i = 0; i + 1 < tokens.size(); i += 2) {
        if (is_listener_prefixed(tokens[i])) {
            c.listener_name_configs[tokens[i]] = tokens[i + 1];
        } else {
            std::string warning = "Unknown configuration key '" + tokens[i] + "' (ignored)";
            if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
                warnings.push_back(std::move(warning));
            }
        }
    }
}

bool is_secret_key(std::string_view key) {
    return std::any_of(config_keys().begin(), config_keys().end(), [&](const ConfigKey& k) {
        return k.secret && (key == k.name ||
                            (key.ends_with(k.name) && key[key.size() - k.name.size() - 1] == '.'));
    });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ParsedConfig parse_kafka_config(const Properties& file, const Properties& overrides) {
    ParsedConfig out;
    const po::parsed_options from_file =
        to_parsed_options(last_wins(file, "the file", out.warnings));
    const po::parsed_options from_overrides =
        to_parsed_options(last_wins(overrides, "the overrides", out.warnings));

    // po::store never replaces a stored value, so storing the overrides first makes them win.
    po::variables_map vm;
    po::store(from_overrides, vm);
    po::store(from_file, vm);
    collect_unknown(from_file, out.config, out.warnings);
    collect_unknown(from_overrides, out.config, out.warnings);

    Supplied given;
    for (const ConfigKey& key : config_keys()) {
        const std::string name(key.name);
        if (vm.count(name) != 0) {
            given.insert(name);
            apply(key, vm[name].as<std::string>(), out.config);
        } else if (key.default_value) {
            apply(key, std::string(*key.default_value), out.config);
        }
    }
    if (!given.contains("zookeeper.connect")) {
        throw ConfigError(
            "Missing required configuration 'zookeeper.connect' which has no default value",
            "zookeeper.connect");
    }
    resolve_log_settings(out.config, given);
    resolve_listeners(out.config, given);
    resolve_inter_broker(out.config, given);
    check_cross_key_rules(out.config, given);
    return out;
}

bool is_known_config_key(std::string_view key) {
    return find_key(key) != nullptr;
}

std::string KafkaConfig::to_string() const {
    std::map<std::string, std::string> lines;
    for (const ConfigKey& key : config_keys()) {
        std::string value = format_value(key, *this);
        if (key.secret && value != "null")
            value = "[hidden]";
        lines.emplace(key.name, std::move(value));
    }
    for (const auto& [k, v] : listener_name_configs)
        lines.emplace(k, is_secret_key(k) ? "[hidden]" : v);
    std::string out = "KafkaConfig values:\n";
    for (const auto& [k, v] : lines)
        out += "\t" + k + " = " + v + "\n";
    return out;
}

// ---------------------------------------------------------------------------------------------
// Command line.

namespace {

po::options_description visible_options() {
    po::options_description d("Options");
    d.add_options()("help,h", "print this help and exit")("version", "print the version and exit")(
        "override", po::value<std::vector<std::string>>()->composing()->value_name("key=value"),
        "set a configuration key, winning over the file (repeatable)");
    return d;
}

}  // namespace

std::string command_line_usage(std::string_view program) {
    std::ostringstream out;
    out << "USAGE: " << program << " <server.properties> [--override key=value]...\n"
        << "Starts a Samsa broker with the configuration in <server.properties>.\n\n"
        << visible_options() << "\n";
    return out.str();
}

CommandLine parse_command_line(int argc, const char* const argv[]) {
    po::options_description all;
    all.add(visible_options());
    all.add_options()("config-file", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("config-file", -1);

    po::variables_map vm;
    try {
        const int style =
            po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(argc, argv)
                      .options(all)
                      .positional(positional)
                      .style(style)
                      .run(),
                  vm);
    } catch (const po::error& e) {
        throw ConfigError(std::string("Invalid command line: ") + e.what());
    }

    CommandLine out;
    out.help = vm.count("help") != 0;
    out.version = vm.count("version") != 0;
    if (vm.count("config-file") != 0) {
        const auto& files = vm["config-file"].as<std::vector<std::string>>();
        if (files.size() > 1) {
            throw ConfigError("Invalid command line: more than one configuration file given ('" +
                              files[0] + "', '" + files[1] + "')");
        }
        out.config_file = files.front();
    }
    if (out.config_file.empty() && !out.help && !out.version) {
        throw ConfigError("Invalid command line: the server.properties file is required");
    }
    if (vm.count("override") != 0) {
        for (const std::string& item : vm["override"].as<std::vector<std::string>>()) {
            auto eq = item.find('=');
            std::string key = eq == std::string::npos ? "" : trim(item.substr(0, eq));
            if (key.empty()) {
                throw ConfigError("Invalid command line: --override '" + item +
                                  "' is not of the form key=value");
            }
            out.overrides.emplace_back(std::move(key), item.substr(eq + 1));
        }
    }
    return out;
}

ParsedConfig load_kafka_config(const CommandLine& command_line) {
    return parse_kafka_config(read_properties_file(command_line.config_file),
                              command_line.overrides);
}

}  // namespace samsa::server
