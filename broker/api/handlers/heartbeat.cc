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
    if (auto error = group_request_gate(ctx, 1, 3, auth::AclOperation::read, request.group_id);
        error != ErrorCode::none) {
        response.error_code = code(error);
    } else {
        response.error_code = code(ctx.broker.group_coordinator->heartbeat(
            request.group_id, request.member_id, request.group_instance_id, request.generation_id));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
