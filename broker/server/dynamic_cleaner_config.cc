#include "broker/server/dynamic_cleaner_config.h"

#include "broker/server/kafka_config_keys.h"

#include <array>

namespace samsa::server {

namespace {

constexpr std::array<std::string_view, 6> kReconfigurable = {
    "log.cleaner.threads",
    "log.cleaner.dedupe.buffer.size",
    "log.cleaner.io.buffer.load.factor",
    "log.cleaner.io.buffer.size",
    "log.cleaner.io.max.bytes.per.second",
    "log.cleaner.backoff.ms",
};

}  // namespace

bool is_cleaner_reconfigurable(std::string_view key) {
    for (std::string_view k : kReconfigurable) {
        if (k == key) {
            return true;
        }
    }
    return false;
}

log::CleanerConfig cleaner_config(const KafkaConfig& config) {
    log::CleanerConfig c;
    c.enable = config.log_cleaner_enable;
    c.num_threads = config.log_cleaner_threads;
    c.dedupe_buffer_size = config.log_cleaner_dedupe_buffer_size;
    c.dedupe_buffer_load_factor = config.log_cleaner_io_buffer_load_factor;
    c.io_buffer_size = config.log_cleaner_io_buffer_size;
    c.max_io_bytes_per_second = config.log_cleaner_io_max_bytes_per_second;
    c.backoff_ms = config.log_cleaner_backoff_ms;
    return c;
}

log::CleanerConfig effective_cleaner_config(const KafkaConfig& static_config,
                                            const DynamicBrokerConfigs& dynamic) {
    KafkaConfig merged = static_config;
    for (std::string_view key : kReconfigurable) {
        const detail::ConfigKey* row = detail::find_key(key);
        if (row == nullptr) {
            continue;
        }
        for (const ConfigMap* level : {&dynamic.per_broker, &dynamic.cluster_default}) {
            auto it = level->find(std::string(key));
            if (it == level->end()) {
                continue;
            }
            try {
                detail::apply(*row, it->second, merged);
                break;
            } catch (const ConfigError&) {
                // Unparsable at this level: the next level (or the static value) applies.
            }
        }
    }
    return cleaner_config(merged);
}

std::optional<std::string> validate_cleaner_reconfiguration(const log::CleanerConfig& current,
                                                            const log::CleanerConfig& next) {
    const int32_t threads = next.num_threads;
    const int32_t current_threads = current.num_threads;
    if (threads < 1) {
        return "Log cleaner threads should be at least 1";
    }
    if (threads < current_threads / 2) {
        return "Log cleaner threads cannot be reduced to less than half the current value " +
               std::to_string(current_threads);
    }
    if (int64_t{threads} > int64_t{current_threads} * 2) {
        return "Log cleaner threads cannot be increased to more than double the current value " +
               std::to_string(current_threads);
    }
    return std::nullopt;
}

}  // namespace samsa::server
