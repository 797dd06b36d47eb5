// DeleteAcls (Kafka's KafkaApis.handleDeleteAcls): Alter on the cluster, then every ACL each
// filter matches is removed from its resource's znode by the ACL authorizer, on the I/O pool.
// Each filter's result lists the ACLs it deleted. Without the ACL authorizer:
// SECURITY_DISABLED for each filter.

#include "auth/acl_authorizer.h"
#include "broker/api/acl_requests.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/acl_gate.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/delete_acls_request.h"
#include "broker/protocol/generated/delete_acls_response.h"

#include <variant>

namespace samsa::api {

namespace {

using protocol::DeleteAclsResponseData;
using protocol::ErrorCode;

DeleteAclsResponseData all_failed(std::size_t n, ErrorCode error, const std::string& message) {
    DeleteAclsResponseData response;
    response.filter_results.resize(n);
    for (auto& r : response.filter_results) {
        r.error_code = code(error);
        r.error_message = message;
    }
    return response;
}

DeleteAclsResponseData::DeleteAclsMatchingAcl matching_acl(
    const auth::AclDeleteResult::Deleted& d) {
    DeleteAclsResponseData::DeleteAclsMatchingAcl m;
    if (d.ec) {
        m.error_code = code(ErrorCode::unknown_server_error);
        m.error_message = "Failed to update ACLs in ZooKeeper: " + d.ec.message();
    }
    m.resource_type = auth::resource_type_code(d.binding.pattern.resource_type);
    m.resource_name = d.binding.pattern.name;
    m.pattern_type = pattern_type_code(d.binding.pattern.pattern_type);
    m.principal = d.binding.entry.principal;
    m.host = d.binding.entry.host;
    m.operation = auth::operation_code(d.binding.entry.operation);
    m.permission_type = permission_code(d.binding.entry.permission);
    return m;
}

}  // namespace

HandlerResult handle_delete_acls(RequestContext& ctx, protocol::Reader& body) {
    protocol::DeleteAclsRequestData request;
    request.decode(body, ctx.api_version);
    const std::size_t n = request.filters.size();
    if (auto refused = acl_api_gate(ctx, auth::AclOperation::alter)) {
        co_return ctx.respond(all_failed(n, refused->error, refused->message));
    }
    auth::AclAuthorizer* authorizer = ctx.broker.acl_authorizer;
    DeleteAclsResponseData response;
    response.filter_results.resize(n);
    std::vector<auth::AclBindingFilter> valid;
    std::vector<std::size_t> valid_index;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& f = request.filters[i];
        auto filter =
            to_acl_filter({f.resource_type_filter, &f.resource_name_filter, f.pattern_type_filter,
                           &f.principal_filter, &f.host_filter, f.operation, f.permission_type});
        if (auto* why = std::get_if<std::string>(&filter)) {
            response.filter_results[i].error_code = code(ErrorCode::invalid_request);
            response.filter_results[i].error_message = *why;
        } else {
            valid.push_back(std::get<auth::AclBindingFilter>(std::move(filter)));
            valid_index.push_back(i);
        }
    }
    const auto results =
        co_await net::run_on(ctx.broker.io_pool, [&] { return authorizer->delete_acls(valid); });
    for (std::size_t k = 0; k < valid.size(); ++k) {
        auto& out = response.filter_results[valid_index[k]].matching_acls;
        for (const auto& d : results[k].deleted) {
            out.push_back(matching_acl(d));
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
