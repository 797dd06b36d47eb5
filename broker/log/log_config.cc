#include "broker/log/log_config.h"

#include "broker/log/errc.h"
#include "broker/log/log_config_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <sstream>

namespace samsa::log {
namespace {

using protocol::TimestampType;

// Parses a config value the way Kafka's ConfigDef does, or explains why it cannot.
struct Parser {
    const std::string& key;
    std::string value;  // trimmed
    std::string* why;

    bool fail(const std::string& reason) {
        *why = fmt::format("Invalid value {} for configuration {}: {}", value, key, reason);
        return false;
    }
    template <typename T>
    bool number(T& out, T at_least, const char* type) {
        T v{};
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
            return fail(fmt::format("Not a number of type {}", type));
        }
        if (v < at_least) {
            return fail(fmt::format("Value must be at least {}", at_least));
        }
        out = v;
        return true;
    }
    bool int32(int32_t& out, int32_t at_least) { return number(out, at_least, "INT"); }
    bool int64(int64_t& out, int64_t at_least) { return number(out, at_least, "LONG"); }
    bool boolean(bool& out) {
        std::string v = value;
        std::transform(v.begin(), v.end(), v.begin(), ::tolower);
        if (v != "true" && v != "false") {
            return fail("Expected value to be either true or false");
        }
        out = v == "true";
        return true;
    }
    bool one_of(std::string& out, std::initializer_list<const char*> allowed) {
        for (const char* a : allowed) {
            if (value == a) {
                out = value;
                return true;
            }
        }
        return fail("String must be one of: " + fmt::format("{}", fmt::join(allowed, ", ")));
    }
    bool double_between(double lo, double hi, double* out = nullptr) {
        try {
            size_t used = 0;
            double v = std::stod(value, &used);
            if (used == value.size() && v >= lo && v <= hi) {
                if (out != nullptr) {
                    *out = v;
                }
                return true;
            }
        } catch (const std::exception&) {
        }
        return fail(fmt::format("Value must be a DOUBLE in [{}, {}]", lo, hi));
    }
};

bool parse_cleanup_policy(Parser& p, LogConfig& c) {
    bool del = false;
    bool compact = false;
    std::stringstream ss(p.value);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item == "delete") {
            del = true;
        } else if (item == "compact") {
            compact = true;
        } else {
            return p.fail("String must be one of: compact, delete");
        }
    }
    c.cleanup_policy_delete = del;
    c.cleanup_policy_compact = compact;
    return true;
}

bool parse_timestamp_type(Parser& p, LogConfig& c) {
    std::string v;
    if (!p.one_of(v, {"CreateTime", "LogAppendTime"})) {
        return false;
    }
    c.message_timestamp_type =
        v == "LogAppendTime" ? TimestampType::log_append_time : TimestampType::create_time;
    return true;
}

using Setter = std::function<bool(Parser&, LogConfig&)>;

// Topic key -> (broker synonym, setter). Bounds follow LogConfig.scala's ConfigDef.
const std::map<std::string, std::pair<std::string, Setter>, std::less<>>& known_keys() {
    static const std::map<std::string, std::pair<std::string, Setter>, std::less<>> keys = {
        {"segment.bytes",
         {"log.segment.bytes",
          [](Parser& p, LogConfig& c) { return p.int32(c.segment_bytes, 14); }}},
        {"segment.ms",
         {"log.roll.ms", [](Parser& p, LogConfig& c) { return p.int64(c.segment_ms, 1); }}},
        {"segment.jitter.ms",
         {"log.roll.jitter.ms",
          [](Parser& p, LogConfig& c) { return p.int64(c.segment_jitter_ms, 0); }}},
        {"segment.index.bytes",
         {"log.index.size.max.bytes",
          [](Parser& p, LogConfig& c) { return p.int32(c.segment_index_bytes, 4); }}},
        {"retention.ms",
         {"log.retention.ms", [](Parser& p, LogConfig& c) { return p.int64(c.retention_ms, -1); }}},
        {"retention.bytes",
         {"log.retention.bytes",
          [](Parser& p, LogConfig& c) {
              return p.int64(c.retention_bytes, std::numeric_limits<int64_t>::min());
          }}},
        {"max.message.bytes",
         {"message.max.bytes",
          [](Parser& p, LogConfig& c) { return p.int32(c.max_message_bytes, 0); }}},
        {"message.timestamp.type", {"log.message.timestamp.type", parse_timestamp_type}},
        {"message.timestamp.difference.max.ms",
         {"log.message.timestamp.difference.max.ms",
          [](Parser& p, LogConfig& c) {
              return p.int64(c.message_timestamp_difference_max_ms, 0);
          }}},
        {"index.interval.bytes",
         {"log.index.interval.bytes",
          [](Parser& p, LogConfig& c) { return p.int32(c.index_interval_bytes, 0); }}},
        {"flush.messages",
         {"log.flush.interval.messages",
          [](Parser& p, LogConfig& c) { return p.int64(c.flush_messages, 0); }}},
        {"flush.ms",
         {"log.flush.interval.ms", [](Parser& p, LogConfig& c) { return p.int64(c.flush_ms, 0); }}},
        {"file.delete.delay.ms",
         {"log.segment.delete.delay.ms",
          [](Parser& p, LogConfig& c) { return p.int64(c.file_delete_delay_ms, 0); }}},
        {"cleanup.policy", {"log.cleanup.policy", parse_cleanup_policy}},
        {"delete.retention.ms",
         {"log.cleaner.delete.retention.ms",
          [](Parser& p, LogConfig& c) { return p.int64(c.delete_retention_ms, 0); }}},
        {"min.compaction.lag.ms",
         {"log.cleaner.min.compaction.lag.ms",
          [](Parser& p, LogConfig& c) { return p.int64(c.min_compaction_lag_ms, 0); }}},
        {"max.compaction.lag.ms",
         {"log.cleaner.max.compaction.lag.ms",
          [](Parser& p, LogConfig& c) { return p.int64(c.max_compaction_lag_ms, 1); }}},
        {"min.cleanable.dirty.ratio",
         {"log.cleaner.min.cleanable.ratio",
          [](Parser& p, LogConfig& c) {
              return p.double_between(0, 1, &c.min_cleanable_dirty_ratio);
          }}},
        {"compression.type",
         {"compression.type",
          [](Parser& p, LogConfig& c) {
              return p.one_of(c.compression_type,
                              {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"});
          }}},
        {"min.insync.replicas",
         {"min.insync.replicas",
          [](Parser& p, LogConfig& c) { return p.int32(c.min_insync_replicas, 1); }}},
        {"unclean.leader.election.enable",
         {"unclean.leader.election.enable",
          [](Parser& p, LogConfig& c) { return p.boolean(c.unclean_leader_election_enable); }}},
    };
    return keys;
}

// Keys Kafka accepts that we only validate and keep.
bool parse_unused(const std::string& key, Parser& p) {
    bool b = false;
    if (key == "preallocate" || key == "message.downconversion.enable") {
        return p.boolean(b);
    }
    return true;  // message.format.version, *.replication.throttled.replicas: free text
}

const std::map<std::string, std::string, std::less<>> kUnusedKeys = {
    {"preallocate", "log.preallocate"},
    {"message.format.version", "log.message.format.version"},
    {"message.downconversion.enable", "log.message.downconversion.enable"},
    {"leader.replication.throttled.replicas", "leader.replication.throttled.replicas"},
    {"follower.replication.throttled.replicas", "follower.replication.throttled.replicas"},
};

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return "";
    }
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

result<LogConfig> apply_topic_overrides(const LogConfig& defaults, const ConfigMap& overrides,
                                        std::string* error) {
    LogConfig config = defaults;
    std::string why;
    for (const auto& [key, raw] : overrides) {
        Parser p{key, trim(raw), &why};
        bool ok = false;
        if (auto it = known_keys().find(key); it != known_keys().end()) {
            ok = it->second.second(p, config);
        } else if (kUnusedKeys.contains(key)) {
            ok = parse_unused(key, p);
            if (ok) {
                config.unused[key] = p.value;
            }
        } else {
            why = "Unknown topic config name: " + key;
        }
        if (!ok) {
            if (error != nullptr) {
                *error = why;
            }
            return Errc::invalid_config;
        }
    }
    return config;
}

ConfigMap to_config_map(const LogConfig& c) {
    std::string policy = c.cleanup_policy_compact && c.cleanup_policy_delete ? "compact,delete"
                         : c.cleanup_policy_compact                          ? "compact"
                                                                             : "delete";
    ConfigMap m = {
        {"segment.bytes", std::to_string(c.segment_bytes)},
        {"segment.ms", std::to_string(c.segment_ms)},
        {"segment.jitter.ms", std::to_string(c.segment_jitter_ms)},
        {"segment.index.bytes", std::to_string(c.segment_index_bytes)},
        {"retention.ms", std::to_string(c.retention_ms)},
        {"retention.bytes", std::to_string(c.retention_bytes)},
        {"max.message.bytes", std::to_string(c.max_message_bytes)},
        {"message.timestamp.type", c.message_timestamp_type == TimestampType::log_append_time
                                       ? "LogAppendTime"
                                       : "CreateTime"},
        {"message.timestamp.difference.max.ms",
         std::to_string(c.message_timestamp_difference_max_ms)},
        {"index.interval.bytes", std::to_string(c.index_interval_bytes)},
        {"flush.messages", std::to_string(c.flush_messages)},
        {"flush.ms", std::to_string(c.flush_ms)},
        {"file.delete.delay.ms", std::to_string(c.file_delete_delay_ms)},
        {"cleanup.policy", policy},
        {"delete.retention.ms", std::to_string(c.delete_retention_ms)},
        {"min.compaction.lag.ms", std::to_string(c.min_compaction_lag_ms)},
        {"max.compaction.lag.ms", std::to_string(c.max_compaction_lag_ms)},
        {"min.cleanable.dirty.ratio", fmt::format("{}", c.min_cleanable_dirty_ratio)},
        {"compression.type", c.compression_type},
        {"min.insync.replicas", std::to_string(c.min_insync_replicas)},
        {"unclean.leader.election.enable", c.unclean_leader_election_enable ? "true" : "false"},
    };
    m.insert(c.unused.begin(), c.unused.end());
    return m;
}

std::optional<std::string_view> server_config_name(std::string_view topic_key) {
    if (auto it = known_keys().find(topic_key); it != known_keys().end()) {
        return it->second.first;
    }
    if (auto it = kUnusedKeys.find(topic_key); it != kUnusedKeys.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::vector<std::string> topic_config_names() {
    std::vector<std::string> names;
    for (const auto& [name, row] : known_keys()) {
        names.push_back(name);
    }
    for (const auto& [name, synonym] : kUnusedKeys) {
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace samsa::log
