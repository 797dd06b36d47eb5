#pragma once
// AdminConnection: samsa-admin's connection to a broker, as a Kafka admin client makes it:
// the client properties (--command-config: security.protocol, sasl.mechanism,
// sasl.jaas.config, ssl.truststore.*, ssl.keystore.*) decide whether each connection runs TLS
// and authenticates with SASL first. Requests go
// through BlockingChannel and the project's generated codecs.

#include "broker/net/blocking_channel.h"

#include <chrono>
#include <memory>
#include <string>

namespace samsa::tools {

struct ClientSecurity {
    std::string security_protocol = "PLAINTEXT";
    std::string sasl_mechanism = "GSSAPI";  // Kafka's client default
    std::string username;
    std::string password;
    // TLS for SSL and SASL_SSL (the truststore and, for mutual TLS, the keystore).
    std::shared_ptr<const net::ChannelSecurity> transport;
};

// Reads a client.properties file (empty path: PLAINTEXT). Throws std::runtime_error.
ClientSecurity read_client_security(const std::string& path);

// A channel to host:port that runs TLS and authenticates as `security` says on connect.
std::unique_ptr<net::BlockingChannel> open_channel(const std::string& host, uint16_t port,
                                                   const std::string& client_id,
                                                   std::chrono::milliseconds timeout,
                                                   const ClientSecurity& security);

// A channel to "host:port" that authenticates as `security` says on connect.
std::unique_ptr<net::BlockingChannel> open_channel(const std::string& host_port,
                                                   const ClientSecurity& security);

// A channel to the active controller, found through a Metadata request to `bootstrap`.
std::unique_ptr<net::BlockingChannel> open_controller_channel(const std::string& bootstrap,
                                                              const ClientSecurity& security);

}  // namespace samsa::tools
