#pragma once
// KafkaServer's components, in the order they are built (private to broker/server: the
// KafkaServer member functions spread over kafka_server*.cc share it).

#include "auth/acl_authorizer.h"
#include "auth/authorizer.h"
#include "auth/credential_cache.h"
#include "auth/sasl_server.h"
#include "auth/sasl_server_authenticator.h"
#include "broker/api/admin_manager.h"
#include "broker/api/fetch_session.h"
#include "broker/api/kafka_apis.h"
#include "broker/console/console_service.h"
#include "broker/controller/kafka_controller.h"
#include "broker/group/asio_scheduler.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/replica_coordinator_log.h"
#include "broker/log/log_manager.h"
#include "broker/log/write_pressure.h"
#include "broker/net/socket_server.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "broker/server/config_handlers.h"
#include "broker/server/dynamic_config_manager.h"
#include "broker/server/dynamic_listener_ssl.h"
#include "broker/server/kafka_server.h"
#include "broker/server/metrics_endpoint.h"
#include "broker/txn/producer_id_manager.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace samsa::server {

namespace asio = boost::asio;

struct KafkaServer::Components {
    explicit Components(const KafkaConfig& config)
        : io_pool(static_cast<size_t>(std::max(1, config.num_io_threads))),
          fetch_sessions(static_cast<size_t>(config.max_incremental_fetch_session_cache_slots)) {}

    asio::thread_pool io_pool;
    log::WritePressure write_pressure;
    api::FetchSessionCache fetch_sessions;

    std::unique_ptr<zk::ZooKeeperClient> zk_client;
    std::unique_ptr<zk::KafkaZkClient> zk;
    // Outlives the ReplicaManager and the DynamicConfigManager, which call it.
    std::unique_ptr<ConfigHandlers> config_handlers;
    std::unique_ptr<log::LogManager> logs;
    replica::MetadataCache metadata;
    std::unique_ptr<replica::ReplicaManager> replicas;
    // The group coordinator, its timers and its view of __consumer_offsets (destroyed before
    // the ReplicaManager it appends through).
    std::unique_ptr<group::AsioScheduler> group_scheduler;
    std::unique_ptr<group::ReplicaCoordinatorLog> group_log;
    std::unique_ptr<group::GroupCoordinator> groups;
    std::unique_ptr<api::AdminManager> admin;
    std::unique_ptr<txn::ProducerIdManager> producer_ids;
    std::unique_ptr<controller::KafkaController> controller;
    auth::AllowAllAuthorizer allow_all;
    std::unique_ptr<auth::AclAuthorizer> acl_authorizer;  // authorizer.class.name set
    // How this broker's client channels reach the inter-broker listener (TLS context).
    std::shared_ptr<const net::ChannelSecurity> channel_security;
    // Dynamic keystores; outlives dynamic_config and services, which call it.
    std::unique_ptr<DynamicListenerSsl> listener_ssl;
    auth::CredentialCache credentials;
    auth::SaslServerConfig sasl;
    std::unique_ptr<DynamicConfigManager> dynamic_config;
    api::BrokerServices services;
    std::unique_ptr<api::KafkaApis> apis;
    std::unique_ptr<net::SocketServer> socket_server;
    // What kafka_server_kafkaserver_brokerstate reports; outlives metrics_endpoint.
    std::atomic<BrokerState> broker_state{BrokerState::starting};
    // The console's routes on the metrics listener (destroyed after the listener stops).
    std::unique_ptr<console::ConsoleService> console;
    // metrics.listener: /metrics and the console (off by default).
    std::unique_ptr<MetricsEndpoint> metrics_endpoint;

    int32_t broker_id = -1;
    std::string cluster_id;
    zk::BrokerInfo registration;
    // The czxid of our registration, renewed when the session expires and we register again.
    std::atomic<int64_t> broker_epoch{-1};
};

}  // namespace samsa::server
