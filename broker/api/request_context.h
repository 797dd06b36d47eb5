#pragma once
// RequestContext: everything a handler may use for one request — the decoded header, the
// caller's session, the frame the body came from, and the broker's services.
//
// Lives on the connection's strand for the duration of one handle() call. Handlers borrow the
// services (which outlive every request) and must not keep references to the context after
// they return.

#include "auth/authorizer.h"
#include "auth/session.h"
#include "broker/api/request_metrics.h"
#include "broker/net/request_handler.h"
#include "broker/protocol/api_key.h"
#include "broker/protocol/wire.h"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace samsa::server {
struct KafkaConfig;
}
namespace samsa::replica {
class ReplicaManager;
class MetadataCache;
}  // namespace samsa::replica
namespace samsa::controller {
class KafkaController;
}
namespace samsa::log {
class WritePressure;
}
namespace samsa::auth {
struct SaslServerConfig;
class CredentialCache;
}  // namespace samsa::auth
namespace samsa::zk {
class KafkaZkClient;
}
namespace samsa::group {
class GroupCoordinator;
}

namespace samsa::auth {
class AclAuthorizer;
}
namespace samsa::txn {
class ProducerIdManager;
}

namespace samsa::api {

class FetchSessionCache;

class AdminManager;

// The broker's components a handler may reach. Owned by KafkaServer; outlives all requests.
struct BrokerServices {
    int32_t broker_id = -1;
    const server::KafkaConfig* config = nullptr;
    replica::ReplicaManager* replica_manager = nullptr;
    replica::MetadataCache* metadata_cache = nullptr;
    AdminManager* admin = nullptr;
    controller::KafkaController* controller = nullptr;
    const auth::Authorizer* authorizer = nullptr;
    // The same authorizer when it is Kafka's AclAuthorizer (authorizer.class.name), for the ACL
    // APIs; null when authorization is off, and they answer SECURITY_DISABLED.
    auth::AclAuthorizer* acl_authorizer = nullptr;
    // SASL listeners' settings and the SCRAM credentials (null when no listener uses SASL).
    const auth::SaslServerConfig* sasl = nullptr;
    // SCRAM credentials, for Describe/AlterUserScramCredentials (always set by KafkaServer).
    const auth::CredentialCache* credentials = nullptr;
    // For the handlers that write ZooKeeper themselves (AlterUserScramCredentials), from the
    // I/O pool only.
    zk::KafkaZkClient* zk = nullptr;
    // Whether appends from network threads should go to the I/O pool (the kernel is about to
    // throttle writers).
    log::WritePressure* write_pressure = nullptr;
    // Incremental fetch sessions (KIP-227).
    FetchSessionCache* fetch_sessions = nullptr;
    // Producer ids for InitProducerId (may block on ZooKeeper: I/O pool only).
    txn::ProducerIdManager* producer_ids = nullptr;
    // Consumer groups and committed offsets (the group APIs and FindCoordinator).
    group::GroupCoordinator* group_coordinator = nullptr;
    // Checks this broker's new per-broker dynamic config against its TLS listeners (a new
    // keystore must load and name the same subject); the reason it cannot apply, or nullopt.
    // Empty when no listener uses TLS. I/O pool only (reads key files).
    std::function<std::optional<std::string>(const std::map<std::string, std::string>&)>
        validate_listener_ssl;
    // Kafka's request handler threads, here only for work that may block for long: fsync,
    // segment roll, log creation and deletion, ZooKeeper. Everything else runs on the network
    // thread that read the request.
    boost::asio::any_io_executor io_pool;
};

struct RequestContext {
    protocol::ApiKey api_key{};
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;
    auth::Session& session;
    BrokerServices& broker;
    net::Frame frame;  // keeps zero-copy records alive
    // Set by the Fetch handler for a replica's fetch (request metrics name it FetchFollower).
    bool follower_fetch = false;

    // Frames `response`: size prefix, response header (v0 or v1 for this API and version),
    // body at the request's version.
    // A response with a top-level error_code counts it in the request metrics (the handlers
    // count partition-level errors themselves).
    template <typename Response>
    net::HandlerOutcome respond(const Response& response) const {
        if constexpr (requires { response.error_code; }) {
            record_error(api_key, static_cast<protocol::ErrorCode>(response.error_code),
                         follower_fetch);
        }
        net::HandlerOutcome out;
        out.response.emplace();
        protocol::Writer& w = *out.response;
        begin_response(w);
        response.encode(w, api_version);
        finish_response(w);
        return out;
    }

    bool authorize(auth::AclOperation op, auth::ResourceType type, std::string_view name) const {
        return broker.authorizer->authorize(session, op, type, name);
    }

    // Writes the size placeholder and the response header.
    void begin_response(protocol::Writer& w) const;
    // Patches the size prefix.
    static void finish_response(protocol::Writer& w);
};

}  // namespace samsa::api
