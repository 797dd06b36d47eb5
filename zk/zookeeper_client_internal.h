#pragma once
// Internal to samsa::zk: the request objects shared by zookeeper_client.cc (sessions, queue,
// watches) and zookeeper_client_ops.cc (one request type per ZooKeeper operation).
//
// Life of a request: the async_* call allocates it; send() queues it or takes an in-flight
// slot and submits it; the C completion (on ZooKeeper's completion thread) copies the answer
// into `response` and calls finish(), which frees the slot, posts the response to the caller's
// executor and deletes the request. If the C call is refused synchronously no completion will
// come, so submit() sets the error and calls finish() itself. Either way: exactly once.
//
// libzookeeper_mt may drop completions still pending when a handle is closed (its completion
// thread can exit before zookeeper_close queues them, and destroy() does not run them in the
// mt build). So every submitted request is recorded with the generation of the handle it went
// to, and after a handle is closed the client fails whatever of that generation is left.

#include "zk/zookeeper_client.h"

#include <zookeeper/zookeeper.h>

namespace samsa::zk {

// Marks the current thread as running a ZooKeeper C callback while it lives.
class CallbackScope {
  public:
    CallbackScope();
    ~CallbackScope();
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;

  private:
    bool previous_;
};

struct ZooKeeperClient::PendingRequest {
    explicit PendingRequest(ZooKeeperClient* c) : client(c) {}
    virtual ~PendingRequest() = default;
    PendingRequest(const PendingRequest&) = delete;
    PendingRequest& operator=(const PendingRequest&) = delete;

    // Starts the C call with `this` as the completion's data; returns the C client's rc.
    virtual int submit(zhandle_t* zh) = 0;
    // Records an error found before or instead of a completion.
    virtual void fail(std::error_code ec) = 0;
    // Posts the response to the caller's executor.
    virtual void deliver() = 0;

    // Frees the in-flight slot, delivers the response and deletes this request.
    void finish();

    ZooKeeperClient* const client;
    uint64_t generation = 0;  // of the handle it was submitted to
};

template <typename Response>
struct BasicRequest : ZooKeeperClient::PendingRequest {
    BasicRequest(ZooKeeperClient* c, Executor e, Callback<Response> cb)
        : PendingRequest(c), executor(std::move(e)), callback(std::move(cb)) {}

    void fail(std::error_code ec) override { response.ec = ec; }

    void deliver() override {
        executor(
            [cb = std::move(callback), r = std::move(response)]() mutable { cb(std::move(r)); });
    }

    Response response;
    Executor executor;
    Callback<Response> callback;
};

Stat to_stat(const ::Stat& s);

}  // namespace samsa::zk
