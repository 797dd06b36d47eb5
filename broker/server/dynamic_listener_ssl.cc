#include "broker/server/dynamic_listener_ssl.h"

#include "auth/ssl_factory.h"
#include "broker/server/listener_security.h"
#include "common/logging.h"

namespace samsa::server {

namespace {

auto& logger() {
    static auto l = get_logger("config");
    return *l;
}

bool same_key_material(const auth::SslConfig& a, const auth::SslConfig& b) {
    return a.keystore_type == b.keystore_type && a.keystore_location == b.keystore_location &&
           a.keystore_key == b.keystore_key &&
           a.keystore_certificate_chain == b.keystore_certificate_chain &&
           a.key_password == b.key_password && a.truststore_type == b.truststore_type &&
           a.truststore_location == b.truststore_location &&
           a.truststore_certificates == b.truststore_certificates;
}

}  // namespace

void DynamicListenerSsl::add(std::string listener, std::shared_ptr<auth::SslFactory> factory) {
    listeners_.push_back({std::move(listener), std::move(factory)});
}

std::optional<std::string> DynamicListenerSsl::validate(const ConfigMap& per_broker) const {
    try {
        const KafkaConfig effective = with_dynamic_ssl(config_, per_broker);
        for (const Listener& l : listeners_) {
            auth::SslConfig next = ssl_config_for(effective, l.name);
            if (same_key_material(next, l.factory->config())) {
                continue;
            }
            if (auto why = l.factory->validate_reconfiguration(next)) {
                return "Validation of dynamic config update of SSL keystore/truststore failed "
                       "for listener " +
                       l.name + ": " + *why;
            }
        }
    } catch (const ConfigError& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

void DynamicListenerSsl::apply(const ConfigMap& per_broker) {
    KafkaConfig effective;
    try {
        effective = with_dynamic_ssl(config_, per_broker);
    } catch (const ConfigError& e) {
        logger().error("dynamic TLS settings not applied: {}", e.what());
        return;
    }
    for (const Listener& l : listeners_) {
        try {
            auth::SslConfig next = ssl_config_for(effective, l.name);
            if (same_key_material(next, l.factory->config())) {
                continue;
            }
            l.factory->reconfigure(std::move(next));
            logger().info("listener {}: TLS key material reconfigured", l.name);
        } catch (const std::exception& e) {
            logger().error(
                "listener {}: dynamic TLS settings not applied, keeping the current "
                "ones: {}",
                l.name, e.what());
        }
    }
}

}  // namespace samsa::server
