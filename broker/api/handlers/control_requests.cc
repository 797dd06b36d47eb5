// The controller's requests to brokers: LeaderAndIsr, UpdateMetadata and StopReplica (Kafka's
// handleLeaderAndIsrRequest and friends). They run on the I/O pool (they may create or delete
// logs) and need ClusterAction on the cluster.

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

namespace samsa::api {

namespace {

using protocol::ErrorCode;

bool authorized(const RequestContext& ctx) {
    return ctx.authorize(auth::AclOperation::cluster_action, auth::ResourceType::cluster,
                         "kafka-cluster");
}

}  // namespace

HandlerResult handle_leader_and_isr(RequestContext& ctx, protocol::Reader& body) {
    protocol::LeaderAndIsrRequestData request;
    request.decode(body, ctx.api_version);
    protocol::LeaderAndIsrResponseData response;
    if (!authorized(ctx)) {
        response.error_code = code(ErrorCode::cluster_authorization_failed);
        co_return ctx.respond(response);
    }
    auto& replicas = *ctx.broker.replica_manager;
    response = co_await net::run_on(ctx.broker.io_pool, [&] {
        return replicas.become_leader_or_follower(request, ctx.api_version);
    });
    co_return ctx.respond(response);
}

HandlerResult handle_update_metadata(RequestContext& ctx, protocol::Reader& body) {
    protocol::UpdateMetadataRequestData request;
    request.decode(body, ctx.api_version);
    protocol::UpdateMetadataResponseData response;
    if (!authorized(ctx)) {
        response.error_code = code(ErrorCode::cluster_authorization_failed);
        co_return ctx.respond(response);
    }
    auto& replicas = *ctx.broker.replica_manager;
    response.error_code = code(co_await net::run_on(
        ctx.broker.io_pool, [&] { return replicas.update_metadata(request); }));
    co_return ctx.respond(response);
}

HandlerResult handle_stop_replica(RequestContext& ctx, protocol::Reader& body) {
    protocol::StopReplicaRequestData request;
    request.decode(body, ctx.api_version);
    protocol::StopReplicaResponseData response;
    if (!authorized(ctx)) {
        response.error_code = code(ErrorCode::cluster_authorization_failed);
        co_return ctx.respond(response);
    }
    auto& replicas = *ctx.broker.replica_manager;
    response = co_await net::run_on(ctx.broker.io_pool, [&] {
        return replicas.stop_replicas(request, ctx.api_version);
    });
    co_return ctx.respond(response);
}

}  // namespace samsa::api
