#include "auth/acl_snapshot.h"

#include <algorithm>

namespace samsa::auth {

namespace {

bool entry_matches(const AclEntry& e, const Principal& principal, std::string_view host,
                   AclOperation op, AclPermissionType permission) {
    return e.permission == permission &&
           (e.principal == kWildcardPrincipal || principal_equals(e.principal, principal)) &&
           (e.operation == op || e.operation == AclOperation::all) &&
           (e.host == host || e.host == kWildcardHost);
}

template <typename Lists>
bool any_match(const Lists& lists, const Principal& principal, std::string_view host,
               AclOperation op, AclPermissionType permission) {
    for (const auto* list : lists) {
        for (const auto& e : *list) {
            if (entry_matches(e, principal, host, op, permission)) {
                return true;
            }
        }
    }
    return false;
}

std::size_t slot(ResourceType type) {
    return static_cast<std::size_t>(type);
}

}  // namespace

bool principal_equals(std::string_view text, const Principal& p) {
    return text.size() == p.type.size() + 1 + p.name.size() && text.starts_with(p.type) &&
           text[p.type.size()] == ':' && text.ends_with(p.name);
}

AclSnapshot::AclSnapshot(const AclMap& acls) : all_(acls) {
    for (const auto& [pattern, entries] : acls) {
        if (entries.empty() || slot(pattern.resource_type) >= by_type_.size()) {
            continue;
        }
        TypeIndex& t = by_type_[slot(pattern.resource_type)];
        Index& index = pattern.pattern_type == PatternType::prefixed ? t.prefixed : t.literal;
        index[pattern.name].assign(entries.begin(), entries.end());
        if (pattern.pattern_type == PatternType::prefixed) {
            t.prefix_lengths.push_back(pattern.name.size());
        }
    }
    for (TypeIndex& t : by_type_) {
        std::sort(t.prefix_lengths.begin(), t.prefix_lengths.end());
        t.prefix_lengths.erase(std::unique(t.prefix_lengths.begin(), t.prefix_lengths.end()),
                               t.prefix_lengths.end());
    }
}

const AclSnapshot::TypeIndex* AclSnapshot::index_of(const std::array<TypeIndex, 5>& all,
                                                    ResourceType type) {
    return slot(type) < all.size() ? &all[slot(type)] : nullptr;
}

AclSnapshot::Matches AclSnapshot::matching_acls(ResourceType type, std::string_view name) const {
    Matches out;
    const TypeIndex* t = index_of(by_type_, type);
    if (t == nullptr) {
        return out;
    }
    if (auto it = t->literal.find(name); it != t->literal.end()) {
        out.push_back(&it->second);
    }
    if (name != kWildcardResource) {
        if (auto it = t->literal.find(kWildcardResource); it != t->literal.end()) {
            out.push_back(&it->second);
        }
    }
    for (const std::size_t len : t->prefix_lengths) {
        if (len > name.size()) {
            break;
        }
        if (auto it = t->prefixed.find(name.substr(0, len)); it != t->prefixed.end()) {
            out.push_back(&it->second);
        }
    }
    return out;
}

bool AclSnapshot::authorize(const Principal& principal, std::string_view host, AclOperation op,
                            ResourceType type, std::string_view name, bool allow_if_no_acl) const {
    const Matches acls = matching_acls(type, name);
    if (acls.empty()) {
        return allow_if_no_acl;
    }
    // A Deny names the operation itself (or All): denying Read does not deny Describe.
    if (any_match(acls, principal, host, op, AclPermissionType::deny)) {
        return false;
    }
    auto allowed = [&](AclOperation o) {
        return any_match(acls, principal, host, o, AclPermissionType::allow);
    };
    switch (op) {
        case AclOperation::describe:
            return allowed(AclOperation::describe) || allowed(AclOperation::read) ||
                   allowed(AclOperation::write) || allowed(AclOperation::delete_) ||
                   allowed(AclOperation::alter);
        case AclOperation::describe_configs:
            return allowed(AclOperation::describe_configs) || allowed(AclOperation::alter_configs);
        default:
            return allowed(op);
    }
}

}  // namespace samsa::auth
