#pragma once
// LogConfig: one topic's log settings, with Kafka 2.8's defaults (LogConfig.scala /
// KafkaConfig Defaults). The broker builds its defaults from server.properties (the log.*
// synonyms, see server_config_name()), then apply_topic_overrides() lays a topic's own
// settings (from ZooKeeper /config/topics/<t> or a CreateTopics request) on top. A Log copies
// its LogConfig; update it with Log::update_config().

#include "broker/protocol/record_batch.h"
#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace samsa::log {

inline constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

struct LogConfig {
    int32_t segment_bytes = 1024 * 1024 * 1024;        // segment.bytes
    int64_t segment_ms = 7LL * 24 * 60 * 60 * 1000;    // segment.ms
    int64_t segment_jitter_ms = 0;                     // segment.jitter.ms
    int32_t segment_index_bytes = 10 * 1024 * 1024;    // segment.index.bytes
    int64_t retention_ms = 7LL * 24 * 60 * 60 * 1000;  // retention.ms, -1 = forever
    int64_t retention_bytes = -1;                      // retention.bytes
    int32_t max_message_bytes = 1024 * 1024 + 12;      // max.message.bytes
    protocol::TimestampType message_timestamp_type =   // message.timestamp.type
        protocol::TimestampType::create_time;
    int64_t message_timestamp_difference_max_ms = kLongMax;  // message.timestamp.difference.max.ms
    int32_t index_interval_bytes = 4096;                     // index.interval.bytes
    int64_t flush_messages = kLongMax;                       // flush.messages
    int64_t flush_ms = kLongMax;                             // flush.ms
    int64_t file_delete_delay_ms = 60000;                    // file.delete.delay.ms
    bool cleanup_policy_delete = true;                       // cleanup.policy has "delete"
    bool cleanup_policy_compact = false;                     // cleanup.policy has "compact"
    int64_t delete_retention_ms = 24LL * 60 * 60 * 1000;     // delete.retention.ms
    int64_t min_compaction_lag_ms = 0;                       // min.compaction.lag.ms
    int64_t max_compaction_lag_ms = kLongMax;                // max.compaction.lag.ms
    double min_cleanable_dirty_ratio = 0.5;                  // min.cleanable.dirty.ratio
    std::string compression_type = "producer";               // compression.type
    int32_t min_insync_replicas = 1;                         // min.insync.replicas
    bool unclean_leader_election_enable = false;             // unclean.leader.election.enable
    // Valid Kafka topic keys that this broker accepts but does not act on (compaction tuning,
    // message.format.version, throttled replicas...), kept verbatim for DescribeConfigs.
    std::map<std::string, std::string> unused;
};

using ConfigMap = std::map<std::string, std::string>;

// Returns `defaults` with `overrides` (Kafka topic key names) applied. On an unknown key or a
// bad value returns Errc::invalid_config and, if `error` is set, fills it with Kafka's message
// naming the key (e.g. "Invalid value abc for configuration segment.bytes: Not a number of
// type INT"), which CreateTopics returns as INVALID_CONFIG's error message.
result<LogConfig> apply_topic_overrides(const LogConfig& defaults, const ConfigMap& overrides,
                                        std::string* error = nullptr);

// The config as topic key -> value strings (what DescribeConfigs shows).
ConfigMap to_config_map(const LogConfig& config);

// The broker-level synonym of a topic key ("segment.bytes" -> "log.segment.bytes"), as
// LogConfig.TopicConfigSynonyms; nullopt for an unknown key.
std::optional<std::string_view> server_config_name(std::string_view topic_key);

}  // namespace samsa::log
