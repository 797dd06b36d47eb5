#pragma once
// DynamicConfigManager: keeps the broker's view of dynamic entity configs current (Kafka's
// DynamicConfigManager + ZkNodeChangeNotificationListener). It serves three entity types:
// users, whose SCRAM credentials fill the CredentialCache that SASL authenticates against
// (Kafka's UserConfigHandler -> CredentialProvider), and topics and brokers, whose changes it
// reports to callbacks (Kafka's TopicConfigHandler and BrokerConfigHandler: the logs take the
// new config, config_handlers.h).
//
// Start-up loads every /config/users/<user>, then watches /config/changes: each new
// config_change_<seq> (sequence above the last one applied) names an entity, whose node is
// re-read -- a change node is only a trigger. A user added, changed or deleted is therefore
// seen by the next authentication, on every broker, without a restart. Notifications older
// than 15 minutes are deleted by whichever broker sees them (Kafka's changeExpirationMs).
// After a ZooKeeper session expiry (watches lost) everything is reloaded.
//
// Threads: ZooKeeper's watch callbacks and the session handler only post to one serial
// executor on the broker's I/O pool; the ZooKeeper reads run there (blocking is fine on the
// I/O pool, never on ZooKeeper's callback thread). The cache is thread-safe for readers.

#include "auth/credential_cache.h"
#include "zk/kafka_zk_client.h"

#include <functional>
#include <memory>
#include <string>

namespace samsa::server {

class DynamicConfigManager {
  public:
    // Called on the executor with a topic's name when its config changed (a topics/<t>
    // notification, as kafka-configs writes): the caller re-reads /config/topics/<t>.
    using TopicConfigChanged = std::function<void(const std::string& topic)>;
    // Called on the executor with a broker entity ("<default>" or a broker id) when its config
    // changed, and with "<default>" after a session expiry (notifications may have been missed).
    using BrokerConfigChanged = std::function<void(const std::string& entity)>;

    // `executor` must run the posted functions one at a time (a strand). All borrowed objects
    // must outlive shutdown().
    DynamicConfigManager(zk::KafkaZkClient& zk, auth::CredentialCache& credentials,
                         zk::Executor executor, TopicConfigChanged topic_changed = {},
                         BrokerConfigChanged broker_changed = {});
    ~DynamicConfigManager();
    DynamicConfigManager(const DynamicConfigManager&) = delete;
    DynamicConfigManager& operator=(const DynamicConfigManager&) = delete;

    // Loads every user synchronously (the caller's thread: start-up), then starts watching.
    void startup();
    // Stops watching; posted work still queued finds the manager stopped and does nothing.
    void shutdown();

  private:
    class ChangeHandler;
    class SessionHandler;
    struct State;

    std::shared_ptr<State> state_;
};

}  // namespace samsa::server
