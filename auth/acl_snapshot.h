#pragma once
// AclSnapshot: every ACL the broker knows, frozen and indexed for the request path (steps 2-5
// of Kafka's AclAuthorizer.authorizeAction, ZK-MODE §a "ACLs"; super users, step 1, are the
// AclAuthorizer's).
//
// Immutable once built, so any number of network threads read one without locks; the
// AclAuthorizer builds a new one when ACLs change and swaps it in. A check costs a few hash
// look-ups per resource type, not a scan: the literal name, the literal "*", and one look-up
// per distinct length of the prefixed patterns of that type that the name is long enough for.

#include "auth/acl.h"
#include "auth/session.h"

#include <boost/container/small_vector.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace samsa::auth {

using AclMap = std::map<ResourcePattern, std::set<AclEntry>>;

// Whether an ACL's principal text ("User:alice") names `p`, without building p's text: the
// request path asks this for every entry it looks at.
bool principal_equals(std::string_view text, const Principal& p);

class AclSnapshot {
  public:
    explicit AclSnapshot(const AclMap& acls);

    // Whether `principal` ("User:alice") connecting from `host` may perform `op` on the
    // resource: with no ACL at all for it, `allow_if_no_acl` (allow.everyone.if.no.acl.found);
    // otherwise no matching Deny and a matching Allow (an Allow of Read, Write, Delete or Alter
    // also allows Describe; one of AlterConfigs, DescribeConfigs). A match is on the principal
    // or "User:*", the host or "*", and the operation or All.
    // Every ACL, for DescribeAcls.
    const AclMap& all() const { return all_; }

    bool authorize(const Principal& principal, std::string_view host, AclOperation op,
                   ResourceType type, std::string_view name, bool allow_if_no_acl) const;

  private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Index =
        std::unordered_map<std::string, std::vector<AclEntry>, StringHash, std::equal_to<>>;
    struct TypeIndex {
        Index literal;                            // by name, "*" included
        Index prefixed;                           // by prefix
        std::vector<std::size_t> prefix_lengths;  // distinct, ascending
    };
    // At most 2 + prefix_lengths.size() lists apply to one name; usually no allocation.
    using Matches = boost::container::small_vector<const std::vector<AclEntry>*, 4>;

    Matches matching_acls(ResourceType type, std::string_view name) const;
    static const TypeIndex* index_of(const std::array<TypeIndex, 5>& all, ResourceType type);

    AclMap all_;
    std::array<TypeIndex, 5> by_type_;
};

}  // namespace samsa::auth
