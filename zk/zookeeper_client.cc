#include "zk/zookeeper_client.h"

#include "common/assert.h"
#include "common/logging.h"
#include "zk/zookeeper_client_internal.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <pthread.h>
#include <string_view>
#include <utility>

namespace samsa::zk {
namespace {

using namespace std::chrono_literals;

thread_local bool t_in_zk_callback = false;

spdlog::logger& logger() {
    static const std::shared_ptr<spdlog::logger> instance = get_logger("zk");
    return *instance;
}

// libzookeeper's own log lines ("<time>:<pid>(<tid>):ZOO_WARN@fn@line: text") go to the "zk"
// logger at warn; the library is told to drop anything below WARN, so this stays quiet unless
// something is wrong (a refused connection, a session expiry).
void zk_log_callback(const char* message) {
    std::string_view text(message);
    if (const auto pos = text.find("ZOO_"); pos != std::string_view::npos) {
        text.remove_prefix(pos);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    logger().warn("zookeeper client: {}", text);
}

// "h1:p1,h2:p2/kafka/a" -> {"h1:p1,h2:p2", "/kafka/a"}; a bare "/" is no chroot.
std::pair<std::string, std::string> split_chroot(const std::string& connect_string) {
    const auto slash = connect_string.find('/');
    if (slash == std::string::npos) {
        return {connect_string, ""};
    }
    std::string chroot = connect_string.substr(slash);
    while (chroot.size() > 1 && chroot.back() == '/') {
        chroot.pop_back();
    }
    if (chroot == "/") {
        chroot.clear();
    }
    return {connect_string.substr(0, slash), chroot};
}

ZooKeeperClientOptions normalized(ZooKeeperClientOptions options) {
    if (!options.acl_provider) {
        options.acl_provider = [](const std::string&) { return open_acl_unsafe(); };
    }
    if (options.retry_timeout_ms <= 0) {
        options.retry_timeout_ms = options.session_timeout_ms;
    }
    return options;
}

const char* state_name(int state) {
    if (state == ZOO_CONNECTED_STATE)
        return "CONNECTED";
    if (state == ZOO_CONNECTING_STATE)
        return "CONNECTING";
    if (state == ZOO_ASSOCIATING_STATE)
        return "ASSOCIATING";
    if (state == ZOO_EXPIRED_SESSION_STATE)
        return "EXPIRED";
    if (state == ZOO_AUTH_FAILED_STATE)
        return "AUTH_FAILED";
    if (state == ZOO_READONLY_STATE)
        return "READONLY";
    return "NOT_CONNECTED";
}

}  // namespace

// --- Internal pieces --------------------------------------------------------------------------

CallbackScope::CallbackScope() : previous_(t_in_zk_callback) {
    t_in_zk_callback = true;
}
CallbackScope::~CallbackScope() {
    t_in_zk_callback = previous_;
}

void ZooKeeperClient::PendingRequest::finish() {
    client->release_slot(this);
    deliver();
    delete this;
}

// The session context outlives its handle: the C client passes it to the watcher until
// zookeeper_close returns.
struct ZooKeeperClient::SessionContext {
    ZooKeeperClient* client;
    uint64_t generation;
};

struct ZooKeeperClient::Session {
    struct Closer {
        void operator()(zhandle_t* zh) const {
            SAMSA_ASSERT(!t_in_zk_callback, "zookeeper_close called from a ZooKeeper callback");
            zookeeper_close(zh);
        }
    };
    std::unique_ptr<SessionContext> context;  // declared first: destroyed after the handle
    std::unique_ptr<zhandle_t, Closer> handle;
};

struct ZooKeeperClient::WatchEntry {
    std::shared_ptr<ZNodeChangeHandler> data;
    std::shared_ptr<ZNodeChildChangeHandler> child;
    Executor executor;
};

Executor inline_executor() {
    return [](std::function<void()> task) { task(); };
}

// --- Construction, connection and close -------------------------------------------------------

ZooKeeperClient::ZooKeeperClient(ZooKeeperClientOptions options)
    : options_(normalized(std::move(options))),
      max_in_flight_(std::max(1, options_.max_in_flight_requests)) {}

result<std::unique_ptr<ZooKeeperClient>> ZooKeeperClient::connect(ZooKeeperClientOptions options) {
    static std::once_flag log_level_once;
    std::call_once(log_level_once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });

    auto [hosts, chroot] = split_chroot(options.connect_string);
    if (!chroot.empty()) {
        ZooKeeperClientOptions root_options = options;
        root_options.connect_string = hosts;
        SAMSA_TRY(auto root, connect(std::move(root_options)));
        if (auto created = root->create_recursive(chroot); !created) {
            logger().error("Could not create chroot {} on {}: {}", chroot, hosts,
                           created.error().message());
            return created.error();
        }
    }
    std::unique_ptr<ZooKeeperClient> client(new ZooKeeperClient(std::move(options)));
    SAMSA_TRY(client->start());
    return client;
}

result<void> ZooKeeperClient::start() {
    logger().info("Initializing a new session to {}.", options_.connect_string);
    auto session = open_session();
    if (!session) {
        logger().error("Cannot create a ZooKeeper handle for {}: {}", options_.connect_string,
                       std::strerror(errno));
        return Errc::bad_arguments;
    }
    {
        std::unique_lock lock(handle_mu_);
        session_ = std::move(session);
    }
    if (!wait_until_connected(std::chrono::milliseconds(options_.connection_timeout_ms))) {
        if (state() == ConnectionState::auth_failed) {
            logger().error("Authentication to ZooKeeper at {} failed", options_.connect_string);
            return Errc::auth_failed;
        }
        logger().error("Timed out waiting for connection to ZooKeeper at {} after {} ms",
                       options_.connect_string, options_.connection_timeout_ms);
        return Errc::connection_timeout;
    }
    sender_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "zk-sender");
        sender_loop();
    });
    session_thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "zk-session");
        session_loop();
    });
    logger().info("Connected to ZooKeeper at {}, session 0x{:x}.", options_.connect_string,
                  session_id());
    return success();
}

std::unique_ptr<ZooKeeperClient::Session> ZooKeeperClient::open_session() {
    auto session = std::make_unique<Session>();
    {
        // From here on events of older handles are ignored, and the new handle's first
        // CONNECTED event cannot be overwritten by this reset.
        std::lock_guard lock(state_mu_);
        session->context = std::make_unique<SessionContext>(SessionContext{this, ++generation_});
        state_ = ConnectionState::connecting;
    }
    zhandle_t* zh = zookeeper_init2(options_.connect_string.c_str(), &ZooKeeperClient::watcher,
                                    options_.session_timeout_ms, nullptr, session->context.get(), 0,
                                    &zk_log_callback);
    if (zh == nullptr) {
        return nullptr;
    }
    // By default the C client resolves the server names again each time it polls its socket:
    // a netlink socket and a getaddrinfo() per ZooKeeper operation, which dominated the cost of
    // creating thousands of partitions. Resolve on (re)connection only, as the Java client does.
    zoo_set_servers_resolution_delay(zh, -1);
    if (!options_.auth_scheme.empty()) {
        // Queued until the session is established; a refusal ends the session as AUTH_FAILED.
        zoo_add_auth(zh, options_.auth_scheme.c_str(), options_.auth_credentials.data(),
                     static_cast<int>(options_.auth_credentials.size()), nullptr, nullptr);
    }
    session->handle.reset(zh);
    return session;
}

void ZooKeeperClient::close_session(std::unique_ptr<Session> session,
                                    std::error_code orphan_error) {
    if (!session) {
        return;
    }
    const uint64_t generation = session->context->generation;
    session.reset();  // zookeeper_close: its threads are joined when this returns
    std::vector<PendingRequest*> orphans;
    {
        std::lock_guard lock(queue_mu_);
        for (PendingRequest* request : outstanding_) {
            if (request->generation == generation) {
                orphans.push_back(request);
            }
        }
    }
    for (PendingRequest* request : orphans) {
        request->fail(orphan_error);
        request->finish();
    }
}

ZooKeeperClient::~ZooKeeperClient() {
    assert_not_in_callback("~ZooKeeperClient");
    {
        std::lock_guard lock(state_mu_);
        stopping_ = true;
    }
    state_cv_.notify_all();
    {
        std::lock_guard lock(queue_mu_);
        sender_stopping_ = true;
    }
    queue_cv_.notify_all();
    if (sender_.joinable()) {
        sender_.join();
    }
    if (session_thread_.joinable()) {
        session_thread_.join();
    }
    std::unique_ptr<Session> session;
    {
        std::unique_lock lock(handle_mu_);
        session = std::move(session_);
    }
    {
        std::lock_guard lock(state_mu_);
        ++generation_;
        state_ = ConnectionState::closed;
    }
    close_session(std::move(session), Errc::closing);
    std::deque<std::unique_ptr<PendingRequest>> queued;
    {
        std::lock_guard lock(queue_mu_);
        queued.swap(queue_);
    }
    for (auto& request : queued) {
        request->fail(Errc::closing);
        request->deliver();
    }
    logger().info("Closed the ZooKeeper client of {}.", options_.connect_string);
}

// --- Request admission (max_in_flight_requests) ---------------------------------------------

void ZooKeeperClient::send(std::unique_ptr<PendingRequest> request) {
    {
        std::lock_guard lock(queue_mu_);
        // From a ZooKeeper callback (an inline executor) the sender thread submits instead:
        // no ZooKeeper calls on the completion thread.
        if (t_in_zk_callback || !queue_.empty() || in_flight_ >= max_in_flight_) {
            queue_.push_back(std::move(request));
            queue_cv_.notify_one();
            return;
        }
        ++in_flight_;
    }
    submit(request.release());
}

void ZooKeeperClient::submit(PendingRequest* request) {
    int rc = ZCLOSING;
    {
        std::shared_lock lock(handle_mu_);
        if (session_ && session_->handle) {
            zhandle_t* zh = session_->handle.get();
            request->generation = session_->context->generation;
            {
                std::lock_guard queue_lock(queue_mu_);
                outstanding_.insert(request);
            }
            // Never hand the C client a request on an expired (or auth-failed) handle: with a
            // chroot, its zoo_amulti then frees each op's prefixed path twice (its path check
            // frees it on ZINVALIDSTATE and the multi frees it again), which aborted brokers
            // resumed after a freeze. Such a handle can only answer ZINVALIDSTATE anyway.
            const int state = zoo_state(zh);
            rc = state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE
                     ? ZINVALIDSTATE
                     : request->submit(zh);
            if (rc == ZINVALIDSTATE) {
                rc = zoo_state(zh) == ZOO_AUTH_FAILED_STATE ? ZAUTHFAILED : ZSESSIONEXPIRED;
            }
        }
    }
    if (rc != ZOK) {
        request->fail(make_zk_error(rc));
        request->finish();
    }
}

void ZooKeeperClient::release_slot(PendingRequest* request) {
    std::lock_guard lock(queue_mu_);
    outstanding_.erase(request);
    --in_flight_;
    if (!queue_.empty()) {
        queue_cv_.notify_one();
    }
}

void ZooKeeperClient::sender_loop() {
    std::unique_lock lock(queue_mu_);
    while (true) {
        queue_cv_.wait(lock, [this] {
            return sender_stopping_ || (!queue_.empty() && in_flight_ < max_in_flight_);
        });
        if (sender_stopping_) {
            return;
        }
        std::unique_ptr<PendingRequest> request = std::move(queue_.front());
        queue_.pop_front();
        ++in_flight_;
        lock.unlock();
        submit(request.release());
        lock.lock();
    }
}

// --- Events -----------------------------------------------------------------------------------

void ZooKeeperClient::watcher(_zhandle*, int type, int state, const char* path, void* context) {
    CallbackScope scope;
    auto* session = static_cast<SessionContext*>(context);
    if (session == nullptr) {
        return;
    }
    session->client->process_event(session->generation, type, state, path ? path : "");
}

void ZooKeeperClient::process_event(uint64_t generation, int type, int state,
                                    const std::string& path) {
    if (generation != generation_.load()) {
        return;  // a replaced or closing handle
    }
    if (type == ZOO_SESSION_EVENT) {
        on_session_event(state);
    } else {
        on_node_event(type, path);
    }
}

void ZooKeeperClient::on_session_event(int state) {
    {
        std::lock_guard lock(state_mu_);
        if (stopping_) {
            return;
        }
        if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) {
            state_ = ConnectionState::connected;
        } else if (state == ZOO_EXPIRED_SESSION_STATE) {
            state_ = ConnectionState::expired;
            reinit_requested_ = true;
        } else if (state == ZOO_AUTH_FAILED_STATE) {
            state_ = ConnectionState::auth_failed;
            auth_failure_pending_ = true;
        } else {
            state_ = ConnectionState::connecting;
        }
    }
    state_cv_.notify_all();
    logger().info("ZooKeeper session state: {}", state_name(state));
}

void ZooKeeperClient::on_node_event(int type, const std::string& path) {
    WatchEntry entry;
    {
        std::lock_guard lock(handlers_mu_);
        auto& handlers = type == ZOO_CHILD_EVENT ? child_handlers_ : data_handlers_;
        const auto it = handlers.find(path);
        if (it == handlers.end()) {
            return;
        }
        entry = it->second;
    }
    if (type == ZOO_CHILD_EVENT) {
        entry.executor([h = entry.child] { h->on_child_change(); });
    } else if (type == ZOO_CREATED_EVENT) {
        entry.executor([h = entry.data] { h->on_create(); });
    } else if (type == ZOO_DELETED_EVENT) {
        entry.executor([h = entry.data] { h->on_delete(); });
    } else if (type == ZOO_CHANGED_EVENT) {
        entry.executor([h = entry.data] { h->on_data_change(); });
    }
}

// --- Session thread: expiry and auth failure --------------------------------------------------

void ZooKeeperClient::session_loop() {
    std::unique_lock lock(state_mu_);
    while (true) {
        state_cv_.wait(lock,
                       [this] { return stopping_ || reinit_requested_ || auth_failure_pending_; });
        if (stopping_) {
            return;
        }
        if (auth_failure_pending_) {
            auth_failure_pending_ = false;
            lock.unlock();
            notify_auth_failure();
        } else {
            reinit_requested_ = false;
            lock.unlock();
            reinitialize();
        }
        lock.lock();
    }
}

void ZooKeeperClient::notify_auth_failure() {
    logger().error("Authentication to ZooKeeper at {} failed.", options_.connect_string);
    for (const auto& handler : state_handlers()) {
        handler->on_auth_failure();
    }
}

void ZooKeeperClient::reinitialize() {
    const int64_t expired_id = session_id();
    logger().warn("ZooKeeper session 0x{:x} expired; initializing a new session to {}.", expired_id,
                  options_.connect_string);
    for (const auto& handler : state_handlers()) {
        handler->before_initializing_session();
    }
    std::unique_ptr<Session> next;
    while (!(next = open_session())) {
        logger().warn("Cannot create a ZooKeeper handle ({}); retrying in 1 s.",
                      std::strerror(errno));
        std::unique_lock lock(state_mu_);
        if (state_cv_.wait_for(lock, 1s, [this] { return stopping_; })) {
            return;
        }
    }
    std::unique_ptr<Session> expired;
    {
        std::unique_lock lock(handle_mu_);
        expired = std::exchange(session_, std::move(next));
    }
    {
        std::lock_guard lock(state_mu_);
        previous_session_id_ = expired_id;
    }
    close_session(std::move(expired), Errc::session_expired);
    if (!wait_until_connected(std::chrono::milliseconds(options_.connection_timeout_ms))) {
        logger().warn("New ZooKeeper session not connected after {} ms; requests will wait.",
                      options_.connection_timeout_ms);
    } else {
        logger().info("New ZooKeeper session 0x{:x} established.", session_id());
    }
    for (const auto& handler : state_handlers()) {
        handler->after_initializing_session();
    }
}

// --- Handlers ---------------------------------------------------------------------------------

void ZooKeeperClient::register_znode_change_handler(std::shared_ptr<ZNodeChangeHandler> handler,
                                                    Executor executor) {
    SAMSA_ASSERT(handler && executor, "null handler or executor");
    std::lock_guard lock(handlers_mu_);
    const std::string path = handler->path();
    data_handlers_[path] = WatchEntry{std::move(handler), nullptr, std::move(executor)};
}

void ZooKeeperClient::unregister_znode_change_handler(const std::string& path) {
    std::lock_guard lock(handlers_mu_);
    data_handlers_.erase(path);
}

void ZooKeeperClient::register_znode_child_change_handler(
    std::shared_ptr<ZNodeChildChangeHandler> handler, Executor executor) {
    SAMSA_ASSERT(handler && executor, "null handler or executor");
    std::lock_guard lock(handlers_mu_);
    const std::string path = handler->path();
    child_handlers_[path] = WatchEntry{nullptr, std::move(handler), std::move(executor)};
}

void ZooKeeperClient::unregister_znode_child_change_handler(const std::string& path) {
    std::lock_guard lock(handlers_mu_);
    child_handlers_.erase(path);
}

void ZooKeeperClient::register_state_change_handler(std::shared_ptr<StateChangeHandler> handler) {
    SAMSA_ASSERT(handler != nullptr, "null state change handler");
    std::lock_guard lock(handlers_mu_);
    const std::string name = handler->name();
    state_change_handlers_[name] = std::move(handler);
}

void ZooKeeperClient::unregister_state_change_handler(const std::string& name) {
    std::lock_guard lock(handlers_mu_);
    state_change_handlers_.erase(name);
}

std::vector<std::shared_ptr<StateChangeHandler>> ZooKeeperClient::state_handlers() const {
    std::lock_guard lock(handlers_mu_);
    std::vector<std::shared_ptr<StateChangeHandler>> handlers;
    for (const auto& [name, handler] : state_change_handlers_) {
        handlers.push_back(handler);
    }
    return handlers;
}

bool ZooKeeperClient::watch_allowed(const std::string& path, bool child) const {
    std::lock_guard lock(handlers_mu_);
    return child ? child_handlers_.contains(path) : data_handlers_.contains(path);
}

// --- Session queries and waiting --------------------------------------------------------------

ConnectionState ZooKeeperClient::state() const {
    std::lock_guard lock(state_mu_);
    return state_;
}

bool ZooKeeperClient::wait_until_connected(std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_mu_);
    state_cv_.wait_for(lock, timeout,
                       [this] { return stopping_ || state_ != ConnectionState::connecting; });
    return !stopping_ && state_ == ConnectionState::connected;
}

int64_t ZooKeeperClient::session_id() const {
    std::shared_lock lock(handle_mu_);
    if (!session_ || !session_->handle) {
        return 0;
    }
    return zoo_client_id(session_->handle.get())->client_id;
}

int ZooKeeperClient::negotiated_session_timeout_ms() const {
    std::shared_lock lock(handle_mu_);
    if (!session_ || !session_->handle) {
        return 0;
    }
    return zoo_recv_timeout(session_->handle.get());
}

int64_t ZooKeeperClient::previous_session_id() const {
    std::lock_guard lock(state_mu_);
    return previous_session_id_;
}

SessionCredentials ZooKeeperClient::session_credentials() const {
    std::shared_lock lock(handle_mu_);
    if (!session_ || !session_->handle) {
        return {};
    }
    const clientid_t* id = zoo_client_id(session_->handle.get());
    return {id->client_id, std::string(id->passwd, sizeof(id->passwd))};
}

bool ZooKeeperClient::in_zookeeper_callback() {
    return t_in_zk_callback;
}

void ZooKeeperClient::assert_not_in_callback(const char* what) {
    SAMSA_ASSERT(!t_in_zk_callback, "{} called on ZooKeeper's completion thread: it would deadlock",
                 what);
}

std::chrono::steady_clock::time_point ZooKeeperClient::retry_deadline() const {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.retry_timeout_ms);
}

std::error_code ZooKeeperClient::wait_for_retry(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(state_mu_);
    state_cv_.wait_until(lock, deadline,
                         [this] { return stopping_ || state_ != ConnectionState::connecting; });
    if (stopping_) {
        return Errc::closing;
    }
    switch (state_) {
        case ConnectionState::connected:
            return {};
        case ConnectionState::expired:
            return Errc::session_expired;
        case ConnectionState::auth_failed:
            return Errc::auth_failed;
        case ConnectionState::closed:
            return Errc::closing;
        case ConnectionState::connecting:
            break;
    }
    return Errc::connection_loss;
}

}  // namespace samsa::zk
