#include "auth/acl_authorizer.h"

#include "auth/acl_change_listener.h"
#include "auth/acl_json.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <algorithm>
#include <array>
#include <map>

namespace samsa::auth {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

constexpr std::array kResourceTypes{ResourceType::topic, ResourceType::group, ResourceType::cluster,
                                    ResourceType::transactional_id, ResourceType::delegation_token};

// Snapshot generations are unique across AclAuthorizer instances, so a thread's cached
// (generation, snapshot) pair can never be mistaken for another instance's.
std::atomic<uint64_t> g_next_generation{1};

// Each thread's last snapshot. It may outlive its authorizer until the thread next checks or
// exits: memory only, never consulted for another instance (generations differ).
struct ThreadCache {
    uint64_t generation = 0;
    std::shared_ptr<const AclSnapshot> snapshot;
};
thread_local ThreadCache t_cache;

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::string AclAuthorizer::znode_path(const ResourcePattern& p) {
    return zk::AclZNodes::resource_path(p.pattern_type == PatternType::prefixed,
                                        resource_type_name(p.resource_type), p.name);
}

result<std::vector<Principal>> parse_super_users(std::string_view value) {
    std::vector<Principal> out;
    while (!value.empty()) {
        const auto semi = value.find(';');
        const std::string_view item = trim(value.substr(0, semi));
        value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
        if (item.empty()) {
            continue;
        }
        const auto colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return std::make_error_code(std::errc::invalid_argument);
        }
        out.push_back(
            Principal{std::string(item.substr(0, colon)), std::string(item.substr(colon + 1))});
    }
    return out;
}

AclAuthorizer::AclAuthorizer(AclAuthorizerConfig config, zk::KafkaZkClient& zk,
                             std::function<void(std::function<void()>)> executor)
    : config_(std::move(config)), zk_(zk) {
    listener_ = std::make_unique<AclChangeListener>(
        zk, std::move(executor), [this](const ResourcePattern& p) { reload_resource(p); });
    publish();
}

AclAuthorizer::~AclAuthorizer() {
    close();
}

result<void> AclAuthorizer::start() {
    std::vector<std::string> types;
    for (const ResourceType t : kResourceTypes) {
        types.emplace_back(resource_type_name(t));
    }
    SAMSA_TRY(zk_.create_acl_paths(types));
    SAMSA_TRY(load_all());
    return listener_->start();
}

void AclAuthorizer::close() {
    listener_->close();
}

// Kafka's loadCache: every resource node of both stores.
result<void> AclAuthorizer::load_all() {
    std::lock_guard lock(write_mu_);
    AclMap loaded;
    for (const bool prefixed : {false, true}) {
        for (const ResourceType t : kResourceTypes) {
            SAMSA_TRY(auto names,
                      zk_.get_children(zk::AclZNodes::type_path(prefixed, resource_type_name(t))));
            for (std::string& name : names) {
                ResourcePattern p{t, std::move(name),
                                  prefixed ? PatternType::prefixed : PatternType::literal};
                SAMSA_TRY(auto acls, read_resource(p));
                if (!acls.first.empty()) {
                    loaded.emplace(std::move(p), std::move(acls.first));
                }
            }
        }
    }
    logger().info("loaded ACLs for {} resource patterns from ZooKeeper", loaded.size());
    acls_ = std::move(loaded);
    publish();
    return success();
}

result<std::pair<std::set<AclEntry>, int32_t>> AclAuthorizer::read_resource(
    const ResourcePattern& p) {
    SAMSA_TRY(auto node, zk_.get_versioned_data(znode_path(p)));
    auto acls = decode_acls(node.data.value_or(""));
    if (!acls) {
        logger().error("ignoring the malformed ACLs of {} in ZooKeeper", to_string(p));
        return std::pair{std::set<AclEntry>{}, node.zk_version};
    }
    return std::pair{std::move(acls).value(), node.zk_version};
}

void AclAuthorizer::reload_resource(const ResourcePattern& p) {
    std::lock_guard lock(write_mu_);
    auto acls = read_resource(p);
    if (!acls) {
        logger().warn("cannot re-read the ACLs of {}: {}", to_string(p), acls.error().message());
        return;
    }
    set_cached(p, std::move(acls.value().first));
}

void AclAuthorizer::set_cached(const ResourcePattern& p, std::set<AclEntry> acls) {
    if (acls.empty()) {
        acls_.erase(p);
    } else {
        acls_[p] = std::move(acls);
    }
    publish();
}

void AclAuthorizer::publish() {
    auto snapshot = std::make_shared<const AclSnapshot>(acls_);
    std::lock_guard lock(publish_mu_);
    current_ = std::move(snapshot);
    generation_.store(g_next_generation.fetch_add(1), std::memory_order_release);
}

// The calling thread's snapshot, refreshed when a newer one was published. The reference stays
// valid until this thread calls again.
const AclSnapshot& AclAuthorizer::snapshot() const {
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (t_cache.generation != generation) {
        std::lock_guard lock(publish_mu_);
        t_cache.snapshot = current_;
        t_cache.generation = generation_.load(std::memory_order_relaxed);
    }
    return *t_cache.snapshot;
}

bool AclAuthorizer::is_super_user(const Principal& p) const {
    return std::find(config_.super_users.begin(), config_.super_users.end(), p) !=
           config_.super_users.end();
}

bool AclAuthorizer::authorize(const Session& session, AclOperation op, ResourceType type,
                              std::string_view name) const {
    if (is_super_user(session.principal)) {
        return true;
    }
    const bool allowed = snapshot().authorize(session.principal, session.client_host, op, type,
                                              name, config_.allow_everyone_if_no_acl_found);
    if (!allowed && logger().should_log(spdlog::level::debug)) {
        logger().debug("Principal = {} is Denied Operation = {} from host = {} on resource = {}",
                       session.principal.str(), operation_name(op), session.client_host,
                       to_string(ResourcePattern{type, std::string(name), PatternType::literal}));
    }
    return allowed;
}

std::vector<AclBinding> AclAuthorizer::describe_acls(const AclBindingFilter& filter) const {
    std::vector<AclBinding> out;
    for (const auto& [pattern, entries] : snapshot().all()) {
        if (!filter.pattern.matches(pattern)) {
            continue;
        }
        for (const auto& e : entries) {
            if (filter.entry.matches(e)) {
                out.push_back(AclBinding{pattern, e});
            }
        }
    }
    return out;
}

}  // namespace samsa::auth
