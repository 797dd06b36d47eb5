#include "broker/server/dynamic_config_manager.h"

#include "auth/sanitizer.h"
#include "auth/scram_credential.h"
#include "common/logging.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>

namespace samsa::server {

namespace {

auto& logger() {
    static auto l = get_logger("config");
    return *l;
}

constexpr const char* kHandlerName = "dynamic-config-manager";
// Kafka's changeExpirationMs: a notification older than this has been seen by every broker.
constexpr int64_t kChangeExpirationMs = 15 * 60 * 1000;

// The SCRAM credentials in a user's config (other keys are quotas: not ours).
std::map<auth::ScramMechanism, auth::ScramCredential> credentials_of(const std::string& user,
                                                                     const zk::ConfigMap& config) {
    std::map<auth::ScramMechanism, auth::ScramCredential> out;
    for (const auto& [key, value] : config) {
        auto mechanism = auth::parse_scram_mechanism(key);
        if (!mechanism) {
            continue;
        }
        if (auto c = auth::parse_scram_credential(value)) {
            out[*mechanism] = std::move(*c);
        } else {
            logger().warn("ignoring a malformed {} credential of user {}", key, user);
        }
    }
    return out;
}

}  // namespace

// Shared with the posted work and the ZooKeeper handlers, which may run after shutdown.
struct DynamicConfigManager::State {
    zk::KafkaZkClient& zk;
    auth::CredentialCache& credentials;
    zk::Executor executor;
    std::mutex mu;  // serialises the work itself (the executor is serial too)
    std::atomic<bool> stopped{false};
    std::string last_applied;  // sequence number of the last change node applied

    TopicConfigChanged topic_changed;
    BrokerConfigChanged broker_changed;

    State(zk::KafkaZkClient& z, auth::CredentialCache& c, zk::Executor e, TopicConfigChanged t,
          BrokerConfigChanged b)
        : zk(z),
          credentials(c),
          executor(std::move(e)),
          topic_changed(std::move(t)),
          broker_changed(std::move(b)) {}

    void reload_user(const std::string& sanitized) {
        auto user = auth::desanitize(sanitized);
        if (!user) {
            logger().warn("ignoring user entity with a malformed name {}", sanitized);
            return;
        }
        auto config = zk.get_entity_configs(zk::kConfigTypeUser, sanitized);
        if (!config) {
            logger().warn("cannot read the config of user {}: {}", *user, config.error().message());
            return;
        }
        auto creds = credentials_of(*user, config.value());
        logger().info("{} SCRAM credentials of user {} ({} mechanisms)",
                      creds.empty() ? "removed" : "loaded", *user, creds.size());
        credentials.update_user(*user, creds);
    }

    void load_all_users() {
        auto users = zk.get_all_entities(zk::kConfigTypeUser);
        if (!users) {
            logger().error("cannot list /config/users: {}", users.error().message());
            return;
        }
        for (const auto& existing : credentials.users()) {
            if (std::find(users.value().begin(), users.value().end(), auth::sanitize(existing)) ==
                users.value().end()) {
                credentials.remove_user(existing);
            }
        }
        for (const auto& user : users.value()) {
            reload_user(user);
        }
    }

    // Re-arms the watch and applies the notifications above last_applied, in order.
    void process_notifications(bool apply) {
        auto sequence_numbers = zk.get_config_change_notifications(/*watch=*/true);
        if (!sequence_numbers) {
            logger().warn("cannot read /config/changes: {}", sequence_numbers.error().message());
            return;
        }
        for (const auto& seq : sequence_numbers.value()) {
            if (!last_applied.empty() && seq <= last_applied) {
                continue;
            }
            last_applied = seq;
            if (apply) {
                apply_notification(seq);
            }
        }
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        if (auto purged = zk.purge_config_change_notifications(sequence_numbers.value(), now_ms,
                                                               kChangeExpirationMs);
            !purged) {
            logger().warn("cannot purge old config change notifications: {}",
                          purged.error().message());
        }
    }

    void apply_notification(const std::string& seq) {
        auto entity = zk.get_config_change_notification(seq);
        if (!entity || !entity.value()) {
            return;  // deleted meanwhile, or malformed (logged by nobody: skip it as Kafka does)
        }
        const std::string& path = *entity.value();
        const std::string prefix = std::string(zk::kConfigTypeUser) + "/";
        // users/<u> only; users/<u>/clients/<c> are quotas.
        if (path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos) {
            reload_user(path.substr(prefix.size()));
        }
        const std::string topics = std::string(zk::kConfigTypeTopic) + "/";
        if (topic_changed && path.starts_with(topics) && path.size() > topics.size()) {
            topic_changed(path.substr(topics.size()));
        }
        const std::string brokers = std::string(zk::kConfigTypeBroker) + "/";
        if (broker_changed && path.starts_with(brokers) && path.size() > brokers.size()) {
            broker_changed(path.substr(brokers.size()));
        }
    }

    void post(std::function<void(State&)> work, const std::shared_ptr<State>& self) {
        executor([self, work = std::move(work)] {
            if (self->stopped) {
                return;
            }
            std::lock_guard lock(self->mu);
            work(*self);
        });
    }
};

class DynamicConfigManager::ChangeHandler final : public zk::ZNodeChildChangeHandler {
  public:
    explicit ChangeHandler(std::weak_ptr<State> state)
        : ZNodeChildChangeHandler(zk::ConfigEntityChangeNotificationZNode::path()),
          state_(std::move(state)) {}
    void on_child_change() override {
        if (auto s = state_.lock()) {
            s->post([](State& st) { st.process_notifications(true); }, s);
        }
    }

  private:
    std::weak_ptr<State> state_;
};

class DynamicConfigManager::SessionHandler final : public zk::StateChangeHandler {
  public:
    explicit SessionHandler(std::weak_ptr<State> state)
        : StateChangeHandler(kHandlerName), state_(std::move(state)) {}
    void after_initializing_session() override {
        if (auto s = state_.lock()) {
            s->post(
                [](State& st) {
                    st.process_notifications(false);
                    st.load_all_users();
                    if (st.broker_changed) {
                        st.broker_changed("<default>");
                    }
                },
                s);
        }
    }

  private:
    std::weak_ptr<State> state_;
};

DynamicConfigManager::DynamicConfigManager(zk::KafkaZkClient& zk,
                                           auth::CredentialCache& credentials,
                                           zk::Executor executor, TopicConfigChanged topic_changed,
                                           BrokerConfigChanged broker_changed)
    : state_(std::make_shared<State>(zk, credentials, std::move(executor), std::move(topic_changed),
                                     std::move(broker_changed))) {}

DynamicConfigManager::~DynamicConfigManager() {
    shutdown();
}

void DynamicConfigManager::startup() {
    auto& client = state_->zk.zookeeper_client();
    client.register_znode_child_change_handler(std::make_shared<ChangeHandler>(state_),
                                               state_->executor);
    client.register_state_change_handler(std::make_shared<SessionHandler>(state_));
    std::lock_guard lock(state_->mu);
    // Notifications listed now are covered by the load that follows; the ones created after
    // the listing fire the watch and are applied then.
    state_->process_notifications(false);
    state_->load_all_users();
}

void DynamicConfigManager::shutdown() {
    if (state_->stopped.exchange(true)) {
        return;
    }
    auto& client = state_->zk.zookeeper_client();
    client.unregister_znode_child_change_handler(zk::ConfigEntityChangeNotificationZNode::path());
    client.unregister_state_change_handler(kHandlerName);
}

}  // namespace samsa::server
