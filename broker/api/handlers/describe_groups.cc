// DescribeGroups (v0-4; v5 is flexible and not advertised): Group Describe per group, then the
// coordinator's summary; v3+ can ask for the operations the caller may perform (KIP-430).

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/describe_groups_request.h"
#include "broker/protocol/generated/describe_groups_response.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Response = protocol::DescribeGroupsResponseData;

// Kafka's AclOperation codes, the bits of authorized_operations.
constexpr int kRead = 3;
constexpr int kDelete = 6;
constexpr int kDescribe = 8;

// The operations a group supports that the caller may perform.
int32_t group_authorized_operations(const RequestContext& ctx, const std::string& group_id) {
    int32_t bits = 0;
    const std::pair<auth::AclOperation, int> ops[] = {{auth::AclOperation::read, kRead},
                                                      {auth::AclOperation::delete_, kDelete},
                                                      {auth::AclOperation::describe, kDescribe}};
    for (const auto& [op, bit] : ops) {
        if (ctx.authorize(op, auth::ResourceType::group, group_id)) {
            bits |= 1 << bit;
        }
    }
    return bits;
}

}  // namespace

HandlerResult handle_describe_groups(RequestContext& ctx, protocol::Reader& body) {
    protocol::DescribeGroupsRequestData request;
    request.decode(body, ctx.api_version);
    Response response;
    for (const auto& id : request.groups) {
        Response::DescribedGroup g;
        g.group_id = id;
        if (auto error = group_request_gate(ctx, 0, 4, auth::AclOperation::describe, id);
            error != ErrorCode::none) {
            g.error_code = code(error);
        } else {
            auto summary = ctx.broker.group_coordinator->describe_group(id);
            g.error_code = code(summary.error);
            g.group_state = summary.state;
            g.protocol_type = summary.protocol_type;
            g.protocol_data = summary.protocol;
            for (auto& m : summary.members) {
                Response::DescribedGroupMember member;
                member.member_id = m.member_id;
                member.group_instance_id = m.group_instance_id;
                member.client_id = m.client_id;
                member.client_host = m.client_host;
                member.member_metadata = std::move(m.metadata);
                member.member_assignment = std::move(m.assignment);
                g.members.push_back(std::move(member));
            }
            if (request.include_authorized_operations) {
                g.authorized_operations = group_authorized_operations(ctx, id);
            }
        }
        response.groups.push_back(std::move(g));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
