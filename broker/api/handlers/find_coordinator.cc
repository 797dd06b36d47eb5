// FindCoordinator. Consumer groups and transactions are later issues, so there is no
// coordinator yet: every key gets COORDINATOR_NOT_AVAILABLE (15), which clients treat as
// "retry later", exactly as Kafka answers while __consumer_offsets cannot be created.
//
// Why advertise it at all: librdkafka switches features on from the advertised API ranges, and
// it enables LZ4 compression only when FindCoordinator v0 is advertised (rdkafka_feature.c);
// without it librdkafka producers silently send lz4 batches uncompressed.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/protocol/generated/find_coordinator_request.h"
#include "broker/protocol/generated/find_coordinator_response.h"

namespace samsa::api {

HandlerResult handle_find_coordinator(RequestContext& ctx, protocol::Reader& body) {
    protocol::FindCoordinatorRequestData request;
    request.decode(body, ctx.api_version);
    protocol::FindCoordinatorResponseData response;
    response.node_id = -1;
    response.port = -1;
    // Kafka checks Describe on the group (key type 0) or the transactional id (1) first.
    if (request.key_type == 0 &&
        !ctx.authorize(auth::AclOperation::describe, auth::ResourceType::group, request.key)) {
        response.error_code = code(protocol::ErrorCode::group_authorization_failed);
        response.error_message = "Group authorization failed.";
        co_return ctx.respond(response);
    }
    if (request.key_type == 1 && !ctx.authorize(auth::AclOperation::describe,
                                                auth::ResourceType::transactional_id,
                                                request.key)) {
        response.error_code = code(protocol::ErrorCode::transactional_id_authorization_failed);
        response.error_message = "Transactional Id authorization failed.";
        co_return ctx.respond(response);
    }
    response.error_code = code(protocol::ErrorCode::coordinator_not_available);
    response.error_message = "The coordinator is not available (consumer groups and "
                             "transactions are not supported yet).";
    co_return ctx.respond(response);
}

}  // namespace samsa::api
