#pragma once
// The structured forms of three broker settings: one `listeners` / `advertised.listeners` entry
// (EndPoint), the security protocols a listener can speak, and `zookeeper.connect` (ZkConnect).
// Parsing follows Kafka's kafka.cluster.EndPoint and the ZooKeeper client's connect string.
// Plain values: no state, safe to copy and share between threads once built.

#include "auth/security_protocol.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::server {

// The listener security protocol is auth's (shared with the socket server); to_string() and
// uses_tls()/uses_sasl() live there too.
using auth::SecurityProtocol;

// Case-insensitive, as Kafka upper-cases protocol names in listener.security.protocol.map.
std::optional<SecurityProtocol> security_protocol_from_string(std::string_view name);

// One listener: `NAME://host:port`. Listener names are case-insensitive and stored upper-cased
// (Kafka's ListenerName.normalised). An empty host means all interfaces when binding; in an
// advertised listener it means the machine's canonical host name, resolved at registration.
// IPv6 literals are written in brackets (`SSL://[::1]:9093`) and stored without them.
struct EndPoint {
    std::string listener_name;
    std::string host;
    uint16_t port = 0;
    // Filled from listener.security.protocol.map once the whole configuration is known.
    SecurityProtocol security_protocol = SecurityProtocol::plaintext;

    // Back to `NAME://host:port` (brackets restored around IPv6 hosts).
    std::string to_string() const;

    friend bool operator==(const EndPoint&, const EndPoint&) = default;
};

// Parses one `NAME://host:port` entry; the protocol is left at its default. Returns nullopt and
// sets `why` when the text is not a valid endpoint.
std::optional<EndPoint> parse_end_point(std::string_view text, std::string* why);

// `zookeeper.connect`: `host:port[,host:port...][/chroot]`. A missing port means 2181 (the
// ZooKeeper client's default); a chroot of "/" is no chroot.
struct ZkConnect {
    std::vector<std::string> hosts;  // "host:port", in the order given
    std::string chroot;              // "" or "/a/b" (never ends in '/')

    // "h1:2181,h2:2181" — what the ZooKeeper client is given; the chroot is handled separately.
    std::string hosts_string() const;
    // The full form, hosts and chroot, as the operator would write it.
    std::string to_string() const;

    friend bool operator==(const ZkConnect&, const ZkConnect&) = default;
};

std::optional<ZkConnect> parse_zk_connect(std::string_view text, std::string* why);

}  // namespace samsa::server
