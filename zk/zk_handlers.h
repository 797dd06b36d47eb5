#pragma once
// Watch and session handlers, as in Kafka's zookeeper/ZooKeeperClient.scala.
//
// A handler is registered with ZooKeeperClient under its path. ZooKeeper watches are one-shot:
// a read with `watch = true` arms one, and only if a handler is registered for that path
// (Kafka's rule, so a stray `watch = true` never produces events nobody handles). When the watch
// fires the client posts the matching callback to the Executor given at registration; the
// callback runs there, never on ZooKeeper's completion thread. To keep watching, the handler
// (or its owner) reads the path again with `watch = true`.
//
// Handlers are held by shared_ptr: a callback already posted keeps its handler alive even if
// it is unregistered meanwhile, so owners must tolerate a late call.

#include <string>
#include <utility>

namespace samsa::zk {

// Data watches armed by get_data / exists (Kafka's ZNodeChangeHandler).
class ZNodeChangeHandler {
  public:
    explicit ZNodeChangeHandler(std::string path) : path_(std::move(path)) {}
    virtual ~ZNodeChangeHandler() = default;
    ZNodeChangeHandler(const ZNodeChangeHandler&) = delete;
    ZNodeChangeHandler& operator=(const ZNodeChangeHandler&) = delete;

    const std::string& path() const { return path_; }

    virtual void on_create() {}
    virtual void on_delete() {}
    virtual void on_data_change() {}

  private:
    std::string path_;
};

// Child watches armed by get_children (Kafka's ZNodeChildChangeHandler).
class ZNodeChildChangeHandler {
  public:
    explicit ZNodeChildChangeHandler(std::string path) : path_(std::move(path)) {}
    virtual ~ZNodeChildChangeHandler() = default;
    ZNodeChildChangeHandler(const ZNodeChildChangeHandler&) = delete;
    ZNodeChildChangeHandler& operator=(const ZNodeChildChangeHandler&) = delete;

    const std::string& path() const { return path_; }

    virtual void on_child_change() = 0;

  private:
    std::string path_;
};

// Session lifecycle (Kafka's StateChangeHandler), registered by name.
//
// Unlike watch handlers these are called synchronously on the client's own session thread
// (Kafka's "zk-session-expiry-handler"), in this order when the session expires:
// before_initializing_session() for every handler, then a new session is created, then
// after_initializing_session() for every handler. A handler may block (e.g. post to its
// owner's strand and wait, as KafkaController does) and may call ZooKeeperClient's sync
// operations: ephemerals (/brokers/ids/<id>, /controller) and watches belong to the dead
// session, so after_initializing_session is where owners create and arm them again.
class StateChangeHandler {
  public:
    explicit StateChangeHandler(std::string name) : name_(std::move(name)) {}
    virtual ~StateChangeHandler() = default;
    StateChangeHandler(const StateChangeHandler&) = delete;
    StateChangeHandler& operator=(const StateChangeHandler&) = delete;

    const std::string& name() const { return name_; }

    virtual void before_initializing_session() {}
    virtual void after_initializing_session() {}
    virtual void on_auth_failure() {}

  private:
    std::string name_;
};

}  // namespace samsa::zk
