#pragma once
// AclAuthorizer: Kafka's ZooKeeper-backed authorizer (core: security/authorizer/
// AclAuthorizer.scala), switched on by authorizer.class.name. ZK-MODE §a "ACLs".
//
// Design.
//   - Truth is in ZooKeeper: one znode per resource pattern (auth/acl_json.h for the content,
//     zk::AclZNodes for the paths). start() loads them all; afterwards this broker learns of
//     changes made anywhere (by itself included) from the change notifications every writer
//     leaves (acl_change_listener.h), re-reading the named resource's znode.
//   - The request path never touches ZooKeeper nor takes a lock: authorize() reads the current
//     AclSnapshot, immutable and indexed by resource name. Every change builds a new snapshot
//     and publishes it under a generation number; each network thread keeps the snapshot it
//     last used and looks at the shared generation (one atomic load) to see whether it is
//     still current, so readers never write to a shared cache line.
//   - Writes (CreateAcls, DeleteAcls) are Kafka's read-modify-write of one resource's znode,
//     conditional on its zkVersion and retried on a conflict, then a change notification.
//     They block on ZooKeeper: call them on the I/O pool, never on a network thread.
//
// Threads. authorize() and describe_acls() from any thread, without blocking. create_acls(),
// delete_acls(), start() and the change listener's processing block, serialised by write_mu_.
// Borrows the KafkaZkClient, which must outlive it; close() before the ZooKeeper client goes.

#include "auth/acl.h"
#include "auth/acl_snapshot.h"
#include "auth/authorizer.h"
#include "common/result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace samsa::zk {
class KafkaZkClient;
}

namespace samsa::auth {

class AclChangeListener;

struct AclAuthorizerConfig {
    std::vector<Principal> super_users;           // super.users
    bool allow_everyone_if_no_acl_found = false;  // allow.everyone.if.no.acl.found
};

// The class names authorizer.class.name accepts for this authorizer: Kafka 2.8's and the
// deprecated one it replaced.
inline constexpr std::string_view kAclAuthorizerClassName =
    "kafka.security.authorizer.AclAuthorizer";
inline constexpr std::string_view kSimpleAclAuthorizerClassName =
    "kafka.security.auth.SimpleAclAuthorizer";

// super.users: "User:alice;User:bob", spaces around each allowed. Empty entries are skipped;
// an entry without "type:" is an error.
result<std::vector<Principal>> parse_super_users(std::string_view value);

// One filter's outcome in delete_acls: the bindings it deleted, each with its own error (a
// failed write of its resource) or none.
struct AclDeleteResult {
    struct Deleted {
        AclBinding binding;
        std::error_code ec;
    };
    std::vector<Deleted> deleted;
};

class AclAuthorizer final : public Authorizer {
  public:
    // `executor` runs the change listener's ZooKeeper reads; it must allow blocking calls.
    AclAuthorizer(AclAuthorizerConfig config, zk::KafkaZkClient& zk,
                  std::function<void(std::function<void()>)> executor);
    ~AclAuthorizer() override;
    AclAuthorizer(const AclAuthorizer&) = delete;
    AclAuthorizer& operator=(const AclAuthorizer&) = delete;

    // Creates the ACL paths, starts listening for changes and loads every ACL. Blocks.
    result<void> start();
    // Stops listening for changes; authorize() keeps answering from the last snapshot.
    void close();

    bool authorize(const Session& session, AclOperation op, ResourceType type,
                   std::string_view name) const override;

    // Kafka's Authorizer.acls(filter), from memory.
    std::vector<AclBinding> describe_acls(const AclBindingFilter& filter) const;
    // One error per binding (empty on success), in order. Bindings must be valid (known
    // types, LITERAL or PREFIXED): the API layer rejects the others. Blocks.
    std::vector<std::error_code> create_acls(const std::vector<AclBinding>& bindings);
    // One result per filter, in order; a binding matched by several filters is reported by
    // the first. Blocks.
    std::vector<AclDeleteResult> delete_acls(const std::vector<AclBindingFilter>& filters);

    // The change listener's entry point: re-reads `pattern`'s znode into memory.
    void reload_resource(const ResourcePattern& pattern);

  private:
    static std::string znode_path(const ResourcePattern& p);
    // Reads one resource's ACLs and znode version from ZooKeeper.
    result<std::pair<std::set<AclEntry>, int32_t>> read_resource(const ResourcePattern& p);
    result<void> load_all();
    // Kafka's updateResourceAcls: applies `change` to the resource's current ACLs and writes
    // the result conditionally, re-reading and retrying on a conflict; then notifies. Holds
    // write_mu_.
    result<void> update_resource_acls(
        const ResourcePattern& p,
        const std::function<std::set<AclEntry>(const std::set<AclEntry>&)>& change);
    result<bool> write_resource(const ResourcePattern& p, const std::set<AclEntry>& acls,
                                int32_t version);
    // Replaces the in-memory ACLs of `p` and publishes a new snapshot. Holds write_mu_.
    void set_cached(const ResourcePattern& p, std::set<AclEntry> acls);
    void publish();
    const AclSnapshot& snapshot() const;
    bool is_super_user(const Principal& p) const;

    const AclAuthorizerConfig config_;
    zk::KafkaZkClient& zk_;
    std::unique_ptr<AclChangeListener> listener_;

    // Serialises writers and reloads; guards acls_.
    std::mutex write_mu_;
    AclMap acls_;

    // The published snapshot, guarded by publish_mu_ (readers come here only when
    // generation_ moved since their last look).
    mutable std::mutex publish_mu_;
    std::shared_ptr<const AclSnapshot> current_;
    std::atomic<uint64_t> generation_{0};
};

}  // namespace samsa::auth
