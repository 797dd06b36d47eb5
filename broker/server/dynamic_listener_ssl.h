#pragma once
// DynamicListenerSsl: the listeners' TLS key material as a dynamic per-broker config (Kafka's
// DynamicListenerConfig for SSL, KIP-226). An operator rotates a broker's certificate to a new
// file without a restart:
//
//   kafka-configs --bootstrap-server b1:9093 --entity-type brokers --entity-name 1 --alter
//       --add-config listener.name.ssl.ssl.keystore.location=/etc/samsa/tls/broker-2027.pem
//
// The keys are Kafka's reconfigurable SSL configs, for one listener
// (listener.name.<l>.ssl.keystore.location) or every listener without its own
// (ssl.keystore.location). They are per-broker only: key material belongs to one host. A new
// keystore must load and name the same subject and alternative names as the one served
// (SslFactory::validate_reconfiguration), which the broker checks before writing ZooKeeper.
// Applying it swaps each affected listener's context for new connections; deleting the key
// goes back to server.properties.
//
// Password-typed keys (ssl.keystore.password, ssl.key.password, ssl.truststore.password,
// ssl.keystore.key) are refused: Kafka stores them encrypted with password.encoder.secret,
// which this broker does not implement, and they are never written to ZooKeeper in clear.
//
// Threads: add() at start-up only; validate() and apply() from the I/O pool (the config
// executor and AlterConfigs), concurrently with new connections reading the factories.

#include "broker/server/dynamic_broker_config.h"
#include "broker/server/kafka_config.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::auth {
class SslFactory;
}

namespace samsa::server {

class DynamicListenerSsl {
  public:
    // Borrows `config` (server.properties), which must outlive this object.
    explicit DynamicListenerSsl(const KafkaConfig& config) : config_(config) {}

    // A TLS listener's server factory, or the inter-broker client's, to keep current.
    void add(std::string listener, std::shared_ptr<auth::SslFactory> factory);

    // Why this broker's whole new dynamic config `per_broker` cannot be applied (a keystore
    // that does not load or names another subject), or nullopt.
    std::optional<std::string> validate(const ConfigMap& per_broker) const;
    // Reconfigures every listener whose TLS settings `per_broker` changes; what fails is
    // logged and the listener keeps its current context.
    void apply(const ConfigMap& per_broker);

  private:
    struct Listener {
        std::string name;
        std::shared_ptr<auth::SslFactory> factory;
    };

    const KafkaConfig& config_;
    std::vector<Listener> listeners_;
};

}  // namespace samsa::server
