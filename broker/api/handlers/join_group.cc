// JoinGroup (v2-5; advertised 0-5): Group Read, then the coordinator's join, which waits for
// the rebalance to complete (group_coordinator.cc).

#include "broker/api/errors.h"
#include "broker/api/handlers/group_await.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/join_group_request.h"
#include "broker/protocol/generated/join_group_response.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::JoinGroupRequestData;
using Response = protocol::JoinGroupResponseData;

Response error_response(ErrorCode error, const std::string& member_id) {
    Response r;
    r.error_code = code(error);
    r.generation_id = -1;
    r.protocol_name = "";
    r.member_id = member_id;
    return r;
}

group::JoinGroupRequest to_coordinator(const RequestContext& ctx, Request& request) {
    group::JoinGroupRequest j;
    j.group_id = request.group_id;
    j.member_id = request.member_id;
    j.group_instance_id = request.group_instance_id;
    j.require_known_member_id = ctx.api_version >= 4;
    j.client_id = ctx.client_id.value_or("");
    j.client_host = member_client_host(ctx);
    j.session_timeout_ms = request.session_timeout_ms;
    // v0 has no rebalance timeout: the session timeout serves for both.
    j.rebalance_timeout_ms =
        ctx.api_version >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms;
    j.protocol_type = request.protocol_type;
    for (auto& p : request.protocols) {
        j.protocols.push_back(group::ProtocolEntry{p.name, std::move(p.metadata)});
    }
    return j;
}

}  // namespace

HandlerResult handle_join_group(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    if (auto error = group_request_gate(ctx, 2, 5, auth::AclOperation::read, request.group_id);
        error != ErrorCode::none) {
        co_return ctx.respond(error_response(error, request.member_id));
    }
    if (request.group_instance_id && request.group_instance_id->empty()) {
        // Kafka's JoinGroupRequest.validateGroupInstanceId: empty is not an instance id.
        co_return ctx.respond(error_response(ErrorCode::invalid_request, request.member_id));
    }
    auto& coordinator = *ctx.broker.group_coordinator;
    auto join = to_coordinator(ctx, request);
    auto result = co_await await_group<group::JoinGroupResult>(
        [&](auto done) { coordinator.join_group(std::move(join), std::move(done)); });

    Response response;
    response.error_code = code(result.error);
    response.generation_id = result.generation_id;
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name.value_or("");
    response.leader = result.leader_id;
    response.member_id = result.member_id;
    for (auto& m : result.members) {
        Response::JoinGroupResponseMember member;
        member.member_id = m.member_id;
        member.group_instance_id = m.group_instance_id;
        member.metadata = std::move(m.metadata);
        response.members.push_back(std::move(member));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
