#include "auth/acl.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace samsa::auth {

namespace {

// One row per enumerator: wire code, ZooKeeper name, Java enum name.
template <typename E>
struct Names {
    E value;
    int8_t code;
    std::string_view name;
    std::string_view enum_name;
};

constexpr std::array<Names<ResourceType>, 5> kResourceTypes{{
    {ResourceType::topic, 2, "Topic", "TOPIC"},
    {ResourceType::group, 3, "Group", "GROUP"},
    {ResourceType::cluster, 4, "Cluster", "CLUSTER"},
    {ResourceType::transactional_id, 5, "TransactionalId", "TRANSACTIONAL_ID"},
    {ResourceType::delegation_token, 6, "DelegationToken", "DELEGATION_TOKEN"},
}};

constexpr std::array<Names<AclOperation>, 11> kOperations{{
    {AclOperation::all, 2, "All", "ALL"},
    {AclOperation::read, 3, "Read", "READ"},
    {AclOperation::write, 4, "Write", "WRITE"},
    {AclOperation::create, 5, "Create", "CREATE"},
    {AclOperation::delete_, 6, "Delete", "DELETE"},
    {AclOperation::alter, 7, "Alter", "ALTER"},
    {AclOperation::describe, 8, "Describe", "DESCRIBE"},
    {AclOperation::cluster_action, 9, "ClusterAction", "CLUSTER_ACTION"},
    {AclOperation::describe_configs, 10, "DescribeConfigs", "DESCRIBE_CONFIGS"},
    {AclOperation::alter_configs, 11, "AlterConfigs", "ALTER_CONFIGS"},
    {AclOperation::idempotent_write, 12, "IdempotentWrite", "IDEMPOTENT_WRITE"},
}};

constexpr std::array<Names<AclPermissionType>, 2> kPermissions{{
    {AclPermissionType::deny, 2, "Deny", "DENY"},
    {AclPermissionType::allow, 3, "Allow", "ALLOW"},
}};

constexpr std::array<Names<PatternType>, 5> kPatternTypes{{
    {PatternType::unknown, 0, "Unknown", "UNKNOWN"},
    {PatternType::any, 1, "Any", "ANY"},
    {PatternType::match, 2, "Match", "MATCH"},
    {PatternType::literal, 3, "Literal", "LITERAL"},
    {PatternType::prefixed, 4, "Prefixed", "PREFIXED"},
}};

template <typename E, std::size_t N>
const Names<E>* row(const std::array<Names<E>, N>& table, E value) {
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const Names<E>& r) { return r.value == value; });
    return it == table.end() ? nullptr : &*it;
}

// Kafka accepts "ClusterAction", "CLUSTER_ACTION" and any case of either: compare letters
// only, ignoring case and underscores.
bool same_name(std::string_view a, std::string_view b) {
    auto letters = [](std::string_view s) {
        std::string out;
        for (const char c : s) {
            if (c != '_') {
                out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
            }
        }
        return out;
    };
    return letters(a) == letters(b);
}

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<Names<E>, N>& table, std::string_view name) {
    for (const auto& r : table) {
        if (same_name(r.name, name)) {
            return r.value;
        }
    }
    return std::nullopt;
}

template <typename E, std::size_t N>
std::optional<E> from_code(const std::array<Names<E>, N>& table, int8_t code) {
    for (const auto& r : table) {
        if (r.code == code) {
            return r.value;
        }
    }
    return std::nullopt;
}

}  // namespace

int8_t resource_type_code(ResourceType t) {
    return row(kResourceTypes, t)->code;
}
int8_t operation_code(AclOperation op) {
    return row(kOperations, op)->code;
}

std::optional<ResourceType> resource_type_from_code(int8_t code) {
    return from_code(kResourceTypes, code);
}
std::optional<AclOperation> operation_from_code(int8_t code) {
    return from_code(kOperations, code);
}

std::string_view resource_type_name(ResourceType t) {
    return row(kResourceTypes, t)->name;
}
std::string_view operation_name(AclOperation op) {
    return row(kOperations, op)->name;
}
std::string_view permission_name(AclPermissionType p) {
    const auto* r = row(kPermissions, p);
    return r != nullptr ? r->name : "Unknown";
}

std::optional<ResourceType> parse_resource_type(std::string_view name) {
    return parse(kResourceTypes, name);
}
std::optional<AclOperation> parse_operation(std::string_view name) {
    return parse(kOperations, name);
}
std::optional<AclPermissionType> parse_permission(std::string_view name) {
    return parse(kPermissions, name);
}
std::optional<PatternType> parse_pattern_type(std::string_view name) {
    return parse(kPatternTypes, name);
}

std::string_view resource_type_enum_name(ResourceType t) {
    return row(kResourceTypes, t)->enum_name;
}
std::string_view operation_enum_name(AclOperation op) {
    return row(kOperations, op)->enum_name;
}
std::string_view permission_enum_name(AclPermissionType p) {
    if (p == AclPermissionType::any) {
        return "ANY";
    }
    const auto* r = row(kPermissions, p);
    return r != nullptr ? r->enum_name : "UNKNOWN";
}
std::string_view pattern_type_enum_name(PatternType p) {
    return row(kPatternTypes, p)->enum_name;
}

bool ResourcePatternFilter::matches(const ResourcePattern& p) const {
    if (resource_type && *resource_type != p.resource_type) {
        return false;
    }
    const bool any_or_match =
        pattern_type == PatternType::any || pattern_type == PatternType::match;
    if (!any_or_match && pattern_type != p.pattern_type) {
        return false;
    }
    if (!name) {
        return true;
    }
    if (pattern_type == PatternType::any || pattern_type == p.pattern_type) {
        return *name == p.name;
    }
    // MATCH: the patterns that would apply to a resource called `name`.
    if (p.pattern_type == PatternType::literal) {
        return *name == p.name || p.name == kWildcardResource;
    }
    return p.pattern_type == PatternType::prefixed && name->starts_with(p.name);
}

bool AclEntryFilter::matches(const AclEntry& e) const {
    return (!principal || *principal == e.principal) && (!host || *host == e.host) &&
           (!operation || *operation == e.operation) &&
           (!permission || *permission == e.permission);
}

std::string to_string(const ResourcePattern& p) {
    return "ResourcePattern(resourceType=" + std::string(resource_type_enum_name(p.resource_type)) +
           ", name=" + p.name +
           ", patternType=" + std::string(pattern_type_enum_name(p.pattern_type)) + ")";
}

std::string to_string(const AclEntry& e) {
    return "(principal=" + e.principal + ", host=" + e.host +
           ", operation=" + std::string(operation_enum_name(e.operation)) +
           ", permissionType=" + std::string(permission_enum_name(e.permission)) + ")";
}

}  // namespace samsa::auth
