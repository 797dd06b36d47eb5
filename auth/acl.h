#pragma once
// The ACL model of Kafka's AclAuthorizer (clients: common/acl, common/resource;
// core: security/authorizer/AclEntry.scala): a binding is a resource pattern plus an access
// control entry. Three spellings of the same enums meet here, and each has its converter:
//   - the wire (CreateAcls, DescribeAcls, DeleteAcls): Kafka's int8 codes;
//   - the znodes: PascalCase names ("Topic", "ClusterAction", "Allow"), ZK-MODE §a;
//   - Java's enum names ("TOPIC", "CLUSTER_ACTION"), as toString() prints them in
//     kafka-acls.sh's output and in the change notifications.
// Filters (DescribeAcls, DeleteAcls) use the ANY codes and null strings as wildcards; MATCH
// pattern filters also match the patterns that would apply to the named resource.

#include "auth/authorizer.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

enum class PatternType : int8_t { unknown = 0, any = 1, match = 2, literal = 3, prefixed = 4 };
enum class AclPermissionType : int8_t { unknown = 0, any = 1, deny = 2, allow = 3 };

// The resource name meaning "every resource of this type" (literal patterns only).
inline constexpr std::string_view kWildcardResource = "*";
// Principal and host wildcards of an access control entry.
inline constexpr std::string_view kWildcardPrincipal = "User:*";
inline constexpr std::string_view kWildcardHost = "*";
// The one cluster resource.
inline constexpr std::string_view kClusterName = "kafka-cluster";

// --- Wire codes (Kafka's ResourceType/AclOperation/...Type.code()). 0 is UNKNOWN, 1 ANY. ---
int8_t resource_type_code(ResourceType t);
int8_t operation_code(AclOperation op);
// nullopt for UNKNOWN, ANY and codes Kafka does not define.
std::optional<ResourceType> resource_type_from_code(int8_t code);
std::optional<AclOperation> operation_from_code(int8_t code);

// --- ZooKeeper names (SecurityUtils.resourceTypeName / operationName / permissionTypeName). -
std::string_view resource_type_name(ResourceType t);    // "Topic", "TransactionalId"
std::string_view operation_name(AclOperation op);       // "Read", "ClusterAction"
std::string_view permission_name(AclPermissionType p);  // "Allow", "Deny"
// Case-insensitive, with or without underscores ("Topic", "TOPIC", "cluster_action").
std::optional<ResourceType> parse_resource_type(std::string_view name);
std::optional<AclOperation> parse_operation(std::string_view name);
std::optional<AclPermissionType> parse_permission(std::string_view name);
std::optional<PatternType> parse_pattern_type(std::string_view name);

// --- Java enum names, as the tools print them and change notifications carry them. --------
std::string_view resource_type_enum_name(ResourceType t);  // "TOPIC"
std::string_view operation_enum_name(AclOperation op);     // "CLUSTER_ACTION"
std::string_view permission_enum_name(AclPermissionType p);
std::string_view pattern_type_enum_name(PatternType p);

// Kafka's ResourcePattern: what an ACL is attached to. Pattern type is LITERAL or PREFIXED.
struct ResourcePattern {
    ResourceType resource_type = ResourceType::topic;
    std::string name;
    PatternType pattern_type = PatternType::literal;

    friend auto operator<=>(const ResourcePattern&, const ResourcePattern&) = default;
};

// Kafka's AclEntry (AccessControlEntry): who may or may not do what, from where.
struct AclEntry {
    std::string principal;  // "User:alice", or "User:*"
    std::string host;       // an IP address, or "*"
    AclOperation operation = AclOperation::all;
    AclPermissionType permission = AclPermissionType::allow;

    friend auto operator<=>(const AclEntry&, const AclEntry&) = default;
};

struct AclBinding {
    ResourcePattern pattern;
    AclEntry entry;

    friend auto operator<=>(const AclBinding&, const AclBinding&) = default;
};

// Kafka's ResourcePatternFilter: nullopt fields match anything.
struct ResourcePatternFilter {
    std::optional<ResourceType> resource_type;        // nullopt = ANY
    std::optional<std::string> name;                  // nullopt = any name
    PatternType pattern_type = PatternType::literal;  // ANY, MATCH, LITERAL or PREFIXED

    friend auto operator<=>(const ResourcePatternFilter&, const ResourcePatternFilter&) = default;

    // Kafka's ResourcePatternFilter.matches: with MATCH, `pattern` matches when it would
    // apply to the named resource (the literal name, the literal "*", or a prefix of it).
    bool matches(const ResourcePattern& pattern) const;
};

// Kafka's AccessControlEntryFilter: nullopt fields match anything.
struct AclEntryFilter {
    std::optional<std::string> principal;
    std::optional<std::string> host;
    std::optional<AclOperation> operation;        // nullopt = ANY
    std::optional<AclPermissionType> permission;  // nullopt = ANY

    bool matches(const AclEntry& entry) const;
};

struct AclBindingFilter {
    ResourcePatternFilter pattern;
    AclEntryFilter entry;

    bool matches(const AclBinding& binding) const {
        return pattern.matches(binding.pattern) && entry.matches(binding.entry);
    }
};

// Kafka's toString of each, as kafka-acls.sh prints them:
// "ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)" and
// "(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)".
std::string to_string(const ResourcePattern& p);
std::string to_string(const AclEntry& e);

}  // namespace samsa::auth
