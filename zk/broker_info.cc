#include "zk/broker_info.h"

#include <charconv>

namespace samsa::zk {

bool is_security_protocol(std::string_view name) {
    return name == "PLAINTEXT" || name == "SSL" || name == "SASL_PLAINTEXT" || name == "SASL_SSL";
}

std::string EndPoint::connection_string() const {
    const std::string port_text = std::to_string(port);
    if (host.empty()) {
        return listener_name + "://:" + port_text;
    }
    if (host.find(':') != std::string::npos) {
        return listener_name + "://[" + host + "]:" + port_text;
    }
    return listener_name + "://" + host + ":" + port_text;
}

std::optional<EndPoint> EndPoint::parse(std::string_view text,
                                        const std::map<std::string, std::string>* protocol_map) {
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) {
        return std::nullopt;
    }
    EndPoint ep;
    ep.listener_name = std::string(text.substr(0, scheme_end));
    std::string_view rest = text.substr(scheme_end + 3);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    ep.host = std::string(host);
    const std::string_view port = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), ep.port);
    if (ec != std::errc() || end != port.data() + port.size()) {
        return std::nullopt;
    }
    if (protocol_map != nullptr) {
        const auto it = protocol_map->find(ep.listener_name);
        if (it == protocol_map->end()) {
            return std::nullopt;
        }
        ep.security_protocol = it->second;
    } else {
        ep.security_protocol = ep.listener_name;
    }
    if (!is_security_protocol(ep.security_protocol)) {
        return std::nullopt;
    }
    return ep;
}

std::string BrokerInfo::path() const {
    return "/brokers/ids/" + std::to_string(id.value());
}

const EndPoint* BrokerInfo::endpoint(std::string_view listener_name) const {
    for (const EndPoint& ep : endpoints) {
        if (ep.listener_name == listener_name) {
            return &ep;
        }
    }
    return nullptr;
}

}  // namespace samsa::zk
