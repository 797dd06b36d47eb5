// DescribeCluster (KIP-700, Kafka's KafkaApis.handleDescribeCluster): the live brokers with
// their endpoint on the listener the request came in on, the controller and the cluster id,
// from the metadata cache; on request, the operations the caller may perform on the cluster.

#include "auth/acl.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/protocol/generated/describe_cluster_request.h"
#include "broker/protocol/generated/describe_cluster_response.h"
#include "broker/replica/metadata_cache.h"

namespace samsa::api {

namespace {

// Kafka's authorizedOperations for the cluster: one bit per AclOperation code allowed.
int32_t cluster_authorized_operations(const RequestContext& ctx) {
    using auth::AclOperation;
    int32_t bits = 0;
    for (AclOperation op :
         {AclOperation::alter, AclOperation::alter_configs, AclOperation::cluster_action,
          AclOperation::create, AclOperation::describe, AclOperation::describe_configs,
          AclOperation::idempotent_write}) {
        if (ctx.authorize(op, auth::ResourceType::cluster, auth::kClusterName)) {
            bits |= 1 << auth::operation_code(op);
        }
    }
    return bits;
}

}  // namespace

HandlerResult handle_describe_cluster(RequestContext& ctx, protocol::Reader& body) {
    protocol::DescribeClusterRequestData request;
    request.decode(body, ctx.api_version);
    protocol::DescribeClusterResponseData response;
    auto snapshot = ctx.broker.metadata_cache->snapshot();
    response.cluster_id = ctx.broker.metadata_cache->cluster_id();
    response.controller_id = snapshot->controller_id;
    for (const auto& [id, broker] : snapshot->brokers) {
        if (const auto* ep = broker.endpoint(ctx.session.listener_name)) {
            auto& b = response.brokers.emplace_back();
            b.broker_id = id;
            b.host = ep->host;
            b.port = ep->port;
            b.rack = broker.rack;
        }
    }
    if (request.include_cluster_authorized_operations) {
        response.cluster_authorized_operations = cluster_authorized_operations(ctx);
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
