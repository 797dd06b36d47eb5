// SocketServer and Connection over real loopback sockets, with a RequestHandler fake that
// echoes each frame back: framing, ordering, limits, idle timeout and sendfile splices.

#include "broker/net/socket_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace samsa::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Answers each request with [size][the request bytes], or, for a request starting with 'F',
// with [size]["F:"][the bytes of `file` spliced in with sendfile].
class EchoHandler : public RequestHandler {
public:
    explicit EchoHandler(std::shared_ptr<FileHandle> file = nullptr) : file_(std::move(file)) {}

    asio::awaitable<HandlerOutcome> handle(auth::Session&, Frame frame) override {
        ++requests;
        HandlerOutcome out;
        out.response.emplace();
        auto& w = *out.response;
        w.write_int32(0);
        if (frame->size() > 0 && frame->data()[0] == 'F' && file_) {
            w.write_raw(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("F:"), 2));
            protocol::Records r = protocol::Records::from_files(
                {protocol::FileSlice{file_, 2, 5}});
            // write_records adds a length prefix; splice the raw slice instead.
            w.write_records(r, false);
        } else {
            w.write_raw(frame->span());
        }
        w.patch_int32(0, static_cast<int32_t>(w.total_size() - 4));
        co_return out;
    }

    std::atomic<int> requests{0};

private:
    std::shared_ptr<FileHandle> file_;
};

class SocketServerTest : public ::testing::Test {
protected:
    void start(ConnectionConfig config, std::shared_ptr<FileHandle> file = nullptr) {
        handler_ = std::make_unique<EchoHandler>(std::move(file));
        server_ = std::make_unique<SocketServer>(
            io_, std::vector<ListenerConfig>{{"PLAINTEXT", "127.0.0.1", 0}}, config, *handler_);
        server_->bind();
        server_->start_accepting();
        thread_ = std::thread([this] { io_.run(); });
        port_ = server_->bound_port("PLAINTEXT");
    }

    void TearDown() override {
        if (server_) {
            server_->shutdown();
        }
        work_.reset();
        io_.stop();
        if (thread_.joinable()) {
            thread_.join();
        }
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

    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        io_.get_executor()};
    asio::io_context client_io_;
    std::unique_ptr<EchoHandler> handler_;
    std::unique_ptr<SocketServer> server_;
    std::thread thread_;
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
    char path[] = "/tmp/samsa-net-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "0123456789", 10), 10);
    ::unlink(path);
    start({}, std::make_shared<FileHandle>(fd, path));
    auto s = connect();
    send_frame(s, "F");
    // "F:" + int32 length 5 + bytes [2, 7) of the file
    EXPECT_EQ(read_frame(s), std::string("F:\0\0\0\x05" "23456", 11));
}

TEST_F(SocketServerTest, ShutdownClosesOpenConnections) {
    start({});
    auto s = connect();
    send_frame(s, "x");
    EXPECT_EQ(read_frame(s), "x");
    server_->shutdown();
    EXPECT_TRUE(closed_by_server(s, 5000ms));
}

}  // namespace
}  // namespace samsa::net
