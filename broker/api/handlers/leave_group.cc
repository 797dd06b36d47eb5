// LeaveGroup (v1-3; advertised 0-3): Group Read, then the coordinator removes the members.
// v3 (KIP-345) leaves a batch of members and answers per member; before it, one member, whose
// error becomes the response's.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/leave_group_request.h"
#include "broker/protocol/generated/leave_group_response.h"

namespace samsa::api {

using protocol::ErrorCode;

HandlerResult handle_leave_group(RequestContext& ctx, protocol::Reader& body) {
    protocol::LeaveGroupRequestData request;
    request.decode(body, ctx.api_version);
    protocol::LeaveGroupResponseData response;
    if (auto error = group_request_gate(ctx, 1, 3, auth::AclOperation::read, request.group_id);
        error != ErrorCode::none) {
        response.error_code = code(error);
        co_return ctx.respond(response);
    }
    std::vector<group::LeavingMember> leaving;
    if (ctx.api_version >= 3) {
        for (const auto& m : request.members) {
            leaving.push_back(group::LeavingMember{m.member_id, m.group_instance_id});
        }
    } else {
        leaving.push_back(group::LeavingMember{request.member_id, std::nullopt});
    }
    auto result = ctx.broker.group_coordinator->leave_group(request.group_id, leaving);
    response.error_code = code(result.error);
    if (ctx.api_version >= 3) {
        for (size_t i = 0; i < result.members.size() && i < leaving.size(); ++i) {
            protocol::LeaveGroupResponseData::MemberResponse m;
            m.member_id = leaving[i].member_id;
            m.group_instance_id = leaving[i].group_instance_id;
            m.error_code = code(result.members[i]);
            response.members.push_back(std::move(m));
        }
    } else if (result.error == ErrorCode::none && !result.members.empty()) {
        response.error_code = code(result.members.front());
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
