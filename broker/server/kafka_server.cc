#include "broker/server/kafka_server.h"

#include "auth/acl_authorizer.h"
#include "auth/authorizer.h"
#include "auth/credential_cache.h"
#include "auth/sasl_server.h"
#include "auth/sasl_server_authenticator.h"
#include "broker/api/admin_manager.h"
#include "broker/api/fetch_session.h"
#include "broker/api/kafka_apis.h"
#include "broker/controller/kafka_controller.h"
#include "broker/group/asio_scheduler.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/replica_coordinator_log.h"
#include "broker/log/log_manager.h"
#include "broker/log/write_pressure.h"
#include "broker/metrics/metrics.h"
#include "broker/net/blocking_channel.h"
#include "broker/net/sasl_channel_authenticator.h"
#include "broker/net/socket_server.h"
#include "broker/protocol/generated/controlled_shutdown_request.h"
#include "broker/protocol/generated/controlled_shutdown_response.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "broker/server/config_handlers.h"
#include "broker/server/dynamic_config_manager.h"
#include "broker/server/dynamic_listener_ssl.h"
#include "broker/server/kafka_server_components.h"
#include "broker/server/listener_security.h"
#include "broker/server/log_config_defaults.h"
#include "broker/txn/producer_id_manager.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/uuid.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace samsa::server {

namespace asio = boost::asio;

namespace {

auto& logger() {
    static auto l = get_logger("server");
    return *l;
}

[[noreturn]] void fail(const std::string& message) {
    throw std::runtime_error(message);
}

// ControlledShutdown version for IBP 2.4 and later (ZK-MODE.md §f).
constexpr int16_t kControlledShutdownVersion = 3;

}  // namespace

KafkaServer::KafkaServer(KafkaConfig config)
    : config_(std::move(config)), c_(std::make_unique<Components>(config_)) {}

KafkaServer::~KafkaServer() {
    shutdown();
}

int32_t KafkaServer::broker_id() const {
    return c_->broker_id;
}

void KafkaServer::startup() {
    logger().info("starting");
    // Key material is checked before anything else starts: a bad keystore stops start-up.
    c_->channel_security = inter_broker_channel_security(config_);
    metrics::set_enabled(!config_.metrics_listener.empty());
    start_zookeeper();
    start_logs();
    start_security();
    start_authorizer();
    start_network();
    start_metrics();
    register_broker();
    {
        // A SIGTERM may have come while the registration was awaited: shutdown() then holds
        // or waits for mu_, so nothing below starts after it has stopped it.
        std::lock_guard lock(mu_);
        if (shutting_down_) {
            return;
        }
        // As Kafka's startProcessingRequests: the listeners were bound before the registration
        // (its stale-registration check needs the ports held), but they listen and serve only
        // now, so no client is told UNKNOWN_TOPIC_OR_PARTITION by a broker the cluster does not
        // know yet; until then connections are refused. Before the controller, which may send
        // this broker its first requests as soon as it is elected.
        c_->socket_server->start();
        c_->controller->startup();
        c_->broker_state = BrokerState::running_as_broker;
        started_ = true;
    }
    logger().info("[KafkaServer id={}] started (cluster {})", c_->broker_id, c_->cluster_id);
}

// metrics.listener: bound after the Kafka listeners, before the registration makes the broker
// visible, so a scrape never finds a registered broker without its metrics.
void KafkaServer::start_metrics() {
    if (config_.metrics_listener.empty()) {
        return;
    }
    std::string error;
    auto listener = parse_metrics_listener(config_.metrics_listener, error);
    if (!listener) {
        fail("metrics.listener=" + config_.metrics_listener + ": " + error);
    }
    c_->metrics_endpoint = std::make_unique<MetricsEndpoint>(*listener, c_->broker_state);
    auto console = console::console_config(config_, c_->broker_id, c_->channel_security);
    console.endpoints = [this] { return console::endpoints_of(*c_->metadata.snapshot()); };
    console.registered_since = [this] { return console::registration_times(*c_->zk); };
    c_->console = std::make_unique<console::ConsoleService>(std::move(console));
    c_->console->install(c_->metrics_endpoint->http());
    c_->metrics_endpoint->start();
}

// ZooKeeper: session, persistent paths, cluster id.
void KafkaServer::start_zookeeper() {
    zk::ZooKeeperClientOptions options;
    options.connect_string = config_.zookeeper_connect.to_string();
    options.session_timeout_ms = config_.zookeeper_session_timeout_ms;
    options.connection_timeout_ms = config_.zookeeper_connection_timeout_ms;
    options.max_in_flight_requests = config_.zookeeper_max_in_flight_requests;
    if (!config_.zookeeper_auth_digest.empty()) {
        options.auth_scheme = "digest";
        options.auth_credentials = config_.zookeeper_auth_digest;
    }
    if (config_.zookeeper_set_acl) {
        // Kafka's secure layout: creator-all plus world-read, creator-only for credentials.
        options.acl_provider = [](const std::string& path) {
            return zk::ZkData::default_acls(true, path);
        };
    }
    auto client = zk::ZooKeeperClient::connect(options);
    if (!client) {
        fail("cannot connect to ZooKeeper at " + options.connect_string + " within " +
             std::to_string(options.connection_timeout_ms) +
             " ms (zookeeper.connection.timeout.ms): " + client.error().message());
    }
    c_->zk_client = std::move(client).value();
    c_->zk = std::make_unique<zk::KafkaZkClient>(*c_->zk_client);
    if (auto r = c_->zk->create_top_level_paths(); !r) {
        fail("cannot create Kafka's persistent znodes: " + r.error().message());
    }
    auto cluster = c_->zk->get_or_create_cluster_id(zk::Uuid::random().to_string());
    if (!cluster) {
        fail("cannot read or create /cluster/id: " + cluster.error().message());
    }
    c_->cluster_id = cluster.value();
    c_->metadata.set_cluster_id(c_->cluster_id);
}

// SASL: the credential cache (loaded now, then kept current from /config/changes), the
// listeners' mechanisms, and the credential this broker presents to the others.
void KafkaServer::start_security() {
    auto strand = asio::make_strand(c_->io_pool.get_executor());
    // Topic and broker config changes (AlterConfigs, kafka-configs): the logs take them.
    auto* handlers = c_->config_handlers.get();
    auto topic_changed = [handlers](const std::string& topic) { handlers->on_topic_change(topic); };
    auto broker_changed = [handlers](const std::string& e) { handlers->on_broker_change(e); };
    c_->dynamic_config = std::make_unique<DynamicConfigManager>(
        *c_->zk, c_->credentials,
        [strand](std::function<void()> f) { asio::post(strand, std::move(f)); }, topic_changed,
        broker_changed);
    c_->dynamic_config->startup();

    for (const auto& [listener, mechanisms] : config_.sasl_listener_mechanisms) {
        for (const auto& m : mechanisms) {
            if (!auth::is_supported_mechanism(m)) {
                fail("listener " + listener + " enables SASL mechanism " + m +
                     " (sasl.enabled.mechanisms or listener.name.<listener>."
                     "sasl.enabled.mechanisms), which is not supported: PLAIN, SCRAM-SHA-256 and "
                     "SCRAM-SHA-512 are");
            }
        }
        c_->sasl.listeners[listener] = auth::SaslListenerConfig{
            mechanisms, std::chrono::milliseconds(config_.connections_max_reauth_ms)};
    }
    c_->sasl.credentials = &c_->credentials;
    c_->sasl.failed_authentication_delay =
        std::chrono::milliseconds(config_.connection_failed_authentication_delay_ms);
    if (auth::uses_sasl(config_.security_inter_broker_protocol)) {
        net::BlockingChannel::set_default_connect_hook(net::sasl_connect_hook(
            {config_.sasl_mechanism_inter_broker_protocol, config_.inter_broker_sasl_username,
             config_.inter_broker_sasl_password}));
        logger().info("inter-broker connections authenticate with {} as {}",
                      config_.sasl_mechanism_inter_broker_protocol,
                      config_.inter_broker_sasl_username);
    }
}

// Log dirs: lock, meta.properties (broker and cluster ids), recovery.
void KafkaServer::start_logs() {
    log::LogManagerConfig lm;
    lm.log_dirs = config_.log_dirs;
    lm.default_config = log_config_defaults(config_);
    lm.num_recovery_threads_per_data_dir = config_.num_recovery_threads_per_data_dir;
    lm.retention_check_interval_ms = config_.log_retention_check_interval_ms;
    lm.producer_id_expiration_ms = config_.transactional_id_expiration_ms;
    lm.flush_check_interval_ms = config_.log_flush_scheduler_interval_ms;
    lm.flush_recovery_offset_checkpoint_interval_ms =
        config_.log_flush_offset_checkpoint_interval_ms;
    lm.flush_start_offset_checkpoint_interval_ms =
        config_.log_flush_start_offset_checkpoint_interval_ms;
    const log::LogConfig defaults = lm.default_config;
    zk::KafkaZkClient& zk = *c_->zk;
    // Dynamic broker configs are topic defaults too: read them before any log is loaded. The
    // cleaner starts with the dynamic log.cleaner.* settings, as Kafka's does.
    c_->config_handlers = std::make_unique<ConfigHandlers>(zk, config_, config_.broker_id);
    c_->config_handlers->load_broker_configs(config_.broker_id);
    auto* handlers = c_->config_handlers.get();
    lm.cleaner = handlers->cleaner_config();
    // One ZooKeeper read per topic, not per partition (Kafka reads every topic's overrides
    // once before loading the logs): 10,000 serial reads made a restart take seconds. Called
    // from the recovery threads, hence the lock.
    struct ConfigMemo {
        std::mutex mu;
        std::map<std::string, log::LogConfig> configs;
    };
    auto memo = std::make_shared<ConfigMemo>();
    auto topic_config = [handlers, defaults, memo](const std::string& topic) {
        std::lock_guard lock(memo->mu);
        if (auto it = memo->configs.find(topic); it != memo->configs.end()) {
            return it->second;
        }
        auto overrides = handlers->topic_overrides(topic);
        if (!overrides) {
            return defaults;  // not remembered: the next partition of the topic asks again
        }
        auto applied = log::apply_topic_overrides(defaults, overrides.value());
        return memo->configs.emplace(topic, applied ? applied.value() : defaults).first->second;
    };
    auto logs = log::LogManager::open(lm, log::system_clock(), topic_config);
    if (!logs) {
        fail("cannot open log dirs: " + logs.error().message());
    }
    c_->logs = std::move(logs).value();

    auto meta = c_->logs->read_broker_metadata();
    if (!meta) {
        fail("cannot read meta.properties: " + meta.error().message());
    }
    if (meta.value() && meta.value()->cluster_id && *meta.value()->cluster_id != c_->cluster_id) {
        // Kafka's InconsistentClusterIdException: these logs belong to another cluster.
        fail("The Cluster ID " + c_->cluster_id + " doesn't match stored clusterId Some(" +
             *meta.value()->cluster_id +
             ") in meta.properties. The broker is trying to join the wrong cluster. Configured "
             "zookeeper.connect may be wrong.");
    }
    int32_t id = config_.broker_id;
    int32_t stored = meta.value() ? meta.value()->broker_id : -1;
    if (id >= 0 && stored >= 0 && id != stored) {
        fail("Configured broker.id " + std::to_string(id) + " doesn't match stored broker.id " +
             std::to_string(stored) +
             " in meta.properties. If you moved your data, make sure your configured broker.id "
             "matches.");
    }
    if (id < 0) {
        id = stored >= 0 ? stored : generate_broker_id();
    }
    c_->broker_id = id;
    if (id != config_.broker_id) {
        handlers->load_broker_configs(id);  // generated or stored id: its own level
    }
    handlers->set_log_manager(c_->logs.get());
    if (auto w = c_->logs->write_broker_metadata({id, c_->cluster_id}); !w) {
        fail("cannot write meta.properties: " + w.error().message());
    }
    c_->logs->startup();

    c_->replicas = std::make_unique<replica::ReplicaManager>(
        id, *c_->logs, c_->metadata, defaults,
        [handlers](const std::string& topic) { return handlers->topic_overrides(topic); },
        config_.replica_high_watermark_checkpoint_interval_ms, replication_config());
    start_group_coordinator();
    c_->replicas->startup();

    api::AdminDefaults admin_defaults;
    admin_defaults.num_partitions = config_.num_partitions;
    admin_defaults.default_replication_factor =
        static_cast<int16_t>(config_.default_replication_factor);
    admin_defaults.delete_topic_enable = config_.delete_topic_enable;
    admin_defaults.log_config = defaults;
    c_->admin = std::make_unique<api::AdminManager>(zk, c_->metadata, admin_defaults);
}

// The group coordinator, told by the ReplicaManager which __consumer_offsets partitions this
// broker leads (Kafka's onLeadershipChange -> onElection / onResignation).
void KafkaServer::start_group_coordinator() {
    group::GroupConfig gc;
    gc.min_session_timeout_ms = config_.group_min_session_timeout_ms;
    gc.max_session_timeout_ms = config_.group_max_session_timeout_ms;
    gc.initial_rebalance_delay_ms = config_.group_initial_rebalance_delay_ms;
    gc.max_size = config_.group_max_size;
    gc.offset_metadata_max_bytes = config_.offset_metadata_max_bytes;
    gc.offsets_topic_num_partitions = config_.offsets_topic_num_partitions;
    // Kafka's getGroupMetadataTopicPartitionCount: an existing topic's own count wins (a broker
    // configured otherwise may have created it; hashing by another count loses the groups).
    if (auto t = c_->zk->get_topic_assignment_and_version(group::kOffsetsTopic); t && t.value()) {
        gc.offsets_topic_num_partitions = static_cast<int32_t>(t.value()->first.partitions.size());
    }
    gc.offsets_retention_ms = int64_t{config_.offsets_retention_minutes} * 60 * 1000;
    gc.offsets_retention_check_interval_ms = config_.offsets_retention_check_interval_ms;
    gc.offsets_commit_timeout_ms = config_.offsets_commit_timeout_ms;
    gc.offsets_commit_required_acks = config_.offsets_commit_required_acks;
    gc.offsets_load_buffer_size = config_.offsets_load_buffer_size;
    c_->group_scheduler = std::make_unique<group::AsioScheduler>(c_->io_pool.get_executor());
    c_->group_log =
        std::make_unique<group::ReplicaCoordinatorLog>(*c_->replicas, c_->io_pool.get_executor());
    c_->groups =
        std::make_unique<group::GroupCoordinator>(gc, *c_->group_log, *c_->group_scheduler);
    auto* groups = c_->groups.get();
    c_->replicas->set_leadership_listener(
        [groups](const std::vector<replica::LeadershipChange>& changes) {
            for (const auto& change : changes) {
                const bool offsets = change.tp.topic == group::kOffsetsTopic;
                if (offsets && change.leader) {
                    groups->on_election(change.tp.partition, change.leader_epoch);
                } else if (offsets) {
                    groups->on_resignation(change.tp.partition);
                }
            }
        });
    c_->groups->enable_lag_metrics([replicas = c_->replicas.get()](const TopicPartition& tp) {
        auto p = replicas->get_partition(tp);
        return p ? std::optional<int64_t>(p->high_watermark()) : std::nullopt;
    });
    c_->groups->startup();
}

replica::ReplicationConfig KafkaServer::replication_config() const {
    replica::ReplicationConfig r;
    r.fetcher.max_wait_ms = config_.replica_fetch_wait_max_ms;
    r.fetcher.min_bytes = config_.replica_fetch_min_bytes;
    r.fetcher.response_max_bytes = config_.replica_fetch_response_max_bytes;
    r.fetcher.partition_max_bytes = config_.replica_fetch_max_bytes;
    r.fetcher.socket_timeout_ms = config_.replica_socket_timeout_ms;
    r.fetcher.backoff_ms = config_.replica_fetch_backoff_ms;
    r.fetcher.security = c_->channel_security;
    r.num_replica_fetchers = config_.num_replica_fetchers;
    r.replica_lag_time_max_ms = config_.replica_lag_time_max_ms;
    zk::KafkaZkClient& zk = *c_->zk;
    r.write_isr = [&zk](const replica::IsrChange& change) {
        zk::LeaderIsrAndControllerEpoch state;
        state.leader_and_isr.leader = BrokerId{change.leader};
        state.leader_and_isr.leader_epoch = LeaderEpoch{change.leader_epoch};
        for (int32_t b : change.isr) {
            state.leader_and_isr.isr.push_back(BrokerId{b});
        }
        state.leader_and_isr.zk_version = change.zk_version;
        state.controller_epoch = ControllerEpoch{change.controller_epoch};
        return zk.update_leader_and_isr(change.tp, state);
    };
    r.propagate_isr_changes = [&zk](const std::vector<TopicPartition>& partitions) {
        return zk.propagate_isr_changes(partitions);
    };
    return r;
}

// broker.id.generation.enable: the new zkVersion of /brokers/seqid plus reserved.broker.max.id.
int32_t KafkaServer::generate_broker_id() {
    if (!config_.broker_id_generation_enable) {
        fail("broker.id is not set and broker.id.generation.enable is false");
    }
    auto set = c_->zk_client->set_data(zk::SetDataOp{"/brokers/seqid", std::string(), -1});
    if (!set) {
        fail("cannot generate a broker id from /brokers/seqid: " + set.error().message());
    }
    return set.value().stat.version + config_.reserved_broker_max_id;
}

// authorizer.class.name: empty is Kafka's default (no authorization); AclAuthorizer (or its
// deprecated name) loads every ACL from ZooKeeper before the listeners open.
void KafkaServer::start_authorizer() {
    const std::string& name = config_.authorizer_class_name;
    if (name.empty()) {
        return;
    }
    if (name != auth::kAclAuthorizerClassName && name != auth::kSimpleAclAuthorizerClassName) {
        fail("authorizer.class.name: " + name + " is not supported (use " +
             std::string(auth::kAclAuthorizerClassName) + ")");
    }
    auth::AclAuthorizerConfig ac;
    auto super_users = auth::parse_super_users(config_.super_users);
    if (!super_users) {
        fail("super.users: '" + config_.super_users +
             "' is not a semicolon-separated list of principals like User:alice");
    }
    ac.super_users = std::move(super_users).value();
    ac.allow_everyone_if_no_acl_found = config_.allow_everyone_if_no_acl_found;
    // Change notifications are processed on the I/O pool, one at a time.
    auto strand = asio::make_strand(c_->io_pool.get_executor());
    c_->acl_authorizer = std::make_unique<auth::AclAuthorizer>(
        std::move(ac), *c_->zk,
        [strand](std::function<void()> f) { asio::post(strand, std::move(f)); });
    if (auto r = c_->acl_authorizer->start(); !r) {
        fail("cannot load ACLs from ZooKeeper: " + r.error().message());
    }
}

// Listeners, request handling threads.
void KafkaServer::start_network() {
    auto& s = c_->services;
    s.broker_id = c_->broker_id;
    s.config = &config_;
    s.replica_manager = c_->replicas.get();
    s.metadata_cache = &c_->metadata;
    s.admin = c_->admin.get();
    s.authorizer = c_->acl_authorizer
                       ? static_cast<const auth::Authorizer*>(c_->acl_authorizer.get())
                       : &c_->allow_all;
    s.acl_authorizer = c_->acl_authorizer.get();
    s.sasl = &c_->sasl;
    s.credentials = &c_->credentials;
    s.zk = c_->zk.get();
    s.io_pool = c_->io_pool.get_executor();
    c_->write_pressure.start();
    s.write_pressure = &c_->write_pressure;
    s.fetch_sessions = &c_->fetch_sessions;
    c_->producer_ids = std::make_unique<txn::ProducerIdManager>(
        c_->broker_id, txn::ProducerIdManager::zookeeper_store(*c_->zk));
    s.producer_ids = c_->producer_ids.get();
    s.group_coordinator = c_->groups.get();

    c_->listener_ssl = std::make_unique<DynamicListenerSsl>(config_);
    auto listeners = make_listener_configs(config_, *c_->channel_security, *c_->listener_ssl);
    c_->config_handlers->set_listener_ssl(c_->listener_ssl.get());  // what ZooKeeper holds now
    s.validate_listener_ssl = [ssl = c_->listener_ssl.get()](const ConfigMap& per_broker) {
        return ssl->validate(per_broker);
    };
    net::ConnectionConfig connection;
    connection.max_request_bytes = config_.socket_request_max_bytes;
    connection.max_unauthenticated_bytes = config_.sasl_server_max_receive_size;
    connection.max_idle = std::chrono::milliseconds(config_.connections_max_idle_ms);
    connection.send_buffer_bytes = config_.socket_send_buffer_bytes;
    connection.receive_buffer_bytes = config_.socket_receive_buffer_bytes;
    c_->apis = std::make_unique<api::KafkaApis>(s);
    c_->socket_server = std::make_unique<net::SocketServer>(config_.num_network_threads, listeners,
                                                            connection, *c_->apis);
    c_->socket_server->bind();

    // The controller exists before requests flow: handlers ask it whether it is active.
    c_->registration = broker_info();
    controller::ControllerConfig cc;
    cc.broker_id = c_->broker_id;
    cc.inter_broker_listener = config_.inter_broker_listener_name;
    cc.channel_security = c_->channel_security;
    cc.delete_topic_enable = config_.delete_topic_enable;
    cc.unclean_leader_election_enable = config_.unclean_leader_election_enable;
    cc.socket_timeout = std::chrono::milliseconds(config_.controller_socket_timeout_ms);
    cc.auto_leader_rebalance_enable = config_.auto_leader_rebalance_enable;
    cc.leader_imbalance_per_broker_percentage = config_.leader_imbalance_per_broker_percentage;
    cc.leader_imbalance_check_interval =
        std::chrono::seconds(config_.leader_imbalance_check_interval_seconds);
    auto* replicas = c_->replicas.get();
    auto* broker_epoch = &c_->broker_epoch;
    c_->controller = std::make_unique<controller::KafkaController>(
        cc, *c_->zk_client, *c_->zk, c_->registration, [replicas, broker_epoch](int64_t epoch) {
            replicas->set_broker_epoch(epoch);
            *broker_epoch = epoch;
        });
    s.controller = c_->controller.get();
}

void KafkaServer::shutdown() {
    if (shutting_down_.exchange(true)) {
        await_shutdown();  // another thread is shutting down: return once it has finished
        return;
    }
    {
        // A start-up waiting out a stale registration stops; it uses ZooKeeper until then.
        std::unique_lock lock(mu_);
        cv_.notify_all();
        cv_.wait(lock, [&] { return !awaiting_registration_; });
    }
    logger().info("[KafkaServer id={}] shutting down", c_->broker_id);
    controlled_shutdown();
    c_->broker_state = BrokerState::shutting_down;
    if (c_->controller) {
        c_->controller->shutdown();
    }
    if (c_->replicas) {
        c_->replicas->complete_delayed_requests();
    }
    if (c_->groups) {
        // Waiting JoinGroups and SyncGroups are answered NOT_COORDINATOR; the timers stop, so
        // the I/O pool can be joined without waiting for far-off session deadlines.
        c_->groups->shutdown();
        c_->group_scheduler->shutdown();
    }
    if (c_->socket_server) {
        // Closes every connection, lets requests in hand finish for a bounded time, then
        // stops the network threads.
        c_->socket_server->shutdown();
    }
    if (c_->metrics_endpoint) {
        c_->metrics_endpoint->stop();
    }
    if (c_->acl_authorizer) {
        c_->acl_authorizer->close();
    }
    if (c_->dynamic_config) {
        c_->dynamic_config->shutdown();
    }
    c_->io_pool.join();
    c_->write_pressure.stop();
    if (c_->replicas) {
        c_->replicas->shutdown();
    }
    if (c_->logs) {
        if (auto r = c_->logs->shutdown(); !r) {
            logger().error("log shutdown failed: {}", r.error().message());
        }
    }
    c_->zk.reset();
    c_->zk_client.reset();  // closes the session: /brokers/ids/<id> goes away
    // Notified under the lock: await_shutdown()'s caller may destroy this object as soon as
    // it sees shut_down_, so nothing here may touch cv_ after releasing mu_.
    std::lock_guard lock(mu_);
    shut_down_ = true;
    cv_.notify_all();
}

// Kafka's KafkaServer.controlledShutdown: while this broker still serves (its own controller
// included, when it is the controller), the controller moves the leadership of its partitions
// to other in-sync replicas, so clients fail over now rather than after the session ends.
// controlled.shutdown.max.retries attempts, controlled.shutdown.retry.backoff.ms apart; if none
// succeeds the broker stops anyway and the controller handles it as a failed broker.
void KafkaServer::controlled_shutdown() {
    {
        std::lock_guard lock(mu_);
        if (!started_ || !config_.controlled_shutdown_enable) {
            return;
        }
    }
    logger().info("starting controlled shutdown");
    c_->broker_state = BrokerState::pending_controlled_shutdown;
    // Partitions the controller now moves away become followers here; fetching for them would
    // only have their new leaders add this broker back to their ISRs (KIP-841's gap).
    c_->replicas->stop_starting_fetchers();
    const int attempts = config_.controlled_shutdown_max_retries;
    std::unique_ptr<net::BlockingChannel> channel;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        if (try_controlled_shutdown(channel, attempt)) {
            logger().info("controlled shutdown succeeded");
            return;
        }
        if (attempt < attempts) {
            std::this_thread::sleep_for(
                std::chrono::milliseconds(config_.controlled_shutdown_retry_backoff_ms));
            logger().warn("retrying controlled shutdown after the previous attempt failed");
        }
    }
    logger().warn(
        "proceeding to do an unclean shutdown as all the controlled shutdown attempts failed");
}

bool KafkaServer::try_controlled_shutdown(std::unique_ptr<net::BlockingChannel>& channel,
                                          int attempt) {
    auto controller_id = c_->zk->get_controller_id();
    if (!controller_id || !controller_id.value()) {
        logger().info("controlled shutdown attempt {}: no controller present in ZooKeeper{}",
                      attempt, controller_id ? "" : ": " + controller_id.error().message());
        return false;
    }
    const BrokerId id = *controller_id.value();
    auto controller = c_->zk->get_broker(id);
    const zk::EndPoint* ep = controller && controller.value()
                                 ? controller.value()->endpoint(config_.inter_broker_listener_name)
                                 : nullptr;
    if (ep == nullptr) {
        logger().info(
            "controlled shutdown attempt {}: no registration with a {} endpoint for "
            "controller {}",
            attempt, config_.inter_broker_listener_name, id);
        return false;
    }
    const auto port = static_cast<uint16_t>(ep->port);
    if (!channel || channel->host() != ep->host || channel->port() != port) {
        channel = std::make_unique<net::BlockingChannel>(
            ep->host, port, "broker-" + std::to_string(c_->broker_id) + "-controlled-shutdown",
            std::chrono::milliseconds(config_.controller_socket_timeout_ms), c_->channel_security);
    }
    protocol::ControlledShutdownRequestData request;
    request.broker_id = c_->broker_id;
    request.broker_epoch = c_->broker_epoch;
    logger().info("controlled shutdown attempt {}: asking controller {} at {}:{} (broker epoch {})",
                  attempt, id, ep->host, port, request.broker_epoch);
    auto response = channel->send<protocol::ControlledShutdownResponseData>(
        request, kControlledShutdownVersion);
    if (!response) {
        logger().warn(
            "error during controlled shutdown, possibly because leader movement took "
            "longer than controller.socket.timeout.ms: {}",
            response.error().message());
        channel.reset();
        return false;
    }
    const auto& r = response.value();
    if (r.error_code == 0 && r.remaining_partitions.empty()) {
        return true;
    }
    std::vector<std::string> remaining;
    for (const auto& p : r.remaining_partitions) {
        remaining.push_back(p.topic_name + "-" + std::to_string(p.partition_index));
    }
    logger().info("remaining partitions to move: [{}]; error from controller: {}",
                  fmt::join(remaining, ","),
                  protocol::error_name(static_cast<protocol::ErrorCode>(r.error_code)));
    return false;
}

void KafkaServer::await_shutdown() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return shut_down_; });
}

}  // namespace samsa::server
