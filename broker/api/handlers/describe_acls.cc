// DescribeAcls (Kafka's KafkaApis.handleDescribeAcls): Describe on the cluster, then the ACLs
// matching the filter from the authorizer's memory, grouped by resource pattern. Without the
// ACL authorizer: SECURITY_DISABLED.

#include "auth/acl_authorizer.h"
#include "broker/api/acl_requests.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/acl_gate.h"
#include "broker/api/handlers/handlers.h"
#include "broker/protocol/generated/describe_acls_request.h"
#include "broker/protocol/generated/describe_acls_response.h"

#include <map>

namespace samsa::api {

namespace {

using protocol::DescribeAclsResponseData;
using protocol::ErrorCode;

DescribeAclsResponseData error_response(ErrorCode error, std::string message) {
    DescribeAclsResponseData response;
    response.error_code = code(error);
    response.error_message = std::move(message);
    return response;
}

// Kafka's DescribeAclsResponse.aclsResources: one entry per resource pattern.
std::vector<DescribeAclsResponseData::DescribeAclsResource> group_by_resource(
    const std::vector<auth::AclBinding>& bindings) {
    std::map<auth::ResourcePattern, std::vector<const auth::AclEntry*>> grouped;
    for (const auto& b : bindings) {
        grouped[b.pattern].push_back(&b.entry);
    }
    std::vector<DescribeAclsResponseData::DescribeAclsResource> out;
    for (const auto& [pattern, entries] : grouped) {
        DescribeAclsResponseData::DescribeAclsResource r;
        r.resource_type = auth::resource_type_code(pattern.resource_type);
        r.resource_name = pattern.name;
        r.pattern_type = pattern_type_code(pattern.pattern_type);
        for (const auth::AclEntry* e : entries) {
            DescribeAclsResponseData::AclDescription d;
            d.principal = e->principal;
            d.host = e->host;
            d.operation = auth::operation_code(e->operation);
            d.permission_type = permission_code(e->permission);
            r.acls.push_back(std::move(d));
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

HandlerResult handle_describe_acls(RequestContext& ctx, protocol::Reader& body) {
    protocol::DescribeAclsRequestData request;
    request.decode(body, ctx.api_version);
    if (auto refused = acl_api_gate(ctx, auth::AclOperation::describe)) {
        co_return ctx.respond(error_response(refused->error, refused->message));
    }
    auto filter = to_acl_filter({request.resource_type_filter, &request.resource_name_filter,
                                 request.pattern_type_filter, &request.principal_filter,
                                 &request.host_filter, request.operation, request.permission_type});
    if (auto* why = std::get_if<std::string>(&filter)) {
        co_return ctx.respond(error_response(ErrorCode::invalid_request, *why));
    }
    DescribeAclsResponseData response;
    response.resources = group_by_resource(
        ctx.broker.acl_authorizer->describe_acls(std::get<auth::AclBindingFilter>(filter)));
    co_return ctx.respond(response);
}

}  // namespace samsa::api
