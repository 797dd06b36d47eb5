#include "broker/server/config_handlers.h"

#include "broker/log/log.h"
#include "broker/log/log_manager.h"
#include "broker/server/dynamic_cleaner_config.h"
#include "broker/server/dynamic_listener_ssl.h"
#include "broker/server/log_config_defaults.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"

#include <map>

namespace samsa::server {

namespace {

auto& logger() {
    static auto l = get_logger("config");
    return *l;
}

}  // namespace

ConfigHandlers::ConfigHandlers(zk::KafkaZkClient& zk, const KafkaConfig& config, int32_t broker_id)
    : zk_(zk),
      config_(config),
      static_defaults_(log_config_defaults(config)),
      broker_id_(broker_id) {}

void ConfigHandlers::load_broker_configs(int32_t broker_id) {
    DynamicBrokerConfigs loaded;
    if (broker_id >= 0) {
        auto per_broker = zk_.get_entity_configs(zk::kConfigTypeBroker, std::to_string(broker_id));
        if (!per_broker) {
            logger().warn("cannot read /config/brokers/{}: {}", broker_id,
                          per_broker.error().message());
        } else {
            loaded.per_broker = std::move(per_broker).value();
        }
    }
    auto cluster = zk_.get_entity_configs(zk::kConfigTypeBroker, kDefaultBrokerEntity);
    if (!cluster) {
        logger().warn("cannot read /config/brokers/<default>: {}", cluster.error().message());
    } else {
        loaded.cluster_default = std::move(cluster).value();
    }
    std::lock_guard lock(mu_);
    broker_id_ = broker_id;
    dynamic_ = std::move(loaded);
}

log::CleanerConfig ConfigHandlers::cleaner_config() const {
    std::lock_guard lock(mu_);
    return effective_cleaner_config(config_, dynamic_);
}

void ConfigHandlers::update_cleaner() {
    if (logs_ == nullptr) {
        return;
    }
    const log::CleanerConfig next = cleaner_config();
    log::LogCleaner& cleaner = logs_->cleaner();
    log::CleanerConfig current = cleaner.config();
    current.enable = next.enable;  // static: not part of the comparison
    if (current == next) {
        return;
    }
    cleaner.reconfigure(next);
}

log::ConfigMap ConfigHandlers::with_dynamic_defaults(const log::ConfigMap& topic_overrides) const {
    log::ConfigMap merged;
    {
        std::lock_guard lock(mu_);
        merged = dynamic_log_overrides(dynamic_);
    }
    for (const auto& [key, value] : topic_overrides) {
        merged[key] = value;  // the topic's own settings win
    }
    return merged;
}

result<log::ConfigMap> ConfigHandlers::topic_overrides(const std::string& topic) const {
    SAMSA_TRY(auto overrides, zk_.get_topic_config(topic));
    return with_dynamic_defaults(overrides);
}

void ConfigHandlers::update_logs(const std::string& topic) {
    if (logs_ == nullptr) {
        return;
    }
    // One ZooKeeper read per topic, however many partitions it has here.
    std::map<std::string, std::optional<log::LogConfig>> configs;
    for (const auto& [tp, log] : logs_->all_logs()) {
        if (!topic.empty() && tp.topic != topic) {
            continue;
        }
        auto [it, fresh] = configs.try_emplace(tp.topic);
        if (fresh) {
            auto overrides = topic_overrides(tp.topic);
            if (!overrides) {
                logger().warn("cannot read the config of topic {}: {}", tp.topic,
                              overrides.error().message());
                continue;
            }
            auto applied = log::apply_topic_overrides(static_defaults_, overrides.value());
            if (!applied) {
                logger().warn("ignoring an invalid config of topic {}", tp.topic);
                continue;
            }
            it->second = applied.value();
        }
        if (it->second) {
            log->update_config(*it->second);
        }
    }
}

void ConfigHandlers::set_listener_ssl(DynamicListenerSsl* listener_ssl) {
    ConfigMap per_broker;
    {
        std::lock_guard lock(mu_);
        listener_ssl_ = listener_ssl;
        per_broker = dynamic_.per_broker;
    }
    listener_ssl->apply(per_broker);
}

void ConfigHandlers::update_listeners() {
    DynamicListenerSsl* listener_ssl = nullptr;
    ConfigMap per_broker;
    {
        std::lock_guard lock(mu_);
        listener_ssl = listener_ssl_;
        per_broker = dynamic_.per_broker;
    }
    if (listener_ssl != nullptr) {
        listener_ssl->apply(per_broker);
    }
}

void ConfigHandlers::on_topic_change(const std::string& topic) {
    update_logs(topic);
    logger().info("topic {}: config changed", topic);
}

void ConfigHandlers::on_broker_change(const std::string& entity) {
    int32_t id = 0;
    {
        std::lock_guard lock(mu_);
        id = broker_id_;
    }
    if (entity != kDefaultBrokerEntity && entity != std::to_string(id)) {
        return;  // another broker's own settings
    }
    load_broker_configs(id);
    update_logs("");
    update_listeners();
    update_cleaner();
    logger().info("dynamic broker config {} changed: every log's config re-applied", entity);
}

}  // namespace samsa::server
