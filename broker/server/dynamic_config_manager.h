#pragma once
// DynamicConfigManager: keeps the broker's view of dynamic entity configs current (Kafka's
// DynamicConfigManager + ZkNodeChangeNotificationListener). Today it serves one entity type,
// users, whose SCRAM credentials fill the CredentialCache that SASL authenticates against
// (Kafka's UserConfigHandler -> CredentialProvider).
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

#include <memory>
#include <string>

namespace samsa::server {

class DynamicConfigManager {
  public:
    // `executor` must run the posted functions one at a time (a strand). All borrowed objects
    // must outlive shutdown().
    DynamicConfigManager(zk::KafkaZkClient& zk, auth::CredentialCache& credentials,
                         zk::Executor executor);
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
