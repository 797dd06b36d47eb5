// ListGroups (v0-4; v3+ flexible): the groups this broker coordinates. Cluster Describe sees
// them all; otherwise only those the caller may Describe (as Kafka 2.8). v4 filters by state.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/list_groups_request.h"
#include "broker/protocol/generated/list_groups_response.h"

#include <algorithm>

namespace samsa::api {

using protocol::ErrorCode;

HandlerResult handle_list_groups(RequestContext& ctx, protocol::Reader& body) {
    protocol::ListGroupsRequestData request;
    request.decode(body, ctx.api_version);
    protocol::ListGroupsResponseData response;
    if (!implemented(ctx, 0, 4)) {
        response.error_code = code(ErrorCode::unsupported_version);
        co_return ctx.respond(response);
    }
    auto [error, groups] = ctx.broker.group_coordinator->list_groups();
    response.error_code = code(error);
    const bool see_all =
        ctx.authorize(auth::AclOperation::describe, auth::ResourceType::cluster, "kafka-cluster");
    const auto& states = request.states_filter;
    for (auto& g : groups) {
        if (!states.empty() &&
            std::none_of(states.begin(), states.end(), [&](const std::string& s) {
                // Kafka compares state names case-insensitively.
                return std::equal(
                    s.begin(), s.end(), g.state.begin(), g.state.end(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
            })) {
            continue;
        }
        if (!see_all &&
            !ctx.authorize(auth::AclOperation::describe, auth::ResourceType::group, g.group_id)) {
            continue;
        }
        protocol::ListGroupsResponseData::ListedGroup l;
        l.group_id = std::move(g.group_id);
        l.protocol_type = std::move(g.protocol_type);
        l.group_state = std::move(g.state);
        response.groups.push_back(std::move(l));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
