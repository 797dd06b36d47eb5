#pragma once
// ZkSecurityMigrator: sets the ACLs of an existing cluster's znodes to Kafka's secure layout
// (zookeeper.set.acl=true: creator-all plus world-read, creator-only for credentials) or back
// to open ones, in place (Kafka's zookeeper-security-migration tool). Run it with the login the
// brokers use (or a ZooKeeper super user): the creator ACLs name whoever runs it. /consumers
// stays open, as in Kafka.

#include "common/result.h"

#include <cstdint>
#include <functional>
#include <string>

namespace samsa::zk {

class ZooKeeperClient;

enum class ZkAclMode { secure, unsecure };

// Walks every Kafka root path that exists and sets each znode's ACL; returns how many znodes
// were set. `progress` (may be empty) is called every 1,000 znodes with the count so far.
result<int64_t> migrate_znode_acls(ZooKeeperClient& zk, ZkAclMode mode,
                                   const std::function<void(int64_t)>& progress = {});

}  // namespace samsa::zk
