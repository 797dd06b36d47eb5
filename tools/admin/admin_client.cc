#include "tools/admin/admin_client.h"

#include "broker/server/properties_file.h"

#include <charconv>
#include <exception>
#include <iostream>

namespace samsa::admin {

namespace {

std::error_code invalid() {
    return std::make_error_code(std::errc::invalid_argument);
}

result<HostPort> parse_host_port(std::string_view s) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return invalid();
    }
    std::string_view host = s.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const std::string_view port_text = s.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        return invalid();
    }
    return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace

result<std::vector<HostPort>> parse_bootstrap_servers(const std::string& list) {
    std::vector<HostPort> out;
    std::string_view rest = list;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (item.empty()) {
            continue;
        }
        SAMSA_TRY(auto hp, parse_host_port(item));
        out.push_back(std::move(hp));
    }
    if (out.empty()) {
        return invalid();
    }
    return out;
}

bool apply_command_config(const std::string& path, AdminClientConfig& config) {
    server::Properties props;
    try {
        props = server::read_properties_file(path);
    } catch (const std::exception& e) {
        std::cerr << "Cannot read --command-config " << path << ": " << e.what() << "\n";
        return false;
    }
    try {
        config.security = tools::read_client_security(path);
    } catch (const std::exception& e) {
        std::cerr << "Invalid --command-config " << path << ": " << e.what() << "\n";
        return false;
    }
    for (const auto& [key, value] : props) {
        if (key == "client.id") {
            config.client_id = value;
        } else if (key == "request.timeout.ms") {
            int ms = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
            if (ec != std::errc() || end != value.data() + value.size() || ms <= 0) {
                std::cerr << "Invalid request.timeout.ms in " << path << ": " << value << "\n";
                return false;
            }
            config.request_timeout = std::chrono::milliseconds(ms);
        }
    }
    return true;
}

AdminClient::AdminClient(AdminClientConfig config) : config_(std::move(config)) {}

net::BlockingChannel& AdminClient::current_channel() {
    if (!channel_) {
        const HostPort& hp = config_.bootstrap_servers[server_];
        channel_ = tools::open_channel(hp.host, hp.port, config_.client_id, config_.request_timeout,
                                       config_.security);
        connected_to_ = hp.host + ":" + std::to_string(hp.port);
    }
    return *channel_;
}

void AdminClient::next_server() {
    channel_.reset();
    server_ = (server_ + 1) % config_.bootstrap_servers.size();
}

net::BlockingChannel& AdminClient::node_channel(int32_t node_id, const std::string& host,
                                                int32_t port) {
    auto& channel = nodes_[node_id];
    if (!channel) {
        channel = tools::open_channel(host, static_cast<uint16_t>(port), config_.client_id,
                                      config_.request_timeout, config_.security);
    }
    return *channel;
}

result<net::BlockingChannel*> AdminClient::controller_channel() {
    if (controller_) {
        return controller_.get();
    }
    protocol::MetadataRequestData request;
    request.topics = std::vector<protocol::MetadataRequestData::MetadataRequestTopic>{};
    SAMSA_TRY(auto metadata, send<protocol::MetadataResponseData>(request, 1));
    for (const auto& b : metadata.brokers) {
        if (b.node_id == metadata.controller_id) {
            controller_ =
                tools::open_channel(b.host, static_cast<uint16_t>(b.port), config_.client_id,
                                    config_.request_timeout, config_.security);
            return controller_.get();
        }
    }
    return std::make_error_code(std::errc::no_such_device_or_address);  // no controller now
}

}  // namespace samsa::admin
