#pragma once
// The values ZooKeeperClient takes and hands back: znode Stat, ACLs, create modes, the
// multi-op Op variants and one Response struct per operation (Kafka's AsyncRequest /
// AsyncResponse family in zookeeper/ZooKeeperClient.scala).
//
// Data is std::optional<std::string>: ZooKeeper tells a node with null data (Kafka's ephemeral
// /brokers/ids/<id> before its setData, /admin/delete_topics/<t>) from one with empty data.
// A Response's `ec` is empty on success; otherwise it holds a zk::Errc.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace samsa::zk {

// Runs a task somewhere else: the broker wraps an asio strand (`asio::post(strand, f)`), tests
// use a thread. ZooKeeperClient never runs caller code on ZooKeeper's completion thread; it
// hands results and watch events to an Executor.
using Executor = std::function<void(std::function<void()>)>;

// Runs the task on the calling thread. Only for code that does nothing but copy the result
// (ZooKeeperClient's sync wrappers use it to fulfil a promise).
Executor inline_executor();

// zkVersion value meaning "any version" (Kafka's ZkVersion.MatchAnyVersion).
inline constexpr int32_t kMatchAnyVersion = -1;

// The znode's metadata, as ZooKeeper's Stat. czxid of /brokers/ids/<id> is the broker epoch.
struct Stat {
    int64_t czxid = 0;
    int64_t mzxid = 0;
    int64_t ctime = 0;
    int64_t mtime = 0;
    int32_t version = 0;  // data version: the zkVersion of conditional writes
    int32_t cversion = 0;
    int32_t aversion = 0;
    int64_t ephemeral_owner = 0;  // session id of the owner, 0 for persistent nodes
    int32_t data_length = 0;
    int32_t num_children = 0;
    int64_t pzxid = 0;
};

// One ACL entry: permissions (ZOO_PERM_* bits) for an identity (scheme, id).
struct Acl {
    enum Perm : int32_t { read = 1, write = 2, create = 4, remove = 8, admin = 16, all = 31 };
    int32_t perms = all;
    std::string scheme;  // "world", "auth", "sasl", "digest", ...
    std::string id;      // "anyone" for world

    friend bool operator==(const Acl&, const Acl&) = default;
};

// ZooDefs.Ids equivalents.
std::vector<Acl> open_acl_unsafe();  // world:anyone, all
std::vector<Acl> creator_all_acl();  // auth:, all (needs an authenticated session)
std::vector<Acl> read_acl_unsafe();  // world:anyone, read

enum class CreateMode { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

// Multi-op members. An empty `acls` means "ask the client's AclProvider for this path".
struct CreateOp {
    std::string path;
    std::optional<std::string> data;
    CreateMode mode = CreateMode::persistent;
    std::vector<Acl> acls;
};
struct SetDataOp {
    std::string path;
    std::optional<std::string> data;
    int32_t version = kMatchAnyVersion;
};
struct DeleteOp {
    std::string path;
    int32_t version = kMatchAnyVersion;
};
struct CheckOp {
    std::string path;
    int32_t version = kMatchAnyVersion;
};
using Op = std::variant<CreateOp, SetDataOp, DeleteOp, CheckOp>;

// The outcome of one op of a multi. When the multi fails, the op that failed carries its error,
// ops before it carry ok and ops after it runtime_inconsistency (ZooKeeper's rule).
struct OpResult {
    std::error_code ec;
    std::string created_path;  // CreateOp: the actual name (sequential nodes get a suffix)
    Stat stat;                 // SetDataOp: the node's new Stat
};

struct GetDataResponse {
    std::error_code ec;
    std::string path;
    std::optional<std::string> data;
    Stat stat;
};
struct GetChildrenResponse {
    std::error_code ec;
    std::string path;
    std::vector<std::string> children;  // names, not paths; unordered
    Stat stat;
};
struct ExistsResponse {
    std::error_code ec;  // no_node when the node does not exist
    std::string path;
    Stat stat;
};
struct CreateResponse {
    std::error_code ec;
    std::string path;
    std::string name;  // the created path (differs from `path` for sequential nodes)
    Stat stat;
};
struct SetDataResponse {
    std::error_code ec;
    std::string path;
    Stat stat;
};
struct DeleteResponse {
    std::error_code ec;
    std::string path;
};
struct MultiResponse {
    std::error_code ec;             // the first real error (never runtime_inconsistency), or empty
    std::vector<OpResult> results;  // one per op, in the order of the request's ops
};
struct GetAclResponse {
    std::error_code ec;
    std::string path;
    std::vector<Acl> acls;
    Stat stat;
};
struct SetAclResponse {
    std::error_code ec;
    std::string path;
};

template <typename Response>
using Callback = std::function<void(Response)>;

}  // namespace samsa::zk
