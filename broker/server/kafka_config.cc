// Building a KafkaConfig: merging the file and the overrides, applying the key table
// (kafka_config_keys.cc), then the cross-key rules (kafka_config_resolve.cc); and to_string.
#include "broker/server/kafka_config.h"

#include "broker/server/kafka_config_keys.h"
#include "broker/server/kafka_config_resolve.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::server {

namespace po = boost::program_options;

using detail::config_keys;
using detail::ConfigKey;
using detail::find_key;
using detail::Supplied;

ConfigError::ConfigError(std::string key, std::string value, const std::string& reason)
    : std::runtime_error("Invalid value '" + value + "' for configuration '" + key +
                         "': " + reason),
      key_(std::move(key)),
      value_(std::move(value)) {}

ConfigError::ConfigError(const std::string& message, std::string key)
    : std::runtime_error(message), key_(std::move(key)) {}

namespace {

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
            out.config.static_originals[name] = vm[name].as<std::string>();
            detail::apply(key, vm[name].as<std::string>(), out.config);
        } else if (key.default_value) {
            detail::apply(key, std::string(*key.default_value), out.config);
        }
    }
    if (!given.contains("zookeeper.connect")) {
        throw ConfigError(
            "Missing required configuration 'zookeeper.connect' which has no default value",
            "zookeeper.connect");
    }
    detail::resolve_log_settings(out.config, given);
    detail::resolve_thread_settings(out.config, given);
    detail::resolve_listeners(out.config, given);
    detail::resolve_inter_broker(out.config, given);
    detail::resolve_sasl(out.config, given);
    detail::check_cross_key_rules(out.config, given);
    return out;
}

bool is_known_config_key(std::string_view key) {
    return find_key(key) != nullptr;
}

std::string KafkaConfig::to_string() const {
    std::map<std::string, std::string> lines;
    for (const ConfigKey& key : config_keys()) {
        std::string value = detail::format_value(key, *this);
        if (key.secret && value != "null")
            value = "[hidden]";
        lines.emplace(key.name, std::move(value));
    }
    for (const auto& [k, v] : listener_name_configs)
        lines.emplace(k, detail::is_secret_key(k) ? "[hidden]" : v);
    std::string out = "KafkaConfig values:\n";
    for (const auto& [k, v] : lines)
        out += "\t" + k + " = " + v + "\n";
    return out;
}

}  // namespace samsa::server
