#include "broker/api/acl_requests.h"

namespace samsa::api {

namespace {

using auth::AclOperation;
using auth::AclPermissionType;
using auth::PatternType;
using auth::ResourceType;

constexpr int8_t kAny = 1;

std::optional<PatternType> pattern_from_code(int8_t code) {
    if (code < 1 || code > 4) {
        return std::nullopt;
    }
    return static_cast<PatternType>(code);
}

std::optional<AclPermissionType> permission_from_code(int8_t code) {
    if (code < 1 || code > 3) {
        return std::nullopt;
    }
    return static_cast<AclPermissionType>(code);
}

}  // namespace

int8_t pattern_type_code(PatternType p) {
    return static_cast<int8_t>(p);
}
int8_t permission_code(AclPermissionType p) {
    return static_cast<int8_t>(p);
}

std::variant<auth::AclBinding, std::string> to_acl_binding(const AclCreationFields& f) {
    const auto type = auth::resource_type_from_code(f.resource_type);
    const auto pattern = pattern_from_code(f.pattern_type);
    const auto op = auth::operation_from_code(f.operation);
    const auto permission = permission_from_code(f.permission);
    if (!type || !op || !permission || *permission == AclPermissionType::any ||
        (pattern != PatternType::literal && pattern != PatternType::prefixed)) {
        return std::string("ACL binding contains unknown elements");
    }
    // KafkaApis.handleCreateAcls.
    if (*type == ResourceType::cluster && *f.resource_name != auth::kClusterName) {
        return "The only valid name for the CLUSTER resource is " + std::string(auth::kClusterName);
    }
    if (f.resource_name->empty()) {
        return std::string("Invalid empty resource name");
    }
    // AclAuthorizer.validateAclBinding: principals are "<type>:<name>".
    if (f.principal->find(':') == std::string::npos) {
        return "Could not parse principal from `" + *f.principal + "` (no colon is found " +
               "separating the principal type from the principal name)";
    }
    return auth::AclBinding{{*type, *f.resource_name, *pattern},
                            {*f.principal, *f.host, *op, *permission}};
}

std::variant<auth::AclBindingFilter, std::string> to_acl_filter(const AclFilterFields& f) {
    const auto pattern = pattern_from_code(f.pattern_type);
    const auto permission = permission_from_code(f.permission);
    const bool any_type = f.resource_type == kAny;
    const bool any_op = f.operation == kAny;
    const auto type = auth::resource_type_from_code(f.resource_type);
    const auto op = auth::operation_from_code(f.operation);
    if (!pattern || !permission || (!any_type && !type) || (!any_op && !op)) {
        return std::string("The filter contains UNKNOWN elements");
    }
    auth::AclBindingFilter filter;
    filter.pattern.resource_type = any_type ? std::nullopt : type;
    filter.pattern.name = *f.resource_name;
    filter.pattern.pattern_type = *pattern;
    filter.entry.principal = *f.principal;
    filter.entry.host = *f.host;
    filter.entry.operation = any_op ? std::nullopt : op;
    filter.entry.permission =
        *permission == AclPermissionType::any ? std::nullopt : std::optional(*permission);
    return filter;
}

}  // namespace samsa::api
