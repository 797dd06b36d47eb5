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

namespace samsa::api {

namespace {

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
    const int16_t version = ctx.api_version;
    response = co_await net::run_on(ctx.broker.io_pool,
                                    [&] { return apply(replicas, request, version); });
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
