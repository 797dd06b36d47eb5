#pragma once
// KafkaServer: one broker — builds its components in Kafka's start-up order and takes them
// down in reverse (Kafka's KafkaServer).
//
// Start-up: connect to ZooKeeper (creating the chroot) → persistent paths and cluster id →
// log dirs (lock, meta.properties, recovery) → replica manager → listeners → registration
// under /brokers/ids/<id> → controller election. Any failure throws std::runtime_error with a
// message for the operator; main() prints it and exits non-zero. The listeners are bound before
// the registration: a registration left by this broker's previous process (kill -9) is known
// by its endpoints being ours and their ports being bound here, and is waited out.
//
// Shutdown (SIGTERM): controlled shutdown (controlled.shutdown.enable: the controller moves
// the leadership of this broker's partitions elsewhere while it still serves) → controller
// resigns → listeners close → request threads stop → high watermarks checkpointed → logs
// flushed and closed cleanly (.kafka_cleanshutdown) → the ZooKeeper session closes, which
// removes the registration.
//
// Threads: num.network.threads network threads (net/processor.h) own the connections and run
// their requests, appends and page-cache reads included; num.io.threads form the I/O pool for
// the work that can block for long (fsync, segment roll, log creation and deletion, ZooKeeper);
// the controller, the ZooKeeper client, the LogManager and the ReplicaManager have their own.

#include "broker/server/kafka_config.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace samsa::replica {
struct ReplicationConfig;
}

namespace samsa::zk {
struct BrokerInfo;
}
namespace samsa::net {
class BlockingChannel;
}

namespace samsa::server {

class KafkaServer {
  public:
    explicit KafkaServer(KafkaConfig config);
    ~KafkaServer();
    KafkaServer(const KafkaServer&) = delete;
    KafkaServer& operator=(const KafkaServer&) = delete;

    void startup();
    // Thread-safe and idempotent; may be called from a signal-watching thread. A second caller
    // returns once the first has finished.
    void shutdown();
    // Blocks until shutdown() has completed.
    void await_shutdown();

    int32_t broker_id() const;

  private:
    struct Components;

    void start_zookeeper();
    void start_logs();
    void start_authorizer();
    void start_security();
    int32_t generate_broker_id();
    // The fetchers' settings and the leader's ZooKeeper writes for the ReplicaManager.
    void start_group_coordinator();
    replica::ReplicationConfig replication_config() const;
    void start_network();
    void start_metrics();
    zk::BrokerInfo broker_info() const;
    void register_broker();
    bool await_own_stale_registration();
    bool await_release(const std::string& path, int64_t owner,
                       std::chrono::steady_clock::time_point deadline);
    bool is_own_registration(const zk::BrokerInfo& existing) const;
    int stale_registration_timeout_ms() const;
    void controlled_shutdown();
    // One ControlledShutdown request to the controller named in ZooKeeper, through `channel`
    // (replaced when the controller moved, dropped after an error). True once the controller
    // answers with no error and no partition left to move.
    bool try_controlled_shutdown(std::unique_ptr<net::BlockingChannel>& channel, int attempt);

    KafkaConfig config_;
    std::unique_ptr<Components> c_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool started_ = false;
    bool shut_down_ = false;
    // Start-up is waiting for our previous session's registration to expire; shutdown() waits
    // for it to stop (it uses ZooKeeper, which shutdown() closes).
    bool awaiting_registration_ = false;
    std::atomic<bool> shutting_down_{false};
};

}  // namespace samsa::server
