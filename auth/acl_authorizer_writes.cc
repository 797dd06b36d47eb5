// AclAuthorizer: CreateAcls and DeleteAcls, Kafka's read-modify-write of one resource's znode
// at a time (AclAuthorizer.updateResourceAcls). See acl_authorizer.h.

#include "auth/acl_authorizer.h"
#include "auth/acl_json.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <map>

namespace samsa::auth {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

constexpr int kMaxUpdateRetries = 10;  // Kafka's AclAuthorizer.maxUpdateRetries

// The one resource pattern a filter can name exactly, if it names one (Kafka's
// ResourcePatternFilter.matchesAtMostOne): such a resource is looked up in ZooKeeper even if
// this broker has not heard of it yet.
std::optional<ResourcePattern> exact_pattern(const ResourcePatternFilter& f) {
    if (!f.resource_type || !f.name ||
        (f.pattern_type != PatternType::literal && f.pattern_type != PatternType::prefixed)) {
        return std::nullopt;
    }
    return ResourcePattern{*f.resource_type, *f.name, f.pattern_type};
}

}  // namespace

std::vector<std::error_code> AclAuthorizer::create_acls(const std::vector<AclBinding>& bindings) {
    std::map<ResourcePattern, std::vector<std::size_t>> by_resource;
    for (std::size_t i = 0; i < bindings.size(); ++i) {
        by_resource[bindings[i].pattern].push_back(i);
    }
    std::vector<std::error_code> results(bindings.size());
    std::lock_guard lock(write_mu_);
    for (const auto& [pattern, indexes] : by_resource) {
        auto added = update_resource_acls(pattern, [&](const std::set<AclEntry>& current) {
            std::set<AclEntry> next = current;
            for (const std::size_t i : indexes) {
                next.insert(bindings[i].entry);
            }
            return next;
        });
        if (!added) {
            logger().error("failed to add ACLs to {}: {}", to_string(pattern),
                           added.error().message());
            for (const std::size_t i : indexes) {
                results[i] = added.error();
            }
        }
    }
    return results;
}

std::vector<AclDeleteResult> AclAuthorizer::delete_acls(
    const std::vector<AclBindingFilter>& filters) {
    std::vector<AclDeleteResult> results(filters.size());
    std::lock_guard lock(write_mu_);
    std::set<ResourcePattern> candidates;
    for (const auto& [pattern, entries] : acls_) {
        candidates.insert(pattern);
    }
    for (const auto& f : filters) {
        if (auto p = exact_pattern(f.pattern)) {
            candidates.insert(*p);
        }
    }
    for (const ResourcePattern& pattern : candidates) {
        std::vector<std::size_t> matching;
        for (std::size_t i = 0; i < filters.size(); ++i) {
            if (filters[i].pattern.matches(pattern)) {
                matching.push_back(i);
            }
        }
        if (matching.empty()) {
            continue;
        }
        // Which filter deletes which entry, as of the last (successful) attempt.
        std::map<AclEntry, std::size_t> deleted;
        auto updated = update_resource_acls(pattern, [&](const std::set<AclEntry>& current) {
            deleted.clear();
            std::set<AclEntry> next;
            for (const AclEntry& e : current) {
                auto first = std::find_if(matching.begin(), matching.end(), [&](std::size_t i) {
                    return filters[i].entry.matches(e);
                });
                if (first == matching.end()) {
                    next.insert(e);
                } else {
                    deleted.emplace(e, *first);
                }
            }
            return next;
        });
        const std::error_code ec = updated ? std::error_code{} : updated.error();
        for (const auto& [entry, index] : deleted) {
            results[index].deleted.push_back({AclBinding{pattern, entry}, ec});
        }
    }
    return results;
}

// Reads the resource's ACLs from ZooKeeper (not memory: another broker may have written them
// a moment ago), applies `change`, and writes the result at the version read: set, create, or
// delete the node when no ACL remains. A conflict re-reads and tries again. A change that
// changed something leaves a change notification, which every broker (this one included)
// acts on; this broker's memory is updated at once as well.
result<void> AclAuthorizer::update_resource_acls(
    const ResourcePattern& p,
    const std::function<std::set<AclEntry>(const std::set<AclEntry>&)>& change) {
    for (int attempt = 0; attempt <= kMaxUpdateRetries; ++attempt) {
        SAMSA_TRY(auto current, read_resource(p));
        std::set<AclEntry> next = change(current.first);
        if (next == current.first) {
            set_cached(p, std::move(next));
            return success();
        }
        SAMSA_TRY(const bool written, write_resource(p, next, current.second));
        if (written) {
            logger().info("updated ACLs for {}: {} entries", to_string(p), next.size());
            set_cached(p, std::move(next));
            return zk_.create_acl_change_notification(p.pattern_type == PatternType::prefixed,
                                                      encode_acl_change(p));
        }
        logger().debug("ACLs of {} changed while being updated; reading them again", to_string(p));
    }
    logger().error("failed to update ACLs for {} after {} tries", to_string(p),
                   kMaxUpdateRetries + 1);
    return std::make_error_code(std::errc::resource_unavailable_try_again);
}

result<bool> AclAuthorizer::write_resource(const ResourcePattern& p, const std::set<AclEntry>& acls,
                                           int32_t version) {
    const std::string path = znode_path(p);
    if (acls.empty()) {
        return zk_.conditional_delete(path, version);
    }
    if (version == zk::VersionedData::kUnknownVersion) {
        return zk_.create_if_not_exists(path, encode_acls(acls));
    }
    return zk_.conditional_set_data(path, encode_acls(acls), version);
}

}  // namespace samsa::auth
