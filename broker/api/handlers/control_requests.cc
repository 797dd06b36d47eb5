// The controller's requests to brokers: LeaderAndIsr, UpdateMetadata and StopReplica (Kafka's
// handleLeaderAndIsrRequest and friends). They need ClusterAction on the cluster, and run on
// the I/O pool: they may create or delete logs.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/leader_and_isr_request.h"
#include "broker/protocol/generated/leader_and_isr_response.h"
#include "broker/protocol/generated/stop_replica_request.h"
#include "broker/protocol/generated/stop_replica_response.h"
#include "broker/protocol/generated/update_metadata_request.h"
#include "broker/protocol/generated/update_metadata_response.h"
#include "broker/replica/replica_manager.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>

namespace samsa::api {

namespace {

// The controller learns of our registration from its watch on /brokers/ids, and may send us
// requests naming the new epoch before our own create call has returned it to us: on a loaded
// machine, by long enough that answering STALE_BROKER_EPOCH then (the controller does not
// resend) left this broker without metadata until the next change. Kafka serves no request
// before it has registered; we hold these until we know our epoch, then check them. A restart
// waiting out its previous session's registration holds them as long (bounded by the
// controller's own socket timeout, after which it resends on a new connection anyway).
boost::asio::awaitable<void> await_registration(const replica::ReplicaManager& replicas,
                                                int64_t request_epoch) {
    using namespace std::chrono_literals;
    if (request_epoch == -1) {
        co_return;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (replicas.broker_epoch() == -1 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(10ms);
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
}

// Decodes a Request, checks ClusterAction, and answers with `apply(replica_manager, request,
// version)` computed on the I/O pool.
template <typename Request, typename Response, typename Apply>
HandlerResult handle_control(RequestContext& ctx, protocol::Reader& body, Apply apply) {
    Request request;
    request.decode(body, ctx.api_version);
    Response response;
    if (!ctx.authorize(auth::AclOperation::cluster_action, auth::ResourceType::cluster,
                       "kafka-cluster")) {
        response.error_code = code(protocol::ErrorCode::cluster_authorization_failed);
        co_return ctx.respond(response);
    }
    auto& replicas = *ctx.broker.replica_manager;
    co_await await_registration(replicas, request.broker_epoch);
    const int16_t version = ctx.api_version;
    response =
        co_await net::run_on(ctx.broker.io_pool, [&] { return apply(replicas, request, version); });
    co_return ctx.respond(response);
}

}  // namespace

HandlerResult handle_leader_and_isr(RequestContext& ctx, protocol::Reader& body) {
    return handle_control<protocol::LeaderAndIsrRequestData, protocol::LeaderAndIsrResponseData>(
        ctx, body, [](replica::ReplicaManager& rm, const auto& request, int16_t version) {
            return rm.become_leader_or_follower(request, version);
        });
}

HandlerResult handle_update_metadata(RequestContext& ctx, protocol::Reader& body) {
    return handle_control<protocol::UpdateMetadataRequestData,
                          protocol::UpdateMetadataResponseData>(
        ctx, body, [](replica::ReplicaManager& rm, const auto& request, int16_t) {
            protocol::UpdateMetadataResponseData response;
            response.error_code = code(rm.update_metadata(request));
            return response;
        });
}

HandlerResult handle_stop_replica(RequestContext& ctx, protocol::Reader& body) {
    return handle_control<protocol::StopReplicaRequestData, protocol::StopReplicaResponseData>(
        ctx, body, [](replica::ReplicaManager& rm, const auto& request, int16_t version) {
            return rm.stop_replicas(request, version);
        });
}

}  // namespace samsa::api
