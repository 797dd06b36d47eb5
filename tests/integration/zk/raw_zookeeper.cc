#include "tests/integration/zk/raw_zookeeper.h"

#include "tests/support/wait.h"

#include <zookeeper/zookeeper.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace samsa::test {
namespace {

using namespace std::chrono_literals;

void quiet(const char*) {}

// libzookeeper_mt formats a handle's endpoint into one static buffer for its log lines, so two
// handles in one process that log at once (the session's own client and ours, both seeing the
// session end) race on it; ThreadSanitizer reports it. A broker has one handle. While a raw
// handle lives, the library logs nothing (level 0 turns its logging off, as its own tests
// do); afterwards it logs at WARN again, the level zk/zookeeper_client.cc sets.
class LibraryLogsOff {
  public:
    LibraryLogsOff() { zoo_set_debug_level(static_cast<ZooLogLevel>(0)); }
    ~LibraryLogsOff() { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); }
    LibraryLogsOff(const LibraryLogsOff&) = delete;
    LibraryLogsOff& operator=(const LibraryLogsOff&) = delete;
};

zhandle_t* open_handle(const std::string& connect_string, const clientid_t* id) {
    zhandle_t* zh = zookeeper_init2(connect_string.c_str(), nullptr, 10000, id, nullptr, 0, &quiet);
    if (zh == nullptr) {
        throw std::runtime_error("zookeeper_init failed");
    }
    if (!eventually([&] { return zoo_state(zh) == ZOO_CONNECTED_STATE; }, 15s)) {
        zookeeper_close(zh);
        throw std::runtime_error("raw handle did not connect to " + connect_string);
    }
    return zh;
}

}  // namespace

std::optional<RawNode> raw_get(const std::string& connect_string, const std::string& path) {
    LibraryLogsOff logs_off;
    zhandle_t* zh = open_handle(connect_string, nullptr);
    std::vector<char> buffer(1 << 20);
    int len = static_cast<int>(buffer.size());
    struct Stat stat {};
    const int rc = zoo_get(zh, path.c_str(), 0, buffer.data(), &len, &stat);
    zookeeper_close(zh);
    if (rc == ZNONODE) {
        return std::nullopt;
    }
    if (rc != ZOK) {
        throw std::runtime_error(std::string("zoo_get failed: ") + zerror(rc));
    }
    return RawNode{
        len < 0 ? std::string() : std::string(buffer.data(), static_cast<std::size_t>(len)),
        stat.ephemeralOwner, stat.czxid, stat.version};
}

void expire_session(const std::string& connect_string, const zk::SessionCredentials& credentials) {
    clientid_t id{};
    id.client_id = credentials.id;
    std::memcpy(id.passwd, credentials.password.data(),
                std::min(credentials.password.size(), sizeof(id.passwd)));
    // Joining the session and closing it ends it on the server, unless the session's own client
    // reconnects in between and takes the session back before our close arrives. So repeat until
    // joining the session is answered with "expired": only then is it provably gone.
    LibraryLogsOff logs_off;
    for (int attempt = 0; attempt < 20; ++attempt) {
        zhandle_t* zh =
            zookeeper_init2(connect_string.c_str(), nullptr, 10000, &id, nullptr, 0, &quiet);
        if (zh == nullptr) {
            throw std::runtime_error("zookeeper_init failed");
        }
        const bool settled = eventually(
            [&] {
                const int state = zoo_state(zh);
                return state == ZOO_CONNECTED_STATE || state == ZOO_EXPIRED_SESSION_STATE;
            },
            15s);
        const bool expired = zoo_state(zh) == ZOO_EXPIRED_SESSION_STATE;
        zookeeper_close(zh);  // when connected, this closes the shared session on the server
        if (!settled) {
            throw std::runtime_error("raw handle did not connect to " + connect_string);
        }
        if (expired) {
            return;
        }
    }
    throw std::runtime_error("the session did not expire");
}

}  // namespace samsa::test
