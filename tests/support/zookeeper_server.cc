#include "tests/support/zookeeper_server.h"

#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace samsa::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kClassPath = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar";
constexpr const char* kMainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Sends a four-letter command and returns the whole answer ("" if nothing listens).
std::string four_letter_word(int port, const char* command) {
    Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (sock.get() < 0) {
        return "";
    }
    const sockaddr_in addr = loopback(port);
    if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        return "";
    }
    if (::send(sock.get(), command, std::strlen(command), MSG_NOSIGNAL) < 0) {
        return "";
    }
    std::string answer;
    char buf[1024];
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{sock.get(), POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        const ssize_t n = ::recv(sock.get(), buf, sizeof(buf), 0);
        if (n <= 0) {
            break;
        }
        answer.append(buf, static_cast<std::size_t>(n));
    }
    return answer;
}

}  // namespace

int free_loopback_port() {
    Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof(addr);
    if (sock.get() < 0 || ::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    return ntohs(addr.sin_port);
}

bool loopback_port_open(int port) {
    Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in addr = loopback(port);
    return sock.get() >= 0 &&
           ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

ZooKeeperServer::ZooKeeperServer(ZooKeeperServerOptions options) : options_(options) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "samsa-zookeeper-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
    }
    dir_ = pattern;
    std::filesystem::create_directories(dir_ / "data");
    try {
        // Another process may grab the port between our probe and the server's bind: the
        // server then exits at once, and we try a fresh port.
        for (int attempt = 0;; ++attempt) {
            port_ = free_loopback_port();
            write_config();
            spawn();
            if (wait_until_serving(std::chrono::steady_clock::now() + options_.start_timeout)) {
                return;
            }
            stop();
            if (attempt == 2) {
                throw std::runtime_error("ZooKeeper did not start; log:\n" + log_tail());
            }
        }
    } catch (...) {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

ZooKeeperServer::~ZooKeeperServer() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string ZooKeeperServer::connect_string() const {
    return "127.0.0.1:" + std::to_string(port_);
}

void ZooKeeperServer::write_config() const {
    std::ofstream cfg(dir_ / "zoo.cfg", std::ios::trunc);
    cfg << "tickTime=" << options_.tick_time_ms << "\n"
        << "dataDir=" << (dir_ / "data").string() << "\n"
        << "clientPort=" << port_ << "\n"
        << "clientPortAddress=127.0.0.1\n"
        << "admin.enableServer=false\n"
        << "minSessionTimeout=" << 2 * options_.tick_time_ms << "\n"
        << "maxSessionTimeout=" << options_.max_session_timeout_ms << "\n"
        << "maxClientCnxns=0\n"
        << "forceSync=no\n"
        << "preAllocSize=1024\n";
    if (!cfg) {
        throw std::runtime_error("cannot write " + (dir_ / "zoo.cfg").string());
    }
}

void ZooKeeperServer::spawn() {
    const std::string cfg = (dir_ / "zoo.cfg").string();
    const std::string log = (dir_ / "zookeeper.log").string();
    std::vector<std::string> args = {"java",
                                     "-Xmx256m",
                                     "-XX:+UseSerialGC",
                                     "-XX:TieredStopAtLevel=1",
                                     "-Xshare:auto",
                                     "-Djava.awt.headless=true",
                                     "-cp",
                                     kClassPath,
                                     kMainClass,
                                     cfg};
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {
        // Child: async-signal-safe calls only until exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        ::execvp("java", argv.data());
        ::_exit(127);
    }
    pid_ = pid;
}

bool ZooKeeperServer::process_exited() {
    if (pid_ <= 0) {
        return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
    }
    return false;
}

bool ZooKeeperServer::wait_until_serving(std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
        if (process_exited()) {
            return false;
        }
        const std::string answer = four_letter_word(port_, "srvr");
        if (answer.find("Zookeeper version") != std::string::npos &&
            answer.find("Mode:") != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(50ms);  // poll interval, bounded by the deadline
    }
    return false;
}

void ZooKeeperServer::start() {
    if (running()) {
        return;
    }
    // The same port and data: a restart. A port still held by a dying socket is retried.
    const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    while (true) {
        spawn();
        if (wait_until_serving(deadline)) {
            return;
        }
        stop();
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("ZooKeeper did not restart on port " + std::to_string(port_) +
                                     "; log:\n" + log_tail());
        }
        std::this_thread::sleep_for(200ms);  // back off before the next attempt
    }
}

void ZooKeeperServer::stop() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!process_exited()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
}

std::string ZooKeeperServer::log_tail(std::size_t bytes) const {
    std::ifstream in(dir_ / "zookeeper.log", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace samsa::test
