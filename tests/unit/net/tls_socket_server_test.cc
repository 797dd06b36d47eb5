// SocketServer and Connection on an SSL listener, over real loopback sockets, with a blocking
// OpenSSL client: where the handshake runs, framing and order through TLS, and bad or stalled
// peers.

#include "auth/ssl_factory.h"
#include "auth/ssl_principal_mapper.h"
#include "broker/net/socket_server.h"
#include "tests/unit/net/test_certs.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <set>
#include <signal.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace samsa::net {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using namespace std::chrono_literals;

using testing::Certs;

std::string thread_name() {
    std::array<char, 32> name{};
    pthread_getname_np(pthread_self(), name.data(), name.size());
    return name.data();
}

// The threads each step ran on, from the server's SSL info callback.
std::mutex g_handshake_mu;
std::set<std::string> g_handshake_threads;

void record_handshake_thread(const SSL* ssl, int where, int) {
    if (SSL_is_server(const_cast<SSL*>(ssl)) && (where & SSL_CB_LOOP) != 0) {
        std::lock_guard lock(g_handshake_mu);
        g_handshake_threads.insert(thread_name());
    }
}

// Echoes each request back, and notes the threads requests were handled on.
class EchoHandler : public RequestHandler {
  public:
    asio::awaitable<HandlerOutcome> handle(auth::Session&, Frame frame) override {
        {
            std::lock_guard lock(mu);
            threads.insert(thread_name());
        }
        HandlerOutcome out;
        out.response.emplace();
        out.response->write_int32(static_cast<int32_t>(frame->size()));
        out.response->write_raw(frame->span());
        co_return out;
    }

    std::mutex mu;
    std::set<std::string> threads;
};

// A blocking TLS client over loopback.
class TlsClient {
  public:
    TlsClient(uint16_t port, SSL_CTX* ctx) : ssl_(SSL_new(ctx)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, "localhost");
    }
    ~TlsClient() {
        SSL_free(ssl_);
        ::close(fd_);
    }

    bool handshake() { return connected_ && SSL_connect(ssl_) == 1; }

    bool send_frame(const std::string& body) {
        std::string frame(4, '\0');
        auto n = static_cast<uint32_t>(body.size());
        frame = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
        frame += body;
        size_t written = 0;
        return SSL_write_ex(ssl_, frame.data(), frame.size(), &written) == 1;
    }

    // The echoed body, or nullopt on EOF or error.
    std::optional<std::string> read_frame() {
        std::array<uint8_t, 4> size{};
        if (!read_exactly(size.data(), 4)) {
            return std::nullopt;
        }
        uint32_t n = (uint32_t{size[0]} << 24) | (uint32_t{size[1]} << 16) |
                     (uint32_t{size[2]} << 8) | size[3];
        std::string body(n, '\0');
        if (!read_exactly(reinterpret_cast<uint8_t*>(body.data()), n)) {
            return std::nullopt;
        }
        return body;
    }

    int fd() const { return fd_; }

  private:
    bool read_exactly(uint8_t* p, size_t n) {
        while (n > 0) {
            size_t got = 0;
            if (SSL_read_ex(ssl_, p, n, &got) != 1) {
                return false;
            }
            p += got;
            n -= got;
        }
        return true;
    }

    SSL* ssl_;
    int fd_ = -1;
    bool connected_ = false;
};

class TlsSocketServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auth::SslConfig server_config;
        server_config.keystore_location = (Certs::dir / "broker.pem").string();
        server_config.truststore_location = (Certs::dir / "ca.pem").string();
        server_config.handshake_timeout = 1500ms;
        TlsOptions tls{std::make_shared<auth::SslFactory>(server_config, auth::SslMode::server),
                       std::make_shared<auth::SslPrincipalMapper>("DEFAULT")};
        SSL_CTX_set_info_callback(tls.factory->context().get(), record_handshake_thread);
        ListenerConfig listener{"SSL", "127.0.0.1", 0, auth::SecurityProtocol::ssl, tls};
        server_ = std::make_unique<SocketServer>(1, std::vector<ListenerConfig>{listener},
                                                 ConnectionConfig{}, handler_);
        server_->bind();
        server_->start();
        port_ = server_->bound_port("SSL");

        auth::SslConfig client_config;
        client_config.truststore_location = (Certs::dir / "ca.pem").string();
        client_ctx_ = auth::build_ssl_context(client_config, auth::SslMode::client);
    }

    void TearDown() override { server_->shutdown(); }

    asio::io_context io_;
    EchoHandler handler_;
    std::unique_ptr<SocketServer> server_;
    uint16_t port_ = 0;
    auth::SslContextPtr client_ctx_;
};

TEST_F(TlsSocketServerTest, HandshakeRunsOnAHandshakeThreadAndRequestsOnTheNetworkThread) {
    {
        std::lock_guard lock(g_handshake_mu);
        g_handshake_threads.clear();
    }
    TlsClient client(port_, client_ctx_.get());
    ASSERT_TRUE(client.handshake());
    ASSERT_TRUE(client.send_frame("hello"));
    EXPECT_EQ(client.read_frame(), "hello");
    std::lock_guard lock(g_handshake_mu);
    EXPECT_EQ(g_handshake_threads, std::set<std::string>{"samsa-tls-0"});
    std::lock_guard handled(handler_.mu);
    EXPECT_EQ(handler_.threads, std::set<std::string>{"samsa-net-0"});
}

TEST_F(TlsSocketServerTest, PipelinedLargeAndSmallFramesComeBackWholeAndInOrder) {
    TlsClient client(port_, client_ctx_.get());
    ASSERT_TRUE(client.handshake());
    // Sizes around OpenSSL's 16 KiB records, the 64 KiB read-ahead and the 256 KiB coalescing.
    const std::vector<size_t> sizes{1, 300000, 16384, 7, 65536, 70000, 16385, 262144, 3};
    std::vector<std::string> bodies;
    for (size_t i = 0; i < sizes.size(); ++i) {
        std::string body(sizes[i], static_cast<char>('a' + i));
        body[0] = static_cast<char>('0' + i);
        bodies.push_back(body);
        ASSERT_TRUE(client.send_frame(body));
    }
    for (const auto& body : bodies) {
        auto echoed = client.read_frame();
        ASSERT_TRUE(echoed.has_value());
        EXPECT_EQ(echoed->size(), body.size());
        EXPECT_TRUE(*echoed == body) << "frame " << body[0] << " differs";
    }
}

TEST_F(TlsSocketServerTest, PlaintextPeerIsClosedAndOthersAreServed) {
    tcp::socket raw(io_);
    raw.connect({asio::ip::make_address("127.0.0.1"), port_});
    // An ApiVersions request in plaintext: not a TLS record.
    const std::array<uint8_t, 14> request{0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0};
    asio::write(raw, asio::buffer(request));
    std::array<char, 256> reply{};
    boost::system::error_code ec;
    size_t total = 0;
    while (!ec) {
        total += raw.read_some(asio::buffer(reply), ec);
    }
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
    EXPECT_LT(total, 64u) << "at most a TLS alert comes back";

    TlsClient client(port_, client_ctx_.get());
    ASSERT_TRUE(client.handshake());
    ASSERT_TRUE(client.send_frame("still served"));
    EXPECT_EQ(client.read_frame(), "still served");
}

TEST_F(TlsSocketServerTest, ShutdownWithHandshakesStalledAndInFlightIsPrompt) {
    // Silent peers, peers that stop after half a ClientHello, and clients handshaking as the
    // server shuts down: each kind must end without a crash, and promptly.
    std::vector<tcp::socket> stalled;
    for (int i = 0; i < 20; ++i) {
        stalled.emplace_back(io_).connect({asio::ip::make_address("127.0.0.1"), port_});
        if (i % 2 == 1) {
            const std::array<uint8_t, 5> header{0x16, 0x03, 0x01, 0x02, 0x00};
            asio::write(stalled.back(), asio::buffer(header));
        }
    }
    std::atomic<bool> stop{false};
    std::atomic<int> handshakes{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&] {
            while (!stop) {
                TlsClient c(port_, client_ctx_.get());
                if (!c.handshake()) {
                    return;  // refused once the server is shutting down
                }
                ++handshakes;
            }
        });
    }
    // Shut down while the clients are handshaking, once they demonstrably are.
    const auto started = std::chrono::steady_clock::now();
    while (handshakes < 20 && std::chrono::steady_clock::now() - started < 10s) {
        std::this_thread::yield();
    }
    EXPECT_GE(handshakes, 20);
    auto start = std::chrono::steady_clock::now();
    server_->shutdown();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
    EXPECT_EQ(server_->connection_count(), 0u);
    stop = true;
    for (auto& t : clients) {
        t.join();
    }
}

}  // namespace
}  // namespace samsa::net
