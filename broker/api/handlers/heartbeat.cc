// Heartbeat (v1-3; advertised 0-3): Group Read, then the coordinator's heartbeat, which answers
// at once.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/heartbeat_request.h"
#include "broker/protocol/generated/heartbeat_response.h"

namespace samsa::api {

using protocol::ErrorCode;

HandlerResult handle_heartbeat(RequestContext& ctx, protocol::Reader& body) {
    protocol::HeartbeatRequestData request;
    request.decode(body, ctx.api_version);
    protocol::HeartbeatResponseData response;
    if (!implemented(ctx, 1, 3)) {
        response.error_code = code(ErrorCode::unsupported_version);
    } else if (!ctx.authorize(auth::AclOperation::read, auth::ResourceType::group,
                              request.group_id)) {
        response.error_code = code(ErrorCode::group_authorization_failed);
    } else {
        response.error_code = code(ctx.broker.group_coordinator->heartbeat(
            request.group_id, request.member_id, request.group_instance_id,
            request.generation_id));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
