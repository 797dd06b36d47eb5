#include "tools/admin/client_tool_config.h"

#include "broker/server/properties_file.h"

#include <charconv>
#include <stdlib.h>
#include <unistd.h>

namespace samsa::client {

namespace {

int64_t number(const PropertyMap& props, const std::string& key, int64_t fallback) {
    const auto it = props.find(key);
    if (it == props.end()) {
        return fallback;
    }
    int64_t v = 0;
    const auto& s = it->second;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
        throw admin::ToolError{"Invalid value " + s + " for configuration " + key +
                               ": Not a number of type LONG"};
    }
    return v;
}

std::string text(const PropertyMap& props, const std::string& key, const std::string& fallback) {
    const auto it = props.find(key);
    return it == props.end() ? fallback : it->second;
}

int32_t int32(const PropertyMap& props, const std::string& key, int32_t fallback) {
    return static_cast<int32_t>(number(props, key, fallback));
}

bool has_security_settings(const PropertyMap& props) {
    for (const auto& [k, v] : props) {
        if (k == "security.protocol" || k.starts_with("sasl.") || k.starts_with("ssl.")) {
            return true;
        }
    }
    return false;
}

// A key or value as a .properties file spells it (backslash escapes; leading blanks kept).
std::string escape_property(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\\' || c == '=' || c == ':' || c == '#' || c == '!' || (c == ' ' && i == 0)) {
            out += '\\';
        }
        if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

PropertyMap merge_properties(const std::string& file,
                             const std::vector<std::pair<std::string, std::string>>& overrides) {
    PropertyMap out;
    if (!file.empty()) {
        try {
            for (auto& [k, v] : server::read_properties_file(file)) {
                out[k] = v;
            }
        } catch (const std::exception& e) {
            throw admin::ToolError{e.what()};
        }
    }
    for (const auto& [k, v] : overrides) {
        out[k] = v;
    }
    return out;
}

admin::AdminClientConfig connection_config(const std::string& bootstrap, const std::string& file,
                                           const PropertyMap& props,
                                           const std::string& default_client_id) {
    const std::string servers =
        bootstrap.empty() ? text(props, "bootstrap.servers", "") : bootstrap;
    if (servers.empty()) {
        throw admin::ToolError{
            "Missing required configuration \"bootstrap.servers\" which has no default value."};
    }
    auto parsed = admin::parse_bootstrap_servers(servers);
    if (!parsed) {
        throw admin::ToolError{"Invalid url in bootstrap.servers: " + servers};
    }
    admin::AdminClientConfig config;
    config.bootstrap_servers = std::move(parsed).value();
    if (has_security_settings(props)) {
        // The security settings may come from the k=v flags too (--producer-property
        // security.protocol=SASL_SSL): the connection code reads them from one file, so the
        // merged properties are written to a private temporary one.
        char path[] = "/tmp/samsa-client-XXXXXX";
        const int fd = ::mkstemp(path);
        if (fd < 0) {
            throw admin::ToolError{"cannot write the client properties to /tmp"};
        }
        std::string text;
        for (const auto& [k, v] : props) {
            text += escape_property(k) + "=" + escape_property(v) + "\n";
        }
        const bool written =
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        const bool applied = written && admin::apply_command_config(path, config);
        ::unlink(path);
        if (!applied) {
            throw admin::ToolError{"Invalid client security settings" +
                                   (file.empty() ? std::string() : " (" + file + ")")};
        }
    }
    config.client_id = text(props, "client.id", default_client_id);
    config.request_timeout = std::chrono::milliseconds(
        number(props, "request.timeout.ms", config.request_timeout.count()));
    return config;
}

ProducerConfig producer_config(admin::AdminClientConfig connection, const PropertyMap& props) {
    ProducerConfig c;
    c.client = std::move(connection);
    const std::string acks = text(props, "acks", "1");
    if (acks == "all" || acks == "-1") {
        c.acks = -1;
    } else if (acks == "0" || acks == "1") {
        c.acks = static_cast<int16_t>(acks[0] - '0');
    } else {
        throw admin::ToolError{"Invalid value " + acks +
                               " for configuration acks: String must be one of: all, -1, 0, 1"};
    }
    const std::string codec = text(props, "compression.type", "none");
    const auto compression = parse_compression(codec);
    if (!compression) {
        throw admin::ToolError{"Invalid value " + codec +
                               " for configuration compression.type: String must be one of: "
                               "none, gzip, snappy, lz4, zstd"};
    }
    c.compression = *compression;
    c.batch_size = int32(props, "batch.size", c.batch_size);
    c.linger_ms = number(props, "linger.ms", c.linger_ms);
    c.retries = int32(props, "retries", c.retries);
    c.retry_backoff_ms = number(props, "retry.backoff.ms", c.retry_backoff_ms);
    c.request_timeout_ms = static_cast<int32_t>(c.client.request_timeout.count());
    c.max_block_ms = number(props, "max.block.ms", c.max_block_ms);
    return c;
}

ConsumerConfig consumer_config(admin::AdminClientConfig connection, const PropertyMap& props) {
    ConsumerConfig c;
    c.client = std::move(connection);
    if (props.count("group.id") && !props.at("group.id").empty()) {
        c.group_id = props.at("group.id");
    }
    c.enable_auto_commit = text(props, "enable.auto.commit", "true") == "true";
    c.auto_commit_interval_ms = number(props, "auto.commit.interval.ms", c.auto_commit_interval_ms);
    c.auto_offset_reset = text(props, "auto.offset.reset", c.auto_offset_reset);
    if (c.auto_offset_reset != "earliest" && c.auto_offset_reset != "latest" &&
        c.auto_offset_reset != "none") {
        throw admin::ToolError{"Invalid value " + c.auto_offset_reset +
                               " for configuration auto.offset.reset: String must be one of: "
                               "latest, earliest, none"};
    }
    c.max_partition_fetch_bytes =
        int32(props, "max.partition.fetch.bytes", c.max_partition_fetch_bytes);
    c.fetch_max_bytes = int32(props, "fetch.max.bytes", c.fetch_max_bytes);
    c.fetch_max_wait_ms = int32(props, "fetch.max.wait.ms", c.fetch_max_wait_ms);
    const std::string isolation = text(props, "isolation.level", "read_uncommitted");
    if (isolation != "read_uncommitted" && isolation != "read_committed") {
        throw admin::ToolError{"Invalid value " + isolation +
                               " for configuration isolation.level: String must be one of: "
                               "read_committed, read_uncommitted"};
    }
    c.isolation_level = isolation == "read_committed" ? 1 : 0;
    c.group.session_timeout_ms = int32(props, "session.timeout.ms", c.group.session_timeout_ms);
    c.group.heartbeat_interval_ms =
        int32(props, "heartbeat.interval.ms", c.group.heartbeat_interval_ms);
    c.group.rebalance_timeout_ms =
        int32(props, "max.poll.interval.ms", c.group.rebalance_timeout_ms);
    // A JoinGroup waits up to the rebalance timeout for the other members (Kafka's consumer
    // gives it rebalance timeout + 5 s); every request shares the one channel timeout here.
    c.client.request_timeout = std::max(c.client.request_timeout, std::chrono::milliseconds(60000));
    return c;
}

}  // namespace samsa::client
