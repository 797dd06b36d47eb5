#pragma once
// The gate each ACL API passes before it looks at its entries (Kafka's KafkaApis.
// handleCreateAcls / handleDescribeAcls / handleDeleteAcls): the principal needs `op` on the
// cluster, and the broker an authorizer that keeps ACLs (authorizer.class.name).

#include "auth/acl.h"
#include "broker/api/request_context.h"
#include "broker/protocol/error_code.h"

#include <optional>

namespace samsa::api {

struct AclGateRefusal {
    protocol::ErrorCode error;
    const char* message;  // Kafka's own wording
};

inline std::optional<AclGateRefusal> acl_api_gate(const RequestContext& ctx,
                                                  auth::AclOperation op) {
    if (!ctx.authorize(op, auth::ResourceType::cluster, auth::kClusterName)) {
        return AclGateRefusal{protocol::ErrorCode::cluster_authorization_failed,
                              "Cluster authorization failed."};
    }
    if (ctx.broker.acl_authorizer == nullptr) {
        return AclGateRefusal{protocol::ErrorCode::security_disabled,
                              "No Authorizer is configured on the broker"};
    }
    return std::nullopt;
}

}  // namespace samsa::api
