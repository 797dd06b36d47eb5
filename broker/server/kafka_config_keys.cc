// The key table (Kafka's names and defaults, ZK mode 2.8) and the typed parsing of one value.
#include "broker/server/kafka_config_keys.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace samsa::server::detail {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
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

std::string listener_list_text(const std::vector<EndPoint>& eps) {
    std::vector<std::string> items;
    for (const auto& ep : eps)
        items.push_back(ep.to_string());
    return join(items, ",");
}

namespace {

using K = KafkaConfig;

constexpr std::nullopt_t kNoDefault = std::nullopt;
constexpr std::string_view kIntMax = "2147483647";
constexpr std::string_view kLongMax = "9223372036854775807";

Range at_least(double min) {
    return Range{min};
}
Range between(double min, double max) {
    return Range{min, max};
}

// ---------------------------------------------------------------------------------------------
// Custom fields: structured values.

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

}  // namespace

// ---------------------------------------------------------------------------------------------
// The key table.

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
        // Samsa: Prometheus metrics and the console over HTTP (metrics_endpoint.h).
        {"metrics.listener", "", &K::metrics_listener},
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
        {"zookeeper.auth.digest", kNoDefault, &K::zookeeper_auth_digest, {}, true},
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
        {"log.cleaner.max.compaction.lag.ms", "9223372036854775807",
         &K::log_cleaner_max_compaction_lag_ms, at_least(1)},
        {"log.cleaner.io.max.bytes.per.second", "1.7976931348623157E308",
         &K::log_cleaner_io_max_bytes_per_second},
        {"log.cleaner.io.buffer.size", "524288", &K::log_cleaner_io_buffer_size, at_least(0)},
        {"log.cleaner.io.buffer.load.factor", "0.9", &K::log_cleaner_io_buffer_load_factor},
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
        {"max.incremental.fetch.session.cache.slots", "1000",
         &K::max_incremental_fetch_session_cache_slots, at_least(0)},
        {"fetch.purgatory.purge.interval.requests", "1000",
         &K::fetch_purgatory_purge_interval_requests},
        {"producer.purgatory.purge.interval.requests", "1000",
         &K::producer_purgatory_purge_interval_requests},
        {"unclean.leader.election.enable", "false", &K::unclean_leader_election_enable},
        {"auto.leader.rebalance.enable", "true", &K::auto_leader_rebalance_enable},
        {"leader.imbalance.per.broker.percentage", "10",
         &K::leader_imbalance_per_broker_percentage},
        {"leader.imbalance.check.interval.seconds", "300",
         &K::leader_imbalance_check_interval_seconds, at_least(1)},
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
        {"connections.max.reauth.ms", "0", &K::connections_max_reauth_ms, at_least(0)},
        {"connection.failed.authentication.delay.ms", "100",
         &K::connection_failed_authentication_delay_ms, at_least(0)},
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
        {"ssl.handshake.timeout.ms", "10000", &K::ssl_handshake_timeout_ms, at_least(1)},
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

bool is_secret_key(std::string_view key) {
    return std::any_of(config_keys().begin(), config_keys().end(), [&](const ConfigKey& k) {
        return k.secret && (key == k.name ||
                            (key.ends_with(k.name) && key[key.size() - k.name.size() - 1] == '.'));
    });
}

// ---------------------------------------------------------------------------------------------
// Typed parsing of one value, with the row's check.

namespace {

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

}  // namespace

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

}  // namespace samsa::server::detail
