#pragma once
// Internal to samsa::server_config (included only by broker/server/kafka_config*.cc and
// command_line.cc): the table of the keys parse_kafka_config understands and the typed parsing of
// one value against its row. One row per key: name, default (as the text an operator would write;
// nullopt = no default, the member is filled by kafka_config_resolve.cc or stays empty), where the
// value goes, and what values are acceptable. Rows with a Custom field parse structured values
// (listeners...). The table is built once, on first use, and only read afterwards.

#include "broker/server/kafka_config.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace samsa::server::detail {

// A structured value: set parses `value` into the config (throwing ConfigError naming `key`), get
// writes it back as text for KafkaConfig::to_string.
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

// Every key, in the order parse_kafka_config applies them.
const std::vector<ConfigKey>& config_keys();

// The row named `name`, or nullptr for a key we do not know.
const ConfigKey* find_key(std::string_view name);

// Parses `raw` (trimmed, unless the key is secret) as the row's type, checks it against the row's
// Range or OneOf and stores it in `c`. Throws ConfigError naming the key and the value.
void apply(const ConfigKey& key, const std::string& raw, KafkaConfig& c);

// The member's current value as KafkaConfig::to_string shows it (secrets not yet hidden).
std::string format_value(const ConfigKey& key, const KafkaConfig& c);

// True for a secret key, also as the tail of a `listener.name.<listener>.<key>` key.
bool is_secret_key(std::string_view key);

// --- Text helpers shared by the configuration sources.

// Without leading and trailing white space.
std::string trim(std::string_view s);

// A comma-separated LIST: items trimmed, empty items dropped.
std::vector<std::string> split_list(std::string_view text);

// `NAME://host:port,...`, as listeners are written.
std::string listener_list_text(const std::vector<EndPoint>& eps);

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

}  // namespace samsa::server::detail
