#pragma once
// ConfigHandlers: how dynamic topic and broker configs reach this broker's logs (Kafka's
// TopicConfigHandler and BrokerConfigHandler + DynamicLogConfig). A topic's effective config is
// its own overrides (/config/topics/<t>) over the dynamic broker levels (/config/brokers/<id>,
// then /config/brokers/<default>, dynamic_broker_config.h) over the static log defaults from
// server.properties. A change at any level, announced through /config/changes, is applied to
// every affected log at once: retention, segment size, message size... take effect without a
// restart.
//
// Threads: the change callbacks run on the DynamicConfigManager's serial executor (I/O pool;
// they read ZooKeeper); with_dynamic_defaults() may be called from any thread (log creation,
// recovery). The dynamic broker levels are guarded by a mutex.

#include "broker/log/cleaner_config.h"
#include "broker/log/log_config.h"
#include "broker/server/dynamic_broker_config.h"
#include "broker/server/kafka_config.h"
#include "common/result.h"

#include <cstdint>
#include <mutex>
#include <string>

namespace samsa::zk {
class KafkaZkClient;
}
namespace samsa::log {
class LogManager;
}

namespace samsa::server {

class DynamicListenerSsl;

class ConfigHandlers {
  public:
    // Borrows `zk` and `config`, which must outlive this object.
    ConfigHandlers(zk::KafkaZkClient& zk, const KafkaConfig& config, int32_t broker_id);

    // Reads the dynamic broker levels (start-up, before the logs are loaded, and when the
    // broker id becomes known).
    void load_broker_configs(int32_t broker_id);
    // The logs to update on changes; set once they are open.
    void set_log_manager(log::LogManager* logs) { logs_ = logs; }
    // The TLS listeners to reconfigure on changes (dynamic keystores); applies this broker's
    // dynamic level to them at once.
    void set_listener_ssl(DynamicListenerSsl* listener_ssl);

    // The log cleaner's settings: the dynamic levels' log.cleaner.* over server.properties.
    log::CleanerConfig cleaner_config() const;
    // A topic's overrides with the dynamic broker levels under them: what to lay over the
    // static log defaults (log::apply_topic_overrides) for the topic's effective config.
    log::ConfigMap with_dynamic_defaults(const log::ConfigMap& topic_overrides) const;
    // Reads /config/topics/<t> and returns with_dynamic_defaults() of it.
    result<log::ConfigMap> topic_overrides(const std::string& topic) const;

    // TopicConfigHandler: the topic's logs take its config afresh.
    void on_topic_change(const std::string& topic);
    // BrokerConfigHandler: `entity` is "<default>" or a broker id; a change at our level or
    // the default re-reads both levels and re-applies every log's config, and restarts the
    // log cleaner with its new settings when they changed (blocking until its threads end).
    void on_broker_change(const std::string& entity);

  private:
    // Re-applies the effective config of every log of `topic`, or of every log when empty.
    void update_logs(const std::string& topic);
    // Gives the TLS listeners this broker's dynamic level.
    void update_listeners();
    // Kafka's LogCleaner.reconfigure, when the log.cleaner.* settings in effect changed.
    void update_cleaner();

    zk::KafkaZkClient& zk_;
    const KafkaConfig& config_;
    const log::LogConfig static_defaults_;
    log::LogManager* logs_ = nullptr;
    mutable std::mutex mu_;
    int32_t broker_id_;
    DynamicBrokerConfigs dynamic_;                // guarded by mu_
    DynamicListenerSsl* listener_ssl_ = nullptr;  // guarded by mu_
};

}  // namespace samsa::server
