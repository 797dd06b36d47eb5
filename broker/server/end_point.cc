#include "broker/server/end_point.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace samsa::server {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

// Fails with `why` set; lets the parsers below stay one `return fail(...)` per rule.
template <typename T>
std::optional<T> fail(std::string* why, std::string reason) {
    if (why != nullptr)
        *why = std::move(reason);
    return std::nullopt;
}

std::optional<uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value > 65535)
        return std::nullopt;
    return static_cast<uint16_t>(value);
}

// Host names, IPv4 and (unbracketed) IPv6 literals, with '%' for IPv6 zone ids: the character
// set Kafka's endpoint regex accepts.
bool valid_host(std::string_view host) {
    return std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '%' || c == ':';
    });
}

struct HostPort {
    std::string host;
    std::string_view port;  // may be empty when the text has no ':port'
    bool has_port = false;
};

// Splits "host:port" / "[v6]:port" / "host". An unbracketed host with ':' is rejected so that
// "::1:9092" cannot silently mean host "::1", port 9092.
std::optional<HostPort> split_host_port(std::string_view text, std::string* why) {
    HostPort out;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            return fail<HostPort>(why, "missing ']' after IPv6 host");
        out.host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return fail<HostPort>(why, "expected ':port' after ']'");
            out.port = rest.substr(1);
            out.has_port = true;
        }
        return out;
    }
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        out.host = std::string(text);
        return out;
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
        return fail<HostPort>(why, "IPv6 addresses must be written in brackets, e.g. [::1]:9092");
    }
    out.port = text.substr(colon + 1);
    out.has_port = true;
    return out;
}

}  // namespace

std::optional<SecurityProtocol> security_protocol_from_string(std::string_view name) {
    return auth::parse_security_protocol(upper(name));
}

std::string EndPoint::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return listener_name + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<EndPoint> parse_end_point(std::string_view text, std::string* why) {
    auto sep = text.find("://");
    if (sep == std::string_view::npos) {
        return fail<EndPoint>(why, "expected NAME://host:port");
    }
    EndPoint ep;
    ep.listener_name = upper(text.substr(0, sep));
    const bool name_ok =
        !ep.listener_name.empty() &&
        std::all_of(ep.listener_name.begin(), ep.listener_name.end(),
                    [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; });
    if (!name_ok)
        return fail<EndPoint>(why, "listener name must be letters, digits, '_' or '-'");

    auto hp = split_host_port(text.substr(sep + 3), why);
    if (!hp)
        return std::nullopt;
    if (!hp->has_port)
        return fail<EndPoint>(why, "missing ':port'");
    if (!valid_host(hp->host))
        return fail<EndPoint>(why, "invalid host '" + hp->host + "'");
    auto port = parse_port(hp->port);
    if (!port)
        return fail<EndPoint>(why, "port must be a number from 0 to 65535");
    ep.host = std::move(hp->host);
    ep.port = *port;
    return ep;
}

std::string ZkConnect::hosts_string() const {
    std::string out;
    for (const auto& h : hosts) {
        if (!out.empty())
            out += ',';
        out += h;
    }
    return out;
}

std::string ZkConnect::to_string() const {
    return hosts_string() + chroot;
}

std::optional<ZkConnect> parse_zk_connect(std::string_view text, std::string* why) {
    ZkConnect out;
    std::string_view servers = text;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        servers = text.substr(0, slash);
        std::string_view chroot = text.substr(slash);
        if (chroot.size() > 1) {
            if (chroot.back() == '/')
                return fail<ZkConnect>(why, "chroot must not end with '/'");
            if (chroot.find("//") != std::string_view::npos) {
                return fail<ZkConnect>(why, "chroot must not contain empty path elements");
            }
            if (chroot.find("/./") != std::string_view::npos ||
                chroot.find("/../") != std::string_view::npos || chroot.ends_with("/.") ||
                chroot.ends_with("/..")) {
                return fail<ZkConnect>(why, "chroot must not contain '.' or '..' elements");
            }
            out.chroot = std::string(chroot);
        }
    }
    size_t pos = 0;
    while (pos <= servers.size()) {
        size_t comma = servers.find(',', pos);
        if (comma == std::string_view::npos)
            comma = servers.size();
        std::string_view item = servers.substr(pos, comma - pos);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        pos = comma + 1;
        if (item.empty())
            continue;
        auto hp = split_host_port(item, why);
        if (!hp)
            return std::nullopt;
        if (hp->host.empty() || !valid_host(hp->host)) {
            return fail<ZkConnect>(why, "invalid host in '" + std::string(item) + "'");
        }
        uint16_t port = 2181;
        if (hp->has_port) {
            auto parsed = parse_port(hp->port);
            if (!parsed || *parsed == 0) {
                return fail<ZkConnect>(why, "invalid port in '" + std::string(item) + "'");
            }
            port = *parsed;
        }
        const bool v6 = hp->host.find(':') != std::string::npos;
        out.hosts.push_back((v6 ? "[" + hp->host + "]" : hp->host) + ":" + std::to_string(port));
    }
    if (out.hosts.empty())
        return fail<ZkConnect>(why, "no ZooKeeper host given");
    return out;
}

}  // namespace samsa::server
