// SyncGroup (v1-3; advertised 0-3): Group Read, then the coordinator's sync, which waits for
// the leader's assignment to be stored (group_coordinator_members.cc).

#include "broker/api/errors.h"
#include "broker/api/handlers/group_await.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/sync_group_request.h"
#include "broker/protocol/generated/sync_group_response.h"

namespace samsa::api {

using protocol::ErrorCode;

HandlerResult handle_sync_group(RequestContext& ctx, protocol::Reader& body) {
    protocol::SyncGroupRequestData request;
    request.decode(body, ctx.api_version);
    protocol::SyncGroupResponseData response;
    if (auto error = group_request_gate(ctx, 1, 3, auth::AclOperation::read, request.group_id);
        error != ErrorCode::none) {
        response.error_code = code(error);
        co_return ctx.respond(response);
    }
    group::SyncGroupRequest sync;
    sync.group_id = request.group_id;
    sync.generation_id = request.generation_id;
    sync.member_id = request.member_id;
    sync.group_instance_id = request.group_instance_id;
    sync.protocol_type = request.protocol_type;
    sync.protocol_name = request.protocol_name;
    for (auto& a : request.assignments) {
        sync.assignments[a.member_id] = std::move(a.assignment);
    }
    auto& coordinator = *ctx.broker.group_coordinator;
    auto result = co_await await_group<group::SyncGroupResult>(
        [&](auto done) { coordinator.sync_group(std::move(sync), std::move(done)); });
    response.error_code = code(result.error);
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
    response.assignment = std::move(result.assignment);
    co_return ctx.respond(response);
}

}  // namespace samsa::api
