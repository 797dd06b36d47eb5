// CreateAcls (Kafka's KafkaApis.handleCreateAcls): Alter on the cluster, then each valid
// binding is added to its resource's znode by the ACL authorizer, on the I/O pool (ZooKeeper
// writes block). One result per creation, in request order. Without the ACL authorizer:
// SECURITY_DISABLED for each.

#include "auth/acl_authorizer.h"
#include "broker/api/acl_requests.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/acl_gate.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/create_acls_request.h"
#include "broker/protocol/generated/create_acls_response.h"

#include <variant>

namespace samsa::api {

namespace {

using protocol::CreateAclsResponseData;
using protocol::ErrorCode;

CreateAclsResponseData all_failed(std::size_t n, ErrorCode error, const std::string& message) {
    CreateAclsResponseData response;
    response.results.resize(n);
    for (auto& r : response.results) {
        r.error_code = code(error);
        r.error_message = message;
    }
    return response;
}

}  // namespace

HandlerResult handle_create_acls(RequestContext& ctx, protocol::Reader& body) {
    protocol::CreateAclsRequestData request;
    request.decode(body, ctx.api_version);
    const std::size_t n = request.creations.size();
    if (auto refused = acl_api_gate(ctx, auth::AclOperation::alter)) {
        co_return ctx.respond(all_failed(n, refused->error, refused->message));
    }
    auth::AclAuthorizer* authorizer = ctx.broker.acl_authorizer;
    CreateAclsResponseData response;
    response.results.resize(n);
    std::vector<auth::AclBinding> valid;
    std::vector<std::size_t> valid_index;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = request.creations[i];
        auto binding = to_acl_binding({c.resource_type, &c.resource_name, c.resource_pattern_type,
                                       &c.principal, &c.host, c.operation, c.permission_type});
        if (auto* why = std::get_if<std::string>(&binding)) {
            response.results[i].error_code = code(ErrorCode::invalid_request);
            response.results[i].error_message = *why;
        } else {
            valid.push_back(std::get<auth::AclBinding>(std::move(binding)));
            valid_index.push_back(i);
        }
    }
    const auto errors =
        co_await net::run_on(ctx.broker.io_pool, [&] { return authorizer->create_acls(valid); });
    for (std::size_t k = 0; k < valid.size(); ++k) {
        if (errors[k]) {
            auto& r = response.results[valid_index[k]];
            r.error_code = code(ErrorCode::unknown_server_error);
            r.error_message = "Failed to update ACLs in ZooKeeper: " + errors[k].message();
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
