#pragma once
// ZooKeeperClient: the raw ZooKeeper client of the broker, over the Apache ZooKeeper C client
// (libzookeeper_mt). Kafka counterpart: zookeeper/ZooKeeperClient.scala.
//
// Threads. libzookeeper_mt runs an I/O thread and a completion thread per handle; completions
// and watch events arrive on the completion thread. This class's C callbacks only copy
// (rc, path, data, stat) into the heap request and hand it to the caller's Executor - no
// blocking, no ZooKeeper calls, never zookeeper_close there. Two threads of our own:
//   - the sender submits requests queued behind max_in_flight_requests (a completion frees a
//     slot but may not call ZooKeeper itself);
//   - the session thread re-creates the handle after a session expiry and runs the
//     StateChangeHandlers (Kafka's "zk-session-expiry-handler").
//
// Async operations (async_*) may be called from any thread, including Executor tasks; the
// callback runs on the Executor passed with the call. Sync operations block the caller until
// the answer arrives: for the controller thread and startup, never on a network strand and
// never from a ZooKeeper callback (asserted).
//
// Retry policy of the sync operations (Kafka's retryRequestsUntilConnected): a request that
// fails with connection_loss is re-sent once the client is connected again, until
// `retry_timeout_ms` has passed since the call (then connection_loss is returned) or the
// session expires (then session_expired is returned; the session thread is already building
// a new session). Only connection_loss is retried. A retried create may find the node it
// created itself before the connection dropped (node_exists); callers that care check the
// owner, as KafkaZkClient's broker and controller registration do.
//
// Sessions. A lost connection is recovered by the C client on the same session (watches are
// re-armed by it). An expired session is not: the session thread calls every
// StateChangeHandler's before_initializing_session(), closes the dead handle, opens a new
// session on the same connect string, waits for it (up to connection_timeout_ms) and calls
// after_initializing_session(), where owners re-create their ephemerals and watches.
//
// Chroot. "h1:p1,h2:p2/kafka" roots every path at /kafka. connect() first creates the chroot
// (and its parents) over a temporary connection without it, as Kafka's KafkaServer does.

#include "common/result.h"
#include "zk/zk_errc.h"
#include "zk/zk_handlers.h"
#include "zk/zk_requests.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

struct _zhandle;

namespace samsa::zk {

// ACLs for a node created without explicit ACLs. The broker installs
// `ZkData::default_acls(zookeeper.set.acl, path)`; the default is open_acl_unsafe().
using AclProvider = std::function<std::vector<Acl>(const std::string& path)>;

struct ZooKeeperClientOptions {
    std::string connect_string;         // zookeeper.connect: "h:p[,h:p...][/chroot]"
    int session_timeout_ms = 18000;     // zookeeper.session.timeout.ms
    int connection_timeout_ms = 18000;  // zookeeper.connection.timeout.ms (Kafka: = session)
    int max_in_flight_requests = 10;    // zookeeper.max.in.flight.requests
    int retry_timeout_ms = 0;           // sync ops' connection_loss retries; 0 = session timeout
    AclProvider acl_provider;           // empty = open_acl_unsafe() for every node
    // Authentication added to every session (zoo_add_auth), e.g. "digest" and "user:password";
    // empty scheme = none. Sent again by the C client whenever it reconnects.
    std::string auth_scheme;
    std::string auth_credentials;
};

enum class ConnectionState { connecting, connected, expired, auth_failed, closed };

// A session's id and password: with both, a second handle can join (and close) the session.
// For tests of session expiry and for tools, as Kafka's tests use ZooKeeper.getSessionPasswd.
struct SessionCredentials {
    int64_t id = 0;
    std::string password;  // 16 bytes
};

class ZooKeeperClient {
  public:
    // Creates the chroot if needed, opens a session and waits until it is connected. Fails with
    // Errc::connection_timeout after connection_timeout_ms (the message with the connect string
    // and the duration is logged on the "zk" logger).
    static result<std::unique_ptr<ZooKeeperClient>> connect(ZooKeeperClientOptions options);

    // Closes the session (its ephemerals go away). Requests still outstanding complete with
    // Errc::closing. Must not run on a ZooKeeper callback or inside a StateChangeHandler.
    ~ZooKeeperClient();
    ZooKeeperClient(const ZooKeeperClient&) = delete;
    ZooKeeperClient& operator=(const ZooKeeperClient&) = delete;

    // --- Async operations: `callback` runs on `executor` with the response. ---------------
    // `watch` is honoured only if a handler is registered for `path` (child handler for
    // get_children, data handler for get_data/exists).
    void async_get_data(std::string path, bool watch, Executor executor,
                        Callback<GetDataResponse> callback);
    void async_get_children(std::string path, bool watch, Executor executor,
                            Callback<GetChildrenResponse> callback);
    void async_exists(std::string path, bool watch, Executor executor,
                      Callback<ExistsResponse> callback);
    void async_create(CreateOp op, Executor executor, Callback<CreateResponse> callback);
    void async_set_data(SetDataOp op, Executor executor, Callback<SetDataResponse> callback);
    void async_delete(DeleteOp op, Executor executor, Callback<DeleteResponse> callback);
    void async_multi(std::vector<Op> ops, Executor executor, Callback<MultiResponse> callback);
    void async_get_acl(std::string path, Executor executor, Callback<GetAclResponse> callback);
    void async_set_acl(std::string path, std::vector<Acl> acls, int32_t version, Executor executor,
                       Callback<SetAclResponse> callback);

    // --- Sync operations (retry policy above). The error is the response's `ec`. -----------
    result<GetDataResponse> get_data(const std::string& path, bool watch = false);
    result<GetChildrenResponse> get_children(const std::string& path, bool watch = false);
    // nullopt when the node does not exist.
    result<std::optional<Stat>> exists(const std::string& path, bool watch = false);
    result<CreateResponse> create(CreateOp op);
    result<SetDataResponse> set_data(SetDataOp op);
    result<void> delete_node(DeleteOp op);
    // A failed multi keeps its per-op results, so this one returns the whole response.
    MultiResponse multi(std::vector<Op> ops);
    result<GetAclResponse> get_acl(const std::string& path);
    result<void> set_acl(const std::string& path, std::vector<Acl> acls, int32_t version);

    // Creates a persistent node with `data`, creating missing parents with null data (Kafka's
    // KafkaZkClient.createRecursive). node_exists on `path` is an error only if
    // `fail_if_exists`.
    result<void> create_recursive(const std::string& path, std::optional<std::string> data = {},
                                  bool fail_if_exists = false);

    // Issues `n` requests at once (`issue(i, executor, callback)` must start request i with
    // the given executor and callback) and waits for all of them; those failing with
    // connection_loss are re-sent as the sync retry policy says. Response i is at index i.
    template <typename Response>
    std::vector<Response> call_all(
        std::size_t n,
        const std::function<void(std::size_t, const Executor&, Callback<Response>)>& issue);

    // --- Watch and session handlers (see zk_handlers.h). ------------------------------------
    // One handler per path; registering again replaces it.
    void register_znode_change_handler(std::shared_ptr<ZNodeChangeHandler> handler,
                                       Executor executor);
    void unregister_znode_change_handler(const std::string& path);
    void register_znode_child_change_handler(std::shared_ptr<ZNodeChildChangeHandler> handler,
                                             Executor executor);
    void unregister_znode_child_change_handler(const std::string& path);
    void register_state_change_handler(std::shared_ptr<StateChangeHandler> handler);
    void unregister_state_change_handler(const std::string& name);

    // --- Session. --------------------------------------------------------------------------
    ConnectionState state() const;
    // Waits until connected; false on timeout, expiry, auth failure or close.
    bool wait_until_connected(std::chrono::milliseconds timeout);
    // The current session's id (0 while a new session is being established).
    int64_t session_id() const;
    // The session timeout the server granted (it clamps the requested one to [2, 20] ticks by
    // default); 0 while a new session is being established.
    int negotiated_session_timeout_ms() const;
    // The id of the session before the last expiry, 0 if none: an ephemeral it owns is ours
    // from an earlier life (ZK-MODE §a broker registration).
    int64_t previous_session_id() const;
    SessionCredentials session_credentials() const;
    const ZooKeeperClientOptions& options() const { return options_; }

    // True while this thread runs one of this module's ZooKeeper C callbacks.
    static bool in_zookeeper_callback();

    struct PendingRequest;  // a request between the caller and its completion (internal)

  private:
    struct Session;
    struct SessionContext;
    struct WatchEntry;

    explicit ZooKeeperClient(ZooKeeperClientOptions options);

    result<void> start();
    std::unique_ptr<Session> open_session();
    void send(std::unique_ptr<PendingRequest> request);
    void submit(PendingRequest* request);
    void sender_loop();
    void session_loop();
    void reinitialize();
    void notify_auth_failure();
    void process_event(uint64_t generation, int type, int state, const std::string& path);
    void on_session_event(int state);
    void on_node_event(int type, const std::string& path);
    bool watch_allowed(const std::string& path, bool child) const;
    std::vector<std::shared_ptr<StateChangeHandler>> state_handlers() const;
    std::chrono::steady_clock::time_point retry_deadline() const;
    // Empty when the caller should re-send after connection_loss; otherwise the error to
    // report instead (connection_loss past the deadline, session_expired, closing).
    std::error_code wait_for_retry(std::chrono::steady_clock::time_point deadline);
    static void assert_not_in_callback(const char* what);

    // The C client's watcher for every handle (session events and armed watches).
    static void watcher(_zhandle* zh, int type, int state, const char* path, void* context);
    void release_slot(PendingRequest* request);
    void close_session(std::unique_ptr<Session> session, std::error_code orphan_error);

    const ZooKeeperClientOptions options_;
    const int max_in_flight_;

    // The live handle; shared for submits, exclusive to swap it (session expiry, close).
    mutable std::shared_mutex handle_mu_;
    std::unique_ptr<Session> session_;
    std::atomic<uint64_t> generation_{0};

    // Connection state and session-thread work, guarded by state_mu_.
    mutable std::mutex state_mu_;
    std::condition_variable state_cv_;
    ConnectionState state_ = ConnectionState::connecting;
    bool reinit_requested_ = false;
    bool auth_failure_pending_ = false;
    bool stopping_ = false;
    int64_t previous_session_id_ = 0;

    // Requests waiting for one of the max_in_flight_ slots, guarded by queue_mu_.
    std::mutex queue_mu_;
    std::condition_variable queue_cv_;
    std::deque<std::unique_ptr<PendingRequest>> queue_;
    std::unordered_set<PendingRequest*> outstanding_;  // submitted, not finished
    int in_flight_ = 0;
    bool sender_stopping_ = false;

    mutable std::mutex handlers_mu_;
    std::map<std::string, WatchEntry> data_handlers_;
    std::map<std::string, WatchEntry> child_handlers_;
    std::map<std::string, std::shared_ptr<StateChangeHandler>> state_change_handlers_;

    std::thread sender_;
    std::thread session_thread_;
};

template <typename Response>
std::vector<Response> ZooKeeperClient::call_all(
    std::size_t n,
    const std::function<void(std::size_t, const Executor&, Callback<Response>)>& issue) {
    assert_not_in_callback("call_all");
    std::vector<Response> responses(n);
    std::vector<std::size_t> pending(n);
    for (std::size_t i = 0; i < n; ++i) {
        pending[i] = i;
    }
    const auto deadline = retry_deadline();
    const Executor inline_exec = inline_executor();
    while (!pending.empty()) {
        // Shared with the callbacks: they may still be returning after wait() does.
        auto done = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(pending.size()));
        auto slots = std::make_shared<std::vector<Response>>(pending.size());
        for (std::size_t k = 0; k < pending.size(); ++k) {
            issue(pending[k], inline_exec, [done, slots, k](Response r) {
                (*slots)[k] = std::move(r);
                done->count_down();
            });
        }
        done->wait();
        std::vector<std::size_t> retry;
        for (std::size_t k = 0; k < pending.size(); ++k) {
            if ((*slots)[k].ec == Errc::connection_loss) {
                retry.push_back(pending[k]);
            }
            responses[pending[k]] = std::move((*slots)[k]);
        }
        if (retry.empty()) {
            break;
        }
        if (const std::error_code ec = wait_for_retry(deadline)) {
            for (const std::size_t i : retry) {
                responses[i].ec = ec;
            }
            break;
        }
        pending = std::move(retry);
    }
    return responses;
}

}  // namespace samsa::zk
