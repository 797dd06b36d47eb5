#pragma once
// ZooKeeperServer: a real, standalone ZooKeeper for integration tests, run from Debian's
// `zookeeper` package:
//   java -cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar
//        org.apache.zookeeper.server.quorum.QuorumPeerMain <tmp>/zoo.cfg
// listening on 127.0.0.1 only, on a free port, with a temporary dataDir (Kafka's
// EmbeddedZookeeper, as a process).
//
// start() returns once the server answers the "srvr" command on its port (polled with a
// deadline; a process that exits meanwhile fails fast with the tail of its log). stop() ends the
// process by PID (SIGTERM, then SIGKILL after 10 s) and keeps the data, so start() brings the
// same server back on the same port: clients see a disconnect and a reconnect to their old
// session. The destructor stops the server and removes the temporary directory. The child gets
// PR_SET_PDEATHSIG, so a crashed test does not leave a JVM behind: construct the server on a
// thread that lives as long as it (the test's main thread).
//
// Errors (no java, no free port, the server not serving within the deadline) throw
// std::runtime_error: test code, where an exception is a failed test with its message.

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace samsa::test {

struct ZooKeeperServerOptions {
    // ZooKeeper's tickTime. Sessions may last from 2 ticks up to max_session_timeout_ms.
    int tick_time_ms = 500;
    int max_session_timeout_ms = 60000;
    std::chrono::milliseconds start_timeout{60000};
};

class ZooKeeperServer {
  public:
    explicit ZooKeeperServer(ZooKeeperServerOptions options = {});
    ~ZooKeeperServer();
    ZooKeeperServer(const ZooKeeperServer&) = delete;
    ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

    void start();
    void stop();
    void restart() {
        stop();
        start();
    }

    bool running() const { return pid_ > 0; }
    int port() const { return port_; }
    std::string connect_string() const;  // "127.0.0.1:<port>"
    const std::filesystem::path& directory() const { return dir_; }
    // The last `bytes` of the server's stdout/stderr, for failure messages.
    std::string log_tail(std::size_t bytes = 4000) const;

  private:
    void write_config() const;
    void spawn();
    // True once "srvr" answers; false if the process exited first.
    bool wait_until_serving(std::chrono::steady_clock::time_point deadline);
    bool process_exited();

    ZooKeeperServerOptions options_;
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

// A free TCP port on 127.0.0.1 (bound to port 0 and released; another process could take it
// before it is used, which start() survives by picking another).
int free_loopback_port();

// True if something accepts TCP connections on 127.0.0.1:`port`.
bool loopback_port_open(int port);

}  // namespace samsa::test
