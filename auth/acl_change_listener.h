#pragma once
// AclChangeListener: Kafka's ZkNodeChangeNotificationListener, as AclAuthorizer uses it for
// its two change stores (/kafka-acl-changes with text notifications, /kafka-acl-extended-changes
// with JSON ones; auth/acl_json.h).
//
// A writer of ACLs leaves a sequential node acl_changes_<seq> naming the resource it changed.
// Every broker watches the children of both paths; when they change it lists them (re-arming
// the watch), hands each notification newer than the last one it processed to `on_change` in
// sequence order, and deletes those older than 15 minutes (Kafka's changeExpirationMs), which
// any broker may do. start() processes the notifications already there; a new ZooKeeper
// session processes them again (the watches died with the old one).
//
// Threads. Watch events and session renewals are handed to `executor`, where processing does
// blocking ZooKeeper reads: it must be an executor that may block (the broker's I/O pool).
// Processing is serialised. After close() returns, `on_change` is not called again.

#include "auth/acl.h"
#include "common/result.h"

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace samsa::zk {
class KafkaZkClient;
}

namespace samsa::auth {

class AclChangeListener {
  public:
    using Executor = std::function<void(std::function<void()>)>;
    using OnChange = std::function<void(const ResourcePattern&)>;

    AclChangeListener(zk::KafkaZkClient& zk, Executor executor, OnChange on_change);
    ~AclChangeListener();
    AclChangeListener(const AclChangeListener&) = delete;
    AclChangeListener& operator=(const AclChangeListener&) = delete;

    // Registers the watches and processes what is there now, on the calling thread.
    result<void> start();
    void close();

  private:
    struct Shared;

    static void schedule(const std::shared_ptr<Shared>& shared, bool prefixed);
    static void process(Shared& shared, bool prefixed);
    static void process_one(Shared& shared, bool prefixed, const std::string& child);
    static void purge_obsolete(Shared& shared, bool prefixed,
                               const std::vector<std::string>& children);

    zk::KafkaZkClient& zk_;
    std::shared_ptr<Shared> shared_;
    std::string session_handler_name_;
};

}  // namespace samsa::auth
