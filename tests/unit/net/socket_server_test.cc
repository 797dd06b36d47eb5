// SocketServer and Connection over real loopback sockets, with a RequestHandler fake that
// echoes each frame back: framing, ordering, limits, idle timeout, sendfile splices, and the
// move of a SASL listener's connections from a handshake thread to a network thread.

#include "broker/net/socket_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <pthread.h>
#include <set>
#include <thread>
#include <unistd.h>

namespace samsa::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Answers each request with [size][the request bytes], or, for a request starting with 'F',
// with [size]["F:"][the bytes of `file` spliced in with sendfile]. A request "AUTH"
// authenticates the session, as a successful SaslAuthenticate does.
class EchoHandler : public RequestHandler {
  public:
    explicit EchoHandler(std::shared_ptr<FileHandle> file = nullptr) : file_(std::move(file)) {}

    asio::awaitable<HandlerOutcome> handle(auth::Session& session, Frame frame) override {
        ++requests;
        const std::string body(frame->span().begin(), frame->span().end());
        if (body == "AUTH") {
            session.authenticated = true;
        }
        {
            std::lock_guard lock(mu);
            threads[body].insert(std::this_thread::get_id());
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            thread_names[body] = name;
        }
        HandlerOutcome out;
        out.response.emplace();
        auto& w = *out.response;
        w.write_int32(0);
        if (frame->size() > 0 && frame->data()[0] == 'F' && file_) {
            w.write_raw(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("F:"), 2));
            protocol::Records r = protocol::Records::from_files({protocol::FileSlice{file_, 2, 5}});
            // write_records adds a length prefix; splice the raw slice instead.
            w.write_records(r, false);
        } else {
            w.write_raw(frame->span());
        }
        w.patch_int32(0, static_cast<int32_t>(w.total_size() - 4));
        co_return out;
    }

    std::atomic<int> requests{0};
    // Request body -> the threads it was handled on.
    std::mutex mu;
    std::map<std::string, std::set<std::thread::id>> threads;
    std::map<std::string, std::string> thread_names;  // the last one, by request body

  private:
    std::shared_ptr<FileHandle> file_;
};

class SocketServerTest : public ::testing::Test {
  protected:
    void start(ConnectionConfig config, std::shared_ptr<FileHandle> file = nullptr,
               int processors = 2,
               auth::SecurityProtocol protocol = auth::SecurityProtocol::plaintext) {
        bind_only(config, std::move(file), processors, protocol);
        server_->start();
    }

    // Bound and listening, but not yet serving (the broker between bind and registration).
    void bind_only(ConnectionConfig config, std::shared_ptr<FileHandle> file = nullptr,
                   int processors = 2,
                   auth::SecurityProtocol protocol = auth::SecurityProtocol::plaintext) {
        handler_ = std::make_unique<EchoHandler>(std::move(file));
        server_ = std::make_unique<SocketServer>(
            processors, std::vector<ListenerConfig>{{"LISTENER", "127.0.0.1", 0, protocol}}, config,
            *handler_);
        server_->bind();
        port_ = server_->bound_port("LISTENER");
    }

    // A SASL_PLAINTEXT listener (its connections start on a handshake thread), two network
    // threads, connections closed after `max_idle` of silence.
    void start_sasl(std::chrono::milliseconds max_idle = ConnectionConfig{}.max_idle) {
        ConnectionConfig config;
        config.max_idle = max_idle;
        start(config, nullptr, 2, auth::SecurityProtocol::sasl_plaintext);
    }

    // Sends `body` and expects it echoed.
    static void echo(tcp::socket& s, const std::string& body) {
        send_frame(s, body);
        EXPECT_EQ(read_frame(s), body);
    }

    std::string thread_name(const std::string& body) {
        std::lock_guard lock(handler_->mu);
        return handler_->thread_names[body];
    }

    void TearDown() override {
        if (server_) {
            server_->shutdown();
        }
    }

    // An unlinked temp file holding "0123456789", for the 'F' requests' splices.
    static std::shared_ptr<FileHandle> digits_file() {
        char path[] = "/tmp/samsa-net-test-XXXXXX";
        int fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::write(fd, "0123456789", 10), 10);
        ::unlink(path);
        return std::make_shared<FileHandle>(fd, path);
    }

    tcp::socket connect() {
        tcp::socket s(client_io_);
        s.connect({asio::ip::make_address("127.0.0.1"), port_});
        return s;
    }

    static void send_frame(tcp::socket& s, const std::string& body) {
        std::array<uint8_t, 4> size{};
        auto n = static_cast<uint32_t>(body.size());
        size = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
        asio::write(s, asio::buffer(size));
        asio::write(s, asio::buffer(body));
    }

    static std::string read_frame(tcp::socket& s) {
        std::array<uint8_t, 4> size{};
        asio::read(s, asio::buffer(size));
        uint32_t n = (uint32_t{size[0]} << 24) | (uint32_t{size[1]} << 16) |
                     (uint32_t{size[2]} << 8) | size[3];
        std::string body(n, '\0');
        asio::read(s, asio::buffer(body));
        return body;
    }

    // True when the server closed the socket (EOF) within `timeout`.
    static bool closed_by_server(tcp::socket& s, std::chrono::milliseconds timeout) {
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
        ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char c;
        return ::recv(s.native_handle(), &c, 1, 0) == 0;
    }

    asio::io_context client_io_;
    std::unique_ptr<EchoHandler> handler_;
    std::unique_ptr<SocketServer> server_;
    uint16_t port_ = 0;
};

TEST_F(SocketServerTest, PipelinedRequestsAreAnsweredInOrder) {
    start({});
    auto s = connect();
    for (int i = 0; i < 50; ++i) {
        send_frame(s, "request-" + std::to_string(i));
    }
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(read_frame(s), "request-" + std::to_string(i));
    }
}

TEST_F(SocketServerTest, FrameAboveTheLimitClosesOnlyThatConnection) {
    ConnectionConfig config;
    config.max_request_bytes = 64;
    start(config);
    auto bad = connect();
    auto good = connect();
    send_frame(bad, std::string(65, 'x'));
    EXPECT_TRUE(closed_by_server(bad, 5000ms));
    send_frame(good, "still here");
    EXPECT_EQ(read_frame(good), "still here");
}

TEST_F(SocketServerTest, NegativeSizeClosesTheConnection) {
    start({});
    auto s = connect();
    std::array<uint8_t, 4> size{0xff, 0xff, 0xff, 0xf0};
    asio::write(s, asio::buffer(size));
    EXPECT_TRUE(closed_by_server(s, 5000ms));
    EXPECT_EQ(handler_->requests.load(), 0);
}

TEST_F(SocketServerTest, IdleConnectionsAreClosed) {
    ConnectionConfig config;
    config.max_idle = 200ms;
    start(config);
    auto s = connect();
    send_frame(s, "hi");
    EXPECT_EQ(read_frame(s), "hi");
    auto start_wait = std::chrono::steady_clock::now();
    EXPECT_TRUE(closed_by_server(s, 5000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start_wait, 150ms);
}

TEST_F(SocketServerTest, FileSlicesAreSplicedIntoTheResponse) {
    start({}, digits_file());
    auto s = connect();
    send_frame(s, "F");
    // "F:" + int32 length 5 + bytes [2, 7) of the file
    EXPECT_EQ(read_frame(s), std::string("F:\0\0\0\x05"
                                         "23456",
                                         11));
}

TEST_F(SocketServerTest, ShutdownClosesOpenConnections) {
    start({});
    auto s = connect();
    send_frame(s, "x");
    EXPECT_EQ(read_frame(s), "x");
    server_->shutdown();
    EXPECT_TRUE(closed_by_server(s, 5000ms));
}

TEST_F(SocketServerTest, ConnectionsAreRefusedUntilStarted) {
    bind_only({});
    // Bound, not listening: refused, as by a broker that is down.
    tcp::socket early(client_io_);
    boost::system::error_code ec;
    early.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    EXPECT_EQ(ec, asio::error::connection_refused);
    server_->start();
    auto s = connect();
    send_frame(s, "served");
    EXPECT_EQ(read_frame(s), "served");
    EXPECT_EQ(handler_->requests.load(), 1);
}

TEST_F(SocketServerTest, LargeAndSmallPipelinedFramesKeepTheirOrder) {
    start({});
    auto s = connect();
    // Sizes around the read buffer's small (2 KiB) and large (64 KiB) blocks, all written
    // before any answer is read, so frames straddle reads in every way.
    const std::vector<size_t> sizes{10,    70000, 0,       2047, 2048, 2049,   65531,
                                    65532, 65536, 1 << 20, 5,    3000, 131072, 1};
    std::string wire;
    std::vector<std::string> bodies;
    for (size_t i = 0; i < sizes.size(); ++i) {
        std::string body(sizes[i], static_cast<char>('a' + i));
        if (!body.empty()) {
            body[0] = static_cast<char>('0' + i % 10);  // distinct even when sizes repeat
        }
        auto n = static_cast<uint32_t>(body.size());
        wire += std::string{char(n >> 24), char(n >> 16), char(n >> 8), char(n)} + body;
        bodies.push_back(std::move(body));
    }
    std::thread writer([&] { asio::write(s, asio::buffer(wire)); });
    for (const auto& body : bodies) {
        EXPECT_EQ(read_frame(s), body);
    }
    writer.join();
}

TEST_F(SocketServerTest, FrameArrivingByteByByteIsHandledOnce) {
    start({});
    auto s = connect();
    s.set_option(tcp::no_delay(true));
    const std::string body = "one byte at a time";
    auto n = static_cast<uint32_t>(body.size());
    std::string wire = std::string{char(n >> 24), char(n >> 16), char(n >> 8), char(n)} + body;
    for (char c : wire) {
        asio::write(s, asio::buffer(&c, 1));
        std::this_thread::sleep_for(1ms);  // separate segments, not a wait for a result
    }
    EXPECT_EQ(read_frame(s), body);
    EXPECT_EQ(handler_->requests.load(), 1);
}

TEST_F(SocketServerTest, SplicedResponsesStayInOrderWithQueuedOnes) {
    start({}, digits_file());
    auto s = connect();
    const std::vector<std::string> requests{"a", "F", "b", "c", "F", "d"};
    std::string wire;
    for (const auto& r : requests) {
        wire += std::string{0, 0, 0, static_cast<char>(r.size())} + r;
    }
    asio::write(s, asio::buffer(wire));
    const std::string spliced(
        "F:\0\0\0\x05"
        "23456",
        11);
    for (const auto& r : requests) {
        EXPECT_EQ(read_frame(s), r == "F" ? spliced : r);
    }
}

TEST_F(SocketServerTest, ConnectionsSpreadOverNetworkThreadsAndStayOnTheirOwn) {
    start({}, nullptr, 2);
    std::vector<tcp::socket> sockets;
    for (int c = 0; c < 4; ++c) {
        sockets.push_back(connect());
    }
    for (int round = 0; round < 10; ++round) {
        for (int c = 0; c < 4; ++c) {
            send_frame(sockets[c], "conn-" + std::to_string(c));
            EXPECT_EQ(read_frame(sockets[c]), "conn-" + std::to_string(c));
        }
    }
    std::set<std::thread::id> all;
    std::lock_guard lock(handler_->mu);
    for (int c = 0; c < 4; ++c) {
        const auto& seen = handler_->threads["conn-" + std::to_string(c)];
        EXPECT_EQ(seen.size(), 1u) << "connection " << c << " moved between threads";
        all.insert(seen.begin(), seen.end());
    }
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(server_->processor_count(), 2u);
}

TEST_F(SocketServerTest, ShutdownWithManyOpenConnectionsIsPrompt) {
    start({});
    std::vector<tcp::socket> sockets;
    for (int c = 0; c < 500; ++c) {
        sockets.push_back(connect());
    }
    send_frame(sockets.back(), "x");
    EXPECT_EQ(read_frame(sockets.back()), "x");
    auto begin = std::chrono::steady_clock::now();
    server_->shutdown();
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
    EXPECT_EQ(server_->connection_count(), 0u);
    for (auto& sock : sockets) {
        EXPECT_TRUE(closed_by_server(sock, 5000ms));
    }
}

// A SASL listener's connection is served on a handshake thread until it is authenticated, then
// on a network thread: requests the client pipelined behind the authenticating one were read
// before the move and are answered after it, in order.
TEST_F(SocketServerTest, SaslConnectionsMoveToANetworkThreadOnceAuthenticated) {
    start_sasl();
    auto s = connect();
    echo(s, "before");
    // One write: "after-1" and "after-2" arrive with "AUTH".
    std::string pipelined;
    for (const std::string body : {"AUTH", "after-1", "after-2"}) {
        const auto n = static_cast<uint32_t>(body.size());
        pipelined += {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
        pipelined += body;
    }
    asio::write(s, asio::buffer(pipelined));
    EXPECT_EQ(read_frame(s), "AUTH");
    EXPECT_EQ(read_frame(s), "after-1");
    EXPECT_EQ(read_frame(s), "after-2");
    echo(s, "after-3");

    EXPECT_TRUE(thread_name("before").starts_with("samsa-tls-")) << thread_name("before");
    EXPECT_TRUE(thread_name("AUTH").starts_with("samsa-tls-")) << thread_name("AUTH");
    for (const char* body : {"after-1", "after-2", "after-3"}) {
        EXPECT_TRUE(thread_name(body).starts_with("samsa-net-"))
            << body << ": " << thread_name(body);
    }
    std::lock_guard lock(handler_->mu);
    EXPECT_EQ(*handler_->threads["after-1"].begin(), *handler_->threads["after-3"].begin());
}

TEST_F(SocketServerTest, MovedConnectionsAreClosedWhenIdle) {
    start_sasl(200ms);
    auto s = connect();
    echo(s, "AUTH");
    echo(s, "after");
    EXPECT_TRUE(thread_name("after").starts_with("samsa-net-"));
    auto start_wait = std::chrono::steady_clock::now();
    EXPECT_TRUE(closed_by_server(s, 5000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start_wait, 150ms);
}

// Connections not yet authenticated are closed when idle too: a client that connects and never
// completes SASL holds a handshake thread's socket no longer than connections.max.idle.ms.
TEST_F(SocketServerTest, UnauthenticatedConnectionsAreClosedWhenIdle) {
    start_sasl(200ms);
    auto s = connect();
    echo(s, "hello");
    EXPECT_TRUE(closed_by_server(s, 5000ms));
}

// Shutdown finds every connection, before and after its move, and closes it.
TEST_F(SocketServerTest, ShutdownClosesConnectionsOnBothSidesOfTheMove) {
    start_sasl();
    std::vector<tcp::socket> sockets;
    for (int c = 0; c < 20; ++c) {
        sockets.push_back(connect());
        // An answer first, so that every connection has been accepted (the backlog's are
        // reset, not closed, when the acceptor closes).
        echo(sockets.back(), c % 2 == 0 ? "AUTH" : "hello");
    }
    server_->shutdown();
    EXPECT_EQ(server_->connection_count(), 0u);
    for (auto& sock : sockets) {
        EXPECT_TRUE(closed_by_server(sock, 5000ms));
    }
}

}  // namespace
}  // namespace samsa::net
