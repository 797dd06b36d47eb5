// ZooKeeperClient's operations: one request type per ZooKeeper call, its C completion, the
// async_* entry points and the sync wrappers. The session, queue and watch machinery is in
// zookeeper_client.cc; the life of a request is described in zookeeper_client_internal.h.

#include "common/assert.h"
#include "zk/zookeeper_client.h"
#include "zk/zookeeper_client_internal.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

#include <utility>
#include <variant>

namespace samsa::zk {

Stat to_stat(const ::Stat& s) {
    return Stat{s.czxid,    s.mzxid,          s.ctime,      s.mtime,       s.version, s.cversion,
                s.aversion, s.ephemeralOwner, s.dataLength, s.numChildren, s.pzxid};
}

std::vector<Acl> open_acl_unsafe() {
    return {Acl{Acl::all, "world", "anyone"}};
}
std::vector<Acl> creator_all_acl() {
    return {Acl{Acl::all, "auth", ""}};
}
std::vector<Acl> read_acl_unsafe() {
    return {Acl{Acl::read, "world", "anyone"}};
}

namespace {

template <typename... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

int c_create_mode(CreateMode mode) {
    switch (mode) {
        case CreateMode::persistent:
            return ZOO_PERSISTENT;
        case CreateMode::ephemeral:
            return ZOO_EPHEMERAL;
        case CreateMode::persistent_sequential:
            return ZOO_PERSISTENT_SEQUENTIAL;
        case CreateMode::ephemeral_sequential:
            return ZOO_EPHEMERAL_SEQUENTIAL;
    }
    return ZOO_PERSISTENT;
}

const char* c_data(const std::optional<std::string>& data) {
    return data ? data->data() : nullptr;
}
int c_length(const std::optional<std::string>& data) {
    return data ? static_cast<int>(data->size()) : -1;
}

// An ACL list in the C client's layout, pointing into its own strings: built in place, never
// moved (the requests holding it live on the heap until their completion).
class CAclVector {
  public:
    explicit CAclVector(std::vector<Acl> acls) : acls_(std::move(acls)) {
        entries_.reserve(acls_.size());
        for (Acl& acl : acls_) {
            entries_.push_back(::ACL{acl.perms, ::Id{acl.scheme.data(), acl.id.data()}});
        }
        vector_.count = static_cast<int32_t>(entries_.size());
        vector_.data = entries_.data();
    }
    CAclVector(const CAclVector&) = delete;
    CAclVector& operator=(const CAclVector&) = delete;

    ::ACL_vector* get() { return &vector_; }

  private:
    std::vector<Acl> acls_;
    std::vector<::ACL> entries_;
    ::ACL_vector vector_{};
};

std::vector<Acl> from_c_acls(const ::ACL_vector* acls) {
    std::vector<Acl> out;
    if (acls == nullptr) {
        return out;
    }
    for (int32_t i = 0; i < acls->count; ++i) {
        const ::ACL& a = acls->data[i];
        out.push_back(Acl{a.perms, a.id.scheme ? a.id.scheme : "", a.id.id ? a.id.id : ""});
    }
    return out;
}

template <typename Request>
Request* self_of(const void* data) {
    return static_cast<Request*>(const_cast<void*>(data));
}

struct GetDataRequest final : BasicRequest<GetDataResponse> {
    using BasicRequest::BasicRequest;
    bool watch = false;

    int submit(zhandle_t* zh) override {
        return zoo_aget(zh, response.path.c_str(), watch ? 1 : 0, &completed, this);
    }
    static void completed(int rc, const char* value, int len, const ::Stat* stat,
                          const void* data) {
        CallbackScope scope;
        auto* self = self_of<GetDataRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            if (value != nullptr && len >= 0) {
                self->response.data.emplace(value, static_cast<std::size_t>(len));
            }
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct GetChildrenRequest final : BasicRequest<GetChildrenResponse> {
    using BasicRequest::BasicRequest;
    bool watch = false;

    int submit(zhandle_t* zh) override {
        return zoo_aget_children2(zh, response.path.c_str(), watch ? 1 : 0, &completed, this);
    }
    static void completed(int rc, const ::String_vector* strings, const ::Stat* stat,
                          const void* data) {
        CallbackScope scope;
        auto* self = self_of<GetChildrenRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            for (int32_t i = 0; strings != nullptr && i < strings->count; ++i) {
                self->response.children.emplace_back(strings->data[i]);
            }
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct ExistsRequest final : BasicRequest<ExistsResponse> {
    using BasicRequest::BasicRequest;
    bool watch = false;

    int submit(zhandle_t* zh) override {
        return zoo_aexists(zh, response.path.c_str(), watch ? 1 : 0, &completed, this);
    }
    static void completed(int rc, const ::Stat* stat, const void* data) {
        CallbackScope scope;
        auto* self = self_of<ExistsRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct CreateRequest final : BasicRequest<CreateResponse> {
    CreateRequest(ZooKeeperClient* c, Executor e, Callback<CreateResponse> cb, CreateOp create_op)
        : BasicRequest(c, std::move(e), std::move(cb)),
          op(std::move(create_op)),
          acls(std::move(op.acls)) {}
    CreateOp op;
    CAclVector acls;

    int submit(zhandle_t* zh) override {
        return zoo_acreate2(zh, op.path.c_str(), c_data(op.data), c_length(op.data), acls.get(),
                            c_create_mode(op.mode), &completed, this);
    }
    static void completed(int rc, const char* name, const ::Stat* stat, const void* data) {
        CallbackScope scope;
        auto* self = self_of<CreateRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            self->response.name = name != nullptr ? name : self->op.path;
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct SetDataRequest final : BasicRequest<SetDataResponse> {
    using BasicRequest::BasicRequest;
    SetDataOp op;

    int submit(zhandle_t* zh) override {
        return zoo_aset(zh, op.path.c_str(), c_data(op.data), c_length(op.data), op.version,
                        &completed, this);
    }
    static void completed(int rc, const ::Stat* stat, const void* data) {
        CallbackScope scope;
        auto* self = self_of<SetDataRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct DeleteRequest final : BasicRequest<DeleteResponse> {
    using BasicRequest::BasicRequest;
    int32_t version = kMatchAnyVersion;

    int submit(zhandle_t* zh) override {
        return zoo_adelete(zh, response.path.c_str(), version, &completed, this);
    }
    static void completed(int rc, const void* data) {
        CallbackScope scope;
        auto* self = self_of<DeleteRequest>(data);
        self->response.ec = make_zk_error(rc);
        self->finish();
    }
};

struct MultiRequest final : BasicRequest<MultiResponse> {
    MultiRequest(ZooKeeperClient* c, Executor e, Callback<MultiResponse> cb, std::vector<Op> o,
                 const AclProvider& acl_provider)
        : BasicRequest(c, std::move(e), std::move(cb)), ops(std::move(o)) {
        c_ops.resize(ops.size());
        c_results.resize(ops.size());
        c_stats.resize(ops.size());
        names.resize(ops.size());
        for (std::size_t i = 0; i < ops.size(); ++i) {
            std::visit(
                Overloaded{
                    [&](CreateOp& op) {
                        if (op.acls.empty()) {
                            op.acls = acl_provider(op.path);
                        }
                        acls.push_back(std::make_unique<CAclVector>(op.acls));
                        // Room for the sequence suffix and a chroot prefix.
                        names[i].assign(op.path.size() + 256, '\0');
                        zoo_create_op_init(&c_ops[i], op.path.c_str(), c_data(op.data),
                                           c_length(op.data), acls.back()->get(),
                                           c_create_mode(op.mode), names[i].data(),
                                           static_cast<int>(names[i].size()));
                    },
                    [&](SetDataOp& op) {
                        zoo_set_op_init(&c_ops[i], op.path.c_str(), c_data(op.data),
                                        c_length(op.data), op.version, &c_stats[i]);
                    },
                    [&](DeleteOp& op) {
                        zoo_delete_op_init(&c_ops[i], op.path.c_str(), op.version);
                    },
                    [&](CheckOp& op) { zoo_check_op_init(&c_ops[i], op.path.c_str(), op.version); },
                },
                ops[i]);
        }
    }
    std::vector<Op> ops;
    std::vector<zoo_op_t> c_ops;
    std::vector<zoo_op_result_t> c_results;
    std::vector<::Stat> c_stats;
    std::vector<std::vector<char>> names;
    std::vector<std::unique_ptr<CAclVector>> acls;

    int submit(zhandle_t* zh) override {
        return zoo_amulti(zh, static_cast<int>(c_ops.size()), c_ops.data(), c_results.data(),
                          &completed, this);
    }
    static void completed(int rc, const void* data) {
        CallbackScope scope;
        auto* self = self_of<MultiRequest>(data);
        self->response.ec = make_zk_error(rc);
        // Client-side failures (connection loss, expiry, closing) mean no op ran at all.
        const bool ran = rc == ZOK || rc <= ZAPIERROR;
        for (std::size_t i = 0; i < self->ops.size(); ++i) {
            OpResult result;
            result.ec = ran ? make_zk_error(self->c_results[i].err) : self->response.ec;
            if (!result.ec && rc == ZOK) {
                if (std::holds_alternative<CreateOp>(self->ops[i])) {
                    result.created_path = self->names[i].data();
                } else if (std::holds_alternative<SetDataOp>(self->ops[i])) {
                    result.stat = to_stat(self->c_stats[i]);
                }
            }
            self->response.results.push_back(std::move(result));
        }
        self->finish();
    }
    void fail(std::error_code ec) override {
        response.ec = ec;
        response.results.assign(ops.size(), OpResult{ec, {}, {}});
    }
};

struct GetAclRequest final : BasicRequest<GetAclResponse> {
    using BasicRequest::BasicRequest;

    int submit(zhandle_t* zh) override {
        return zoo_aget_acl(zh, response.path.c_str(), &completed, this);
    }
    static void completed(int rc, ::ACL_vector* acls, ::Stat* stat, const void* data) {
        CallbackScope scope;
        auto* self = self_of<GetAclRequest>(data);
        self->response.ec = make_zk_error(rc);
        if (rc == ZOK) {
            self->response.acls = from_c_acls(acls);
            self->response.stat = to_stat(*stat);
        }
        self->finish();
    }
};

struct SetAclRequest final : BasicRequest<SetAclResponse> {
    SetAclRequest(ZooKeeperClient* c, Executor e, Callback<SetAclResponse> cb,
                  std::vector<Acl> acl_list, int32_t v)
        : BasicRequest(c, std::move(e), std::move(cb)), acls(std::move(acl_list)), version(v) {}
    CAclVector acls;
    int32_t version;

    int submit(zhandle_t* zh) override {
        return zoo_aset_acl(zh, response.path.c_str(), version, acls.get(), &completed, this);
    }
    static void completed(int rc, const void* data) {
        CallbackScope scope;
        auto* self = self_of<SetAclRequest>(data);
        self->response.ec = make_zk_error(rc);
        self->finish();
    }
};

void check_args(const Executor& executor, const auto& callback) {
    SAMSA_ASSERT(executor != nullptr && callback != nullptr, "null executor or callback");
}

// One sync request: call_all with n = 1.
template <typename Response, typename Issue>
Response call_one(ZooKeeperClient& client, Issue issue) {
    auto responses = client.call_all<Response>(
        1, [&](std::size_t, const Executor& executor, Callback<Response> callback) {
            issue(executor, std::move(callback));
        });
    return std::move(responses.front());
}

template <typename Response>
result<Response> to_result(Response response) {
    if (response.ec) {
        return response.ec;
    }
    return response;
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
}

// Creates `path` and its missing ancestors, all persistent with null data.
result<void> ensure_path(ZooKeeperClient& client, const std::string& path) {
    if (path.empty()) {
        return success();
    }
    auto created = client.create(CreateOp{path, std::nullopt, CreateMode::persistent, {}});
    if (!created && created.error() == Errc::no_node) {
        SAMSA_TRY(ensure_path(client, parent_of(path)));
        created = client.create(CreateOp{path, std::nullopt, CreateMode::persistent, {}});
    }
    if (!created && created.error() != Errc::node_exists) {
        return created.error();
    }
    return success();
}

}  // namespace

// --- Async operations -------------------------------------------------------------------------

void ZooKeeperClient::async_get_data(std::string path, bool watch, Executor executor,
                                     Callback<GetDataResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<GetDataRequest>(this, std::move(executor), std::move(callback));
    request->watch = watch && watch_allowed(path, false);
    request->response.path = std::move(path);
    send(std::move(request));
}

void ZooKeeperClient::async_get_children(std::string path, bool watch, Executor executor,
                                         Callback<GetChildrenResponse> callback) {
    check_args(executor, callback);
    auto request =
        std::make_unique<GetChildrenRequest>(this, std::move(executor), std::move(callback));
    request->watch = watch && watch_allowed(path, true);
    request->response.path = std::move(path);
    send(std::move(request));
}

void ZooKeeperClient::async_exists(std::string path, bool watch, Executor executor,
                                   Callback<ExistsResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<ExistsRequest>(this, std::move(executor), std::move(callback));
    request->watch = watch && watch_allowed(path, false);
    request->response.path = std::move(path);
    send(std::move(request));
}

void ZooKeeperClient::async_create(CreateOp op, Executor executor,
                                   Callback<CreateResponse> callback) {
    check_args(executor, callback);
    if (op.acls.empty()) {
        op.acls = options_.acl_provider(op.path);
    }
    std::string path = op.path;
    auto request = std::make_unique<CreateRequest>(this, std::move(executor), std::move(callback),
                                                   std::move(op));
    request->response.path = std::move(path);
    send(std::move(request));
}

void ZooKeeperClient::async_set_data(SetDataOp op, Executor executor,
                                     Callback<SetDataResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<SetDataRequest>(this, std::move(executor), std::move(callback));
    request->response.path = op.path;
    request->op = std::move(op);
    send(std::move(request));
}

void ZooKeeperClient::async_delete(DeleteOp op, Executor executor,
                                   Callback<DeleteResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<DeleteRequest>(this, std::move(executor), std::move(callback));
    request->response.path = std::move(op.path);
    request->version = op.version;
    send(std::move(request));
}

void ZooKeeperClient::async_multi(std::vector<Op> ops, Executor executor,
                                  Callback<MultiResponse> callback) {
    check_args(executor, callback);
    send(std::make_unique<MultiRequest>(this, std::move(executor), std::move(callback),
                                        std::move(ops), options_.acl_provider));
}

void ZooKeeperClient::async_get_acl(std::string path, Executor executor,
                                    Callback<GetAclResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<GetAclRequest>(this, std::move(executor), std::move(callback));
    request->response.path = std::move(path);
    send(std::move(request));
}

void ZooKeeperClient::async_set_acl(std::string path, std::vector<Acl> acls, int32_t version,
                                    Executor executor, Callback<SetAclResponse> callback) {
    check_args(executor, callback);
    auto request = std::make_unique<SetAclRequest>(this, std::move(executor), std::move(callback),
                                                   std::move(acls), version);
    request->response.path = std::move(path);
    send(std::move(request));
}

// --- Sync operations --------------------------------------------------------------------------

result<GetDataResponse> ZooKeeperClient::get_data(const std::string& path, bool watch) {
    return to_result(call_one<GetDataResponse>(*this, [&](const Executor& ex, auto cb) {
        async_get_data(path, watch, ex, std::move(cb));
    }));
}

result<GetChildrenResponse> ZooKeeperClient::get_children(const std::string& path, bool watch) {
    return to_result(call_one<GetChildrenResponse>(*this, [&](const Executor& ex, auto cb) {
        async_get_children(path, watch, ex, std::move(cb));
    }));
}

result<std::optional<Stat>> ZooKeeperClient::exists(const std::string& path, bool watch) {
    const auto response = call_one<ExistsResponse>(
        *this, [&](const Executor& ex, auto cb) { async_exists(path, watch, ex, std::move(cb)); });
    if (response.ec == Errc::no_node) {
        return std::optional<Stat>();
    }
    if (response.ec) {
        return response.ec;
    }
    return std::optional<Stat>(response.stat);
}

result<CreateResponse> ZooKeeperClient::create(CreateOp op) {
    return to_result(call_one<CreateResponse>(
        *this, [&](const Executor& ex, auto cb) { async_create(op, ex, std::move(cb)); }));
}

result<SetDataResponse> ZooKeeperClient::set_data(SetDataOp op) {
    return to_result(call_one<SetDataResponse>(
        *this, [&](const Executor& ex, auto cb) { async_set_data(op, ex, std::move(cb)); }));
}

result<void> ZooKeeperClient::delete_node(DeleteOp op) {
    const auto response = call_one<DeleteResponse>(
        *this, [&](const Executor& ex, auto cb) { async_delete(op, ex, std::move(cb)); });
    if (response.ec) {
        return response.ec;
    }
    return success();
}

MultiResponse ZooKeeperClient::multi(std::vector<Op> ops) {
    return call_one<MultiResponse>(
        *this, [&](const Executor& ex, auto cb) { async_multi(ops, ex, std::move(cb)); });
}

result<GetAclResponse> ZooKeeperClient::get_acl(const std::string& path) {
    return to_result(call_one<GetAclResponse>(
        *this, [&](const Executor& ex, auto cb) { async_get_acl(path, ex, std::move(cb)); }));
}

result<void> ZooKeeperClient::set_acl(const std::string& path, std::vector<Acl> acls,
                                      int32_t version) {
    const auto response = call_one<SetAclResponse>(*this, [&](const Executor& ex, auto cb) {
        async_set_acl(path, acls, version, ex, std::move(cb));
    });
    if (response.ec) {
        return response.ec;
    }
    return success();
}

result<void> ZooKeeperClient::create_recursive(const std::string& path,
                                               std::optional<std::string> data,
                                               bool fail_if_exists) {
    auto created = create(CreateOp{path, data, CreateMode::persistent, {}});
    if (!created && created.error() == Errc::no_node) {
        SAMSA_TRY(ensure_path(*this, parent_of(path)));
        created = create(CreateOp{path, data, CreateMode::persistent, {}});
    }
    if (created || (created.error() == Errc::node_exists && !fail_if_exists)) {
        return success();
    }
    return created.error();
}

}  // namespace samsa::zk
