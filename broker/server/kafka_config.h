#pragma once
// The broker's static configuration: Kafka's key names and defaults (KafkaConfig.scala, ZK mode,
// 2.8), read from server.properties plus `--override key=value` arguments, as
// `kafka-server-start.sh` does:
//
//   samsa-broker <server.properties> [--override key=value]...
//
// Rules kept from Kafka:
//   - an override wins over the file; within the file the last occurrence of a key wins;
//   - an unknown key is reported as a warning and ignored, start-up continues;
//   - a bad value (not a number, out of range, not one of the allowed words, bad listener syntax,
//     a missing `zookeeper.connect`...) stops start-up: ConfigError names the key and the value;
//   - numbers and words are trimmed; passwords are taken verbatim;
//   - derived settings: advertised.listeners defaults to listeners; log.dirs falls back to
//     log.dir; log.roll.ms beats log.roll.hours; log.retention.ms beats .minutes beats .hours
//     (a negative result means "forever", -1); zookeeper.connection.timeout.ms defaults to the
//     session timeout; log.flush.interval.ms defaults to log.flush.scheduler.interval.ms;
//   - `listener.name.<listener>.<key>` settings (per-listener SSL/SASL) are kept verbatim in
//     listener_name_configs for the security code to interpret.
//
// Each member is named after its key (dots become underscores); Kafka's INT/LONG/SHORT are
// int32_t/int64_t/int16_t, LIST is a vector. A KafkaConfig is built once by parse_kafka_config
// and then only read: it may be shared between threads. A value-initialised KafkaConfig is not a
// valid configuration (zookeeper.connect is required).

#include "broker/server/end_point.h"
#include "broker/server/properties_file.h"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::server {

// A configuration that must stop start-up. what() is the whole message, e.g.
// "Invalid value 'abc' for configuration 'num.partitions': not a number of type INT".
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string key, std::string value, const std::string& reason);
    // A message of its own: a missing required key (key set), or an error not tied to one key
    // (unreadable file, bad command line; key empty).
    explicit ConfigError(const std::string& message, std::string key = "");

    const std::string& key() const { return key_; }
    const std::string& value() const { return value_; }

  private:
    std::string key_;
    std::string value_;
};

struct KafkaConfig {
    // --- Server basics
    int32_t broker_id = -1;
    bool broker_id_generation_enable = true;
    int32_t reserved_broker_max_id = 1000;
    std::optional<std::string> broker_rack;
    int32_t num_network_threads = 0;
    int32_t num_io_threads = 0;
    int32_t background_threads = 0;
    int32_t queued_max_requests = 0;
    bool delete_topic_enable = true;
    bool auto_create_topics_enable = true;
    std::string inter_broker_protocol_version;
    std::string metrics_listener;  // Samsa: http://host:port, or empty (off)
    std::string log_level;         // Samsa: trace, debug, info, warn, error, critical, off

    // --- Socket server
    std::vector<EndPoint> listeners;             // security_protocol resolved
    std::vector<EndPoint> advertised_listeners;  // = listeners when unset
    std::map<std::string, SecurityProtocol> listener_security_protocol_map;
    std::string inter_broker_listener_name;  // always set: explicit, or the protocol's name
    SecurityProtocol security_inter_broker_protocol = SecurityProtocol::plaintext;
    std::string control_plane_listener_name;
    int32_t socket_send_buffer_bytes = 0;
    int32_t socket_receive_buffer_bytes = 0;
    int32_t socket_request_max_bytes = 0;
    int32_t max_connections_per_ip = 0;
    std::string max_connections_per_ip_overrides;
    int32_t max_connections = 0;
    int64_t connections_max_idle_ms = 0;

    // --- ZooKeeper
    ZkConnect zookeeper_connect;
    int32_t zookeeper_session_timeout_ms = 0;
    int32_t zookeeper_connection_timeout_ms = 0;  // = session timeout when unset
    int32_t zookeeper_max_in_flight_requests = 0;
    bool zookeeper_set_acl = false;
    // Samsa's own: "user:password" for ZooKeeper's digest scheme (Kafka takes its ZooKeeper
    // login from a JAAS file). Secret.
    std::string zookeeper_auth_digest;

    // --- Log basics
    std::string log_dir;                // only a fallback for log_dirs
    std::vector<std::string> log_dirs;  // effective list, never empty
    int32_t num_partitions = 0;
    int32_t default_replication_factor = 0;
    int32_t min_insync_replicas = 0;
    int32_t num_recovery_threads_per_data_dir = 0;
    int32_t log_segment_bytes = 0;
    int64_t log_roll_ms = 0;  // effective (log.roll.ms or log.roll.hours)
    int32_t log_roll_hours = 0;
    int64_t log_roll_jitter_ms = 0;  // effective (log.roll.jitter.ms or .hours)
    int32_t log_roll_jitter_hours = 0;
    int32_t log_index_size_max_bytes = 0;
    int32_t log_index_interval_bytes = 0;
    bool log_preallocate = false;
    int32_t message_max_bytes = 0;
    std::string log_message_format_version;
    std::string log_message_timestamp_type;  // CreateTime or LogAppendTime
    int64_t log_message_timestamp_difference_max_ms = 0;
    bool log_message_downconversion_enable = true;
    std::string compression_type;

    // --- Log flush policy
    int64_t log_flush_interval_messages = 0;
    int64_t log_flush_interval_ms = 0;  // effective (= scheduler interval when unset)
    int64_t log_flush_scheduler_interval_ms = 0;
    int32_t log_flush_offset_checkpoint_interval_ms = 0;
    int32_t log_flush_start_offset_checkpoint_interval_ms = 0;

    // --- Log retention and cleaning
    int64_t log_retention_ms = 0;  // effective: ms > minutes > hours; -1 = forever
    std::optional<int32_t> log_retention_minutes;
    int32_t log_retention_hours = 0;
    int64_t log_retention_bytes = 0;
    int64_t log_retention_check_interval_ms = 0;
    int64_t log_segment_delete_delay_ms = 0;
    std::vector<std::string> log_cleanup_policy;
    bool log_cleaner_enable = true;
    int32_t log_cleaner_threads = 0;
    int64_t log_cleaner_dedupe_buffer_size = 0;
    int64_t log_cleaner_delete_retention_ms = 0;
    double log_cleaner_min_cleanable_ratio = 0;
    int64_t log_cleaner_min_compaction_lag_ms = 0;
    int64_t log_cleaner_backoff_ms = 0;
    int64_t log_cleaner_max_compaction_lag_ms = 0;
    double log_cleaner_io_max_bytes_per_second = 0;
    int32_t log_cleaner_io_buffer_size = 0;
    double log_cleaner_io_buffer_load_factor = 0;

    // --- Replication
    int32_t controller_socket_timeout_ms = 0;
    int64_t replica_lag_time_max_ms = 0;
    int32_t replica_socket_timeout_ms = 0;
    int32_t replica_socket_receive_buffer_bytes = 0;
    int32_t replica_fetch_max_bytes = 0;
    int32_t replica_fetch_wait_max_ms = 0;
    int32_t replica_fetch_min_bytes = 0;
    int32_t replica_fetch_response_max_bytes = 0;
    int32_t replica_fetch_backoff_ms = 0;
    int32_t num_replica_fetchers = 0;
    int64_t replica_high_watermark_checkpoint_interval_ms = 0;
    int32_t fetch_purgatory_purge_interval_requests = 0;
    int32_t max_incremental_fetch_session_cache_slots = 0;
    int32_t producer_purgatory_purge_interval_requests = 0;
    bool unclean_leader_election_enable = false;
    bool auto_leader_rebalance_enable = true;
    int32_t leader_imbalance_per_broker_percentage = 0;
    int64_t leader_imbalance_check_interval_seconds = 0;

    // --- Controlled shutdown
    bool controlled_shutdown_enable = true;
    int32_t controlled_shutdown_max_retries = 0;
    int64_t controlled_shutdown_retry_backoff_ms = 0;

    // --- Group coordinator and __consumer_offsets
    int32_t group_min_session_timeout_ms = 0;
    int32_t group_max_session_timeout_ms = 0;
    int32_t group_initial_rebalance_delay_ms = 0;
    int32_t group_max_size = 0;
    int32_t offset_metadata_max_bytes = 0;
    int32_t offsets_load_buffer_size = 0;
    int16_t offsets_topic_replication_factor = 0;
    int32_t offsets_topic_num_partitions = 0;
    int32_t offsets_topic_segment_bytes = 0;
    int32_t offsets_topic_compression_codec = 0;
    int32_t offsets_retention_minutes = 0;
    int64_t offsets_retention_check_interval_ms = 0;
    int32_t offsets_commit_timeout_ms = 0;
    int16_t offsets_commit_required_acks = 0;

    // --- Transaction coordinator and __transaction_state
    int32_t transactional_id_expiration_ms = 0;
    int32_t transaction_max_timeout_ms = 0;
    int32_t transaction_state_log_load_buffer_size = 0;
    int16_t transaction_state_log_replication_factor = 0;
    int32_t transaction_state_log_num_partitions = 0;
    int32_t transaction_state_log_segment_bytes = 0;
    int32_t transaction_state_log_min_isr = 0;
    int32_t transaction_abort_timed_out_transaction_cleanup_interval_ms = 0;
    int32_t transaction_remove_expired_transaction_cleanup_interval_ms = 0;

    // --- SASL (interpreted by the security code; stored as given)
    std::vector<std::string> sasl_enabled_mechanisms;
    std::string sasl_mechanism_inter_broker_protocol;
    std::string sasl_jaas_config;  // secret
    std::string sasl_kerberos_service_name;
    int32_t sasl_server_max_receive_size = 0;
    int64_t connections_max_reauth_ms = 0;
    int32_t connection_failed_authentication_delay_ms = 0;
    // Resolved (kafka_config_sasl.cc): per SASL listener, its enabled mechanisms
    // (listener.name.<l>.sasl.enabled.mechanisms, else sasl.enabled.mechanisms)...
    std::map<std::string, std::vector<std::string>> sasl_listener_mechanisms;
    // ...and, when the inter-broker listener uses SASL, the broker's own credential from
    // listener.name.<l>.<mechanism>.sasl.jaas.config (else sasl.jaas.config).
    std::string inter_broker_sasl_username;
    std::string inter_broker_sasl_password;  // secret

    // --- SSL (likewise)
    std::string ssl_protocol;
    std::vector<std::string> ssl_enabled_protocols;
    std::string ssl_keystore_type;
    std::string ssl_keystore_location;
    std::string ssl_keystore_password;  // secret
    std::string ssl_key_password;       // secret
    std::string ssl_keystore_key;       // secret (PEM)
    std::string ssl_keystore_certificate_chain;
    std::string ssl_truststore_type;
    std::string ssl_truststore_location;
    std::string ssl_truststore_password;  // secret
    std::string ssl_truststore_certificates;
    std::string ssl_client_auth;  // required, requested or none
    std::string ssl_endpoint_identification_algorithm;
    std::vector<std::string> ssl_cipher_suites;
    std::string ssl_principal_mapping_rules;
    int32_t ssl_handshake_timeout_ms = 0;  // Samsa's own: a TLS handshake's deadline

    // --- Authorizer
    std::string authorizer_class_name;
    std::string super_users;
    bool allow_everyone_if_no_acl_found = false;

    // `listener.name.<listener>.<key>` entries, keyed by the full key as written.
    std::map<std::string, std::string> listener_name_configs;

    // The known keys the file or an override set, with the value as written: what
    // DescribeConfigs reports as STATIC_BROKER_CONFIG (Kafka's staticBrokerConfigs).
    std::map<std::string, std::string> static_originals;

    // "KafkaConfig values:" followed by one "\tkey = value" line per known key, sorted by key,
    // secrets shown as [hidden] — the block Kafka logs at start-up.
    std::string to_string() const;
};

struct ParsedConfig {
    KafkaConfig config;
    // Non-fatal findings, one sentence each ("Unknown configuration key 'foo.bar' (ignored)").
    std::vector<std::string> warnings;
};

// Builds the configuration from the file's properties and the overrides (which win).
// Throws ConfigError on the first bad value.
ParsedConfig parse_kafka_config(const Properties& file, const Properties& overrides = {});

// True for the keys parse_kafka_config understands (not counting listener.name.* ones).
bool is_known_config_key(std::string_view key);

// The broker's command line: `samsa-broker <server.properties> [--override key=value]...`.
struct CommandLine {
    std::string config_file;
    Properties overrides;  // in the order given
    bool help = false;
    bool version = false;
};

// Throws ConfigError on a usage error (no file, a second file, an override without '=').
CommandLine parse_command_line(int argc, const char* const argv[]);

// The usage text for --help and for usage errors.
std::string command_line_usage(std::string_view program);

// Reads the file named on the command line and applies its overrides.
ParsedConfig load_kafka_config(const CommandLine& command_line);

}  // namespace samsa::server
