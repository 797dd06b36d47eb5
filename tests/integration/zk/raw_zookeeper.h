#pragma once
// Direct use of the ZooKeeper C API, independent of samsa::zk: an outside reader that checks
// what we wrote, and the classic way to expire a session on purpose (join it from a second
// handle with its id and password, then close that handle).

#include "zk/zookeeper_client.h"

#include <optional>
#include <string>

namespace samsa::test {

struct RawNode {
    std::string data;
    int64_t ephemeral_owner = 0;
    int64_t czxid = 0;
    int32_t version = 0;
};

// The node's data and stat read over a fresh handle; nullopt if it does not exist.
std::optional<RawNode> raw_get(const std::string& connect_string, const std::string& path);

// Makes the server expire the session `credentials` belongs to.
void expire_session(const std::string& connect_string, const zk::SessionCredentials& credentials);

}  // namespace samsa::test
