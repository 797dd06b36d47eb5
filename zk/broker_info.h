#pragma once
// BrokerInfo and EndPoint: what a broker registers in /brokers/ids/<id> (Kafka's
// cluster/Broker.scala, cluster/EndPoint.scala and zk/ZkData.scala BrokerInfo). The JSON codec
// is BrokerIdZNode in zk_data.h.
//
// The security protocol stays the text Kafka writes ("PLAINTEXT", "SSL", "SASL_PLAINTEXT",
// "SASL_SSL"): samsa::zk sits below auth/ and does not depend on its enum; readers validate it.

#include "common/types.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::zk {

bool is_security_protocol(std::string_view name);

struct EndPoint {
    std::string listener_name;  // "PLAINTEXT", "CLIENT", "REPLICATION", ...
    std::string host;           // empty: not set (Kafka's null host)
    int32_t port = -1;
    std::string security_protocol;  // one of the four names above

    // "CLIENT://10.0.0.1:9092"; IPv6 hosts in brackets ("CLIENT://[::1]:9092"); no host gives
    // "CLIENT://:9092" (Kafka's EndPoint.connectionString).
    std::string connection_string() const;

    // Parses a connection string. The protocol is looked up in `protocol_map` (listener name ->
    // protocol); without a map the listener name must itself be a protocol name (registrations
    // before version 4). nullopt if malformed or the protocol is unknown.
    static std::optional<EndPoint> parse(std::string_view connection_string,
                                         const std::map<std::string, std::string>* protocol_map);

    friend bool operator==(const EndPoint&, const EndPoint&) = default;
};

// A feature's supported version range (KIP-584), registered from version 5 on.
struct SupportedVersionRange {
    int16_t min_version = 1;
    int16_t max_version = 1;

    friend bool operator==(const SupportedVersionRange&, const SupportedVersionRange&) = default;
};

struct BrokerInfo {
    BrokerId id;
    std::vector<EndPoint> endpoints;  // the advertised listeners, in configuration order
    std::optional<std::string> rack;
    std::map<std::string, SupportedVersionRange> features;
    int32_t jmx_port = -1;
    int32_t version = 5;        // registration JSON version: written 5 (or 4), read 1..5
    int64_t timestamp_ms = -1;  // as read from the znode; encode() stamps its own
    int64_t epoch = -1;         // the znode's czxid: the broker epoch (-1 = unknown)

    std::string path() const;  // /brokers/ids/<id>
    const EndPoint* endpoint(std::string_view listener_name) const;

    friend bool operator==(const BrokerInfo&, const BrokerInfo&) = default;
};

}  // namespace samsa::zk
