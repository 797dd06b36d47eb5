#pragma once
// Listener security: what each listener's (and the inter-broker client's) TLS settings are,
// resolved from the broker's configuration as Kafka resolves them: a
// `listener.name.<listener, lower-case>.<key>` setting wins over the plain `<key>`.
//
//   listeners=PLAINTEXT://:9092,SSL://:9093
//   ssl.keystore.type=PEM
//   ssl.keystore.location=/etc/samsa/tls/broker.pem
//   listener.name.ssl.ssl.client.auth=required

#include "auth/ssl_config.h"
#include "broker/server/kafka_config.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samsa::net {
struct ChannelSecurity;
struct ListenerConfig;
struct TlsOptions;
}  // namespace samsa::net

namespace samsa::server {

// The TLS settings of `listener`. Throws ConfigError for a bad value.
auth::SslConfig ssl_config_for(const KafkaConfig& config, const std::string& listener);

// For an SSL or SASL_SSL listener, its server context and principal mapping; nothing for the
// others. Throws ConfigError naming the listener when its key material cannot be loaded.
std::optional<net::TlsOptions> tls_options_for(const KafkaConfig& config,
                                               const std::string& listener,
                                               auth::SecurityProtocol protocol);

// How this broker's client channels reach other brokers' inter-broker listener.
std::shared_ptr<const net::ChannelSecurity> inter_broker_channel_security(
    const KafkaConfig& config);

class DynamicListenerSsl;

// Every listener's settings for the SocketServer (listeners=...), each TLS listener's context
// and the inter-broker client's registered with `dynamic`, whose key material dynamic configs
// may then replace. Throws ConfigError as tls_options_for.
std::vector<net::ListenerConfig> make_listener_configs(const KafkaConfig& config,
                                                       const net::ChannelSecurity& inter_broker,
                                                       DynamicListenerSsl& dynamic);

}  // namespace samsa::server
