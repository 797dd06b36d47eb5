#include "broker/server/listener_security.h"

#include "auth/ssl_factory.h"
#include "auth/ssl_principal_mapper.h"
#include "broker/net/channel_security.h"
#include "broker/net/connection.h"
#include "broker/net/socket_server.h"
#include "broker/server/dynamic_listener_ssl.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace samsa::server {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

// The value of `key` for `listener`: its listener.name.<l>. override, else the broker-wide one.
class ListenerKeys {
  public:
    ListenerKeys(const KafkaConfig& config, const std::string& listener)
        : config_(config), prefix_("listener.name." + lower(listener) + ".") {}

    std::string get(const std::string& key, const std::string& fallback) const {
        auto it = config_.listener_name_configs.find(prefix_ + key);
        return it == config_.listener_name_configs.end() ? fallback : it->second;
    }

    std::vector<std::string> get_list(const std::string& key,
                                      const std::vector<std::string>& fallback) const {
        auto it = config_.listener_name_configs.find(prefix_ + key);
        if (it == config_.listener_name_configs.end()) {
            return fallback;
        }
        std::vector<std::string> out;
        size_t at = 0;
        const std::string& v = it->second;
        while (at <= v.size()) {
            size_t comma = std::min(v.find(',', at), v.size());
            std::string item = v.substr(at, comma - at);
            item.erase(0, item.find_first_not_of(" \t"));
            item.erase(item.find_last_not_of(" \t") + 1);
            if (!item.empty()) {
                out.push_back(item);
            }
            at = comma + 1;
        }
        return out;
    }

    const std::string& prefix() const { return prefix_; }

  private:
    const KafkaConfig& config_;
    std::string prefix_;
};

auth::SslClientAuth parse_client_auth(const std::string& v, const std::string& key) {
    if (v == "none")
        return auth::SslClientAuth::none;
    if (v == "requested")
        return auth::SslClientAuth::requested;
    if (v == "required")
        return auth::SslClientAuth::required;
    throw ConfigError(key, v, "must be one of required, requested, none");
}

}  // namespace

auth::SslConfig ssl_config_for(const KafkaConfig& c, const std::string& listener) {
    ListenerKeys keys(c, listener);
    auth::SslConfig s;
    s.keystore_type = keys.get("ssl.keystore.type", c.ssl_keystore_type);
    s.keystore_location = keys.get("ssl.keystore.location", c.ssl_keystore_location);
    s.keystore_key = keys.get("ssl.keystore.key", c.ssl_keystore_key);
    s.keystore_certificate_chain =
        keys.get("ssl.keystore.certificate.chain", c.ssl_keystore_certificate_chain);
    s.key_password = keys.get("ssl.key.password", c.ssl_key_password);
    s.truststore_type = keys.get("ssl.truststore.type", c.ssl_truststore_type);
    s.truststore_location = keys.get("ssl.truststore.location", c.ssl_truststore_location);
    s.truststore_certificates =
        keys.get("ssl.truststore.certificates", c.ssl_truststore_certificates);
    s.enabled_protocols = keys.get_list("ssl.enabled.protocols", c.ssl_enabled_protocols);
    s.cipher_suites = keys.get_list("ssl.cipher.suites", c.ssl_cipher_suites);
    s.client_auth = parse_client_auth(keys.get("ssl.client.auth", c.ssl_client_auth),
                                      keys.prefix() + "ssl.client.auth");
    s.endpoint_identification_algorithm =
        keys.get("ssl.endpoint.identification.algorithm", c.ssl_endpoint_identification_algorithm);
    s.principal_mapping_rules =
        keys.get("ssl.principal.mapping.rules", c.ssl_principal_mapping_rules);
    s.handshake_timeout = std::chrono::milliseconds(c.ssl_handshake_timeout_ms);
    return s;
}

std::optional<net::TlsOptions> tls_options_for(const KafkaConfig& c, const std::string& listener,
                                               auth::SecurityProtocol protocol) {
    if (!auth::uses_tls(protocol)) {
        return std::nullopt;
    }
    auto config = ssl_config_for(c, listener);
    net::TlsOptions options;
    try {
        options.principal_mapper =
            std::make_shared<auth::SslPrincipalMapper>(config.principal_mapping_rules);
        options.factory = std::make_shared<auth::SslFactory>(config, auth::SslMode::server);
    } catch (const std::exception& e) {
        throw ConfigError("listener " + listener + ": " + e.what());
    }
    return options;
}

std::shared_ptr<const net::ChannelSecurity> inter_broker_channel_security(const KafkaConfig& c) {
    auto security = std::make_shared<net::ChannelSecurity>();
    security->protocol = c.security_inter_broker_protocol;
    if (auth::uses_tls(security->protocol)) {
        try {
            security->ssl = std::make_shared<auth::SslFactory>(
                ssl_config_for(c, c.inter_broker_listener_name), auth::SslMode::client);
        } catch (const auth::SslConfigError& e) {
            throw ConfigError("inter-broker listener " + c.inter_broker_listener_name + ": " +
                              e.what());
        }
    }
    return security;
}

std::vector<net::ListenerConfig> make_listener_configs(const KafkaConfig& c,
                                                       const net::ChannelSecurity& inter_broker,
                                                       DynamicListenerSsl& dynamic) {
    std::vector<net::ListenerConfig> listeners;
    for (const auto& l : c.listeners) {
        auto tls = tls_options_for(c, l.listener_name, l.security_protocol);
        if (tls) {
            dynamic.add(l.listener_name, tls->factory);
        }
        listeners.push_back({l.listener_name, l.host, l.port, l.security_protocol, std::move(tls)});
    }
    if (inter_broker.ssl) {
        dynamic.add(c.inter_broker_listener_name, inter_broker.ssl);
    }
    return listeners;
}

}  // namespace samsa::server
