#pragma once
// Authorizer: the seam where ACL checks plug in (Kafka's Authorizer interface). Handlers ask
// before acting on a resource; with no authorizer configured (Kafka's default,
// authorizer.class.name empty) everything is allowed. The ZooKeeper-backed AclAuthorizer is
// its own issue.

#include "auth/session.h"

#include <string_view>

namespace samsa::auth {

enum class AclOperation {
    read,
    write,
    create,
    delete_,
    alter,
    describe,
    cluster_action,
    describe_configs,
    alter_configs,
    idempotent_write,
    all
};

enum class ResourceType { topic, group, cluster, transactional_id, delegation_token };

class Authorizer {
  public:
    virtual ~Authorizer() = default;
    virtual bool authorize(const Session& session, AclOperation op, ResourceType type,
                           std::string_view name) const = 0;
};

// What Kafka does when authorizer.class.name is empty.
class AllowAllAuthorizer final : public Authorizer {
  public:
    bool authorize(const Session&, AclOperation, ResourceType, std::string_view) const override {
        return true;
    }
};

}  // namespace samsa::auth
