#include "tools/admin/admin_connection.h"

#include "auth/jaas_config.h"
#include "auth/ssl_factory.h"
#include "broker/net/sasl_channel_authenticator.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "broker/server/properties_file.h"

#include <stdexcept>

namespace samsa::tools {

namespace {

constexpr auto kTimeout = std::chrono::milliseconds(30000);
constexpr int16_t kMetadataVersion = 1;  // the first with the controller id

std::pair<std::string, uint16_t> split_host_port(const std::string& host_port) {
    const size_t colon = host_port.rfind(':');
    if (colon == std::string::npos) {
        throw std::runtime_error("expected host:port, got '" + host_port + "'");
    }
    return {host_port.substr(0, colon),
            static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1)))};
}

// The TLS client settings of a client.properties (Kafka's client keys; PEM only).
std::shared_ptr<const net::ChannelSecurity> tls_transport(const server::Properties& props,
                                                          const std::string& protocol) {
    auth::SslConfig c;
    auto get = [&](std::string_view key, std::string& out) {
        for (const auto& [k, v] : props) {
            if (k == key)
                out = v;  // the last occurrence wins, as in java.util.Properties
        }
    };
    get("ssl.truststore.type", c.truststore_type);
    get("ssl.truststore.location", c.truststore_location);
    get("ssl.truststore.certificates", c.truststore_certificates);
    get("ssl.keystore.type", c.keystore_type);
    get("ssl.keystore.location", c.keystore_location);
    get("ssl.keystore.key", c.keystore_key);
    get("ssl.keystore.certificate.chain", c.keystore_certificate_chain);
    get("ssl.key.password", c.key_password);
    get("ssl.endpoint.identification.algorithm", c.endpoint_identification_algorithm);
    auto security = std::make_shared<net::ChannelSecurity>();
    security->protocol = *auth::parse_security_protocol(protocol);
    try {
        security->ssl = std::make_shared<auth::SslFactory>(c, auth::SslMode::client);
    } catch (const auth::SslConfigError& e) {
        throw std::runtime_error(std::string("TLS settings of the command config: ") + e.what());
    }
    return security;
}

}  // namespace

ClientSecurity read_client_security(const std::string& path) {
    ClientSecurity s;
    if (path.empty()) {
        return s;
    }
    std::string jaas;
    const auto props = server::read_properties_file(path);
    for (const auto& [k, v] : props) {
        if (k == "security.protocol") {
            s.security_protocol = v;
        } else if (k == "sasl.mechanism") {
            s.sasl_mechanism = v;
        } else if (k == "sasl.jaas.config") {
            jaas = v;
        }
    }
    if (s.security_protocol == "SASL_PLAINTEXT" || s.security_protocol == "SASL_SSL") {
        std::string error;
        auto parsed = auth::parse_jaas_config(jaas, &error);
        if (!parsed || !parsed->option("username") || !parsed->option("password")) {
            throw std::runtime_error("sasl.jaas.config in " + path +
                                     " needs a login module with username and password" +
                                     (error.empty() ? "" : ": " + error));
        }
        s.username = *parsed->option("username");
        s.password = *parsed->option("password");
    } else if (s.security_protocol != "PLAINTEXT" && s.security_protocol != "SSL") {
        throw std::runtime_error("security.protocol " + s.security_protocol +
                                 " is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    }
    if (s.security_protocol == "SSL" || s.security_protocol == "SASL_SSL") {
        s.transport = tls_transport(props, s.security_protocol);
    }
    return s;
}

std::unique_ptr<net::BlockingChannel> open_channel(const std::string& host, uint16_t port,
                                                   const std::string& client_id,
                                                   std::chrono::milliseconds timeout,
                                                   const ClientSecurity& security) {
    auto channel =
        std::make_unique<net::BlockingChannel>(host, port, client_id, timeout, security.transport);
    if (auth::uses_sasl(*auth::parse_security_protocol(security.security_protocol))) {
        channel->set_connect_hook(net::sasl_connect_hook(
            {security.sasl_mechanism, security.username, security.password}));
    }
    return channel;
}

std::unique_ptr<net::BlockingChannel> open_channel(const std::string& host_port,
                                                   const ClientSecurity& security) {
    auto [host, port] = split_host_port(host_port);
    return open_channel(host, port, "samsa-admin", kTimeout, security);
}

std::unique_ptr<net::BlockingChannel> open_controller_channel(const std::string& bootstrap,
                                                              const ClientSecurity& security) {
    auto channel = open_channel(bootstrap, security);
    protocol::MetadataRequestData request;
    request.topics.emplace();  // empty: no topics, only brokers and the controller
    auto metadata = channel->send<protocol::MetadataResponseData>(request, kMetadataVersion);
    if (!metadata) {
        throw std::runtime_error("Metadata request to " + bootstrap +
                                 " failed: " + metadata.error().message());
    }
    for (const auto& b : metadata.value().brokers) {
        if (b.node_id == metadata.value().controller_id) {
            return open_channel(b.host + ":" + std::to_string(b.port), security);
        }
    }
    throw std::runtime_error("no controller in the metadata from " + bootstrap);
}

}  // namespace samsa::tools
