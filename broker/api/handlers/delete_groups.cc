// DeleteGroups (v0-1; v2 is flexible and not advertised): Group Delete per group; the
// coordinator deletes empty groups and writes their tombstones.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/delete_groups_request.h"
#include "broker/protocol/generated/delete_groups_response.h"

namespace samsa::api {

using protocol::ErrorCode;

HandlerResult handle_delete_groups(RequestContext& ctx, protocol::Reader& body) {
    protocol::DeleteGroupsRequestData request;
    request.decode(body, ctx.api_version);
    std::map<std::string, ErrorCode> results;
    std::vector<std::string> authorized;
    for (const auto& id : request.groups_names) {
        if (auto error = group_request_gate(ctx, 0, 1, auth::AclOperation::delete_, id);
            error != ErrorCode::none) {
            results[id] = error;
        } else {
            authorized.push_back(id);
        }
    }
    if (!authorized.empty()) {
        results.merge(ctx.broker.group_coordinator->delete_groups(authorized));
    }
    protocol::DeleteGroupsResponseData response;
    for (const auto& id : request.groups_names) {
        protocol::DeleteGroupsResponseData::DeletableGroupResult r;
        r.group_id = id;
        r.error_code = code(results[id]);
        response.results.push_back(std::move(r));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
