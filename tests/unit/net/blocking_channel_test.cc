// BlockingChannel, the broker's own client (controller → broker, follower → leader), against a
// real SocketServer over loopback: request and response framing over PLAINTEXT and over TLS
// (the same TlsStream the listeners use, in client mode), large responses that span many TLS
// records, and the failures a channel must report within its timeout rather than hang on.

#include "broker/net/blocking_channel.h"

#include "auth/ssl_factory.h"
#include "auth/ssl_principal_mapper.h"
#include "broker/net/socket_server.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"
#include "tests/unit/net/test_certs.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samsa::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using testing::Certs;

constexpr int16_t kVersion = 2;  // ApiVersions v2: a non-flexible header, plain arrays

// A request header's api key and api version: its first two int16 fields.
int16_t be16(const uint8_t* p) {
    return static_cast<int16_t>((p[0] << 8) | p[1]);
}

// Answers every ApiVersions request with `entries` api_keys entries, entry i being
// (i, i + 1, i + 2): a response as large as a test needs, checked entry by entry. A Produce
// request is counted and not answered, as a broker does with acks=0.
class ApiVersionsHandler : public RequestHandler {
  public:
    explicit ApiVersionsHandler(int entries) : entries_(entries) {}

    asio::awaitable<HandlerOutcome> handle(auth::Session&, Frame frame) override {
        protocol::Reader r(frame->span());
        const auto key = static_cast<protocol::ApiKey>(be16(frame->data()));
        const int16_t version = be16(frame->data() + 2);
        protocol::RequestHeaderData header;
        header.decode(r, protocol::request_header_version(key, version));
        HandlerOutcome out;
        if (key == protocol::ApiKey::produce) {
            ++produce_requests;
            co_return out;
        }
        protocol::ApiVersionsResponseData response;
        for (int i = 0; i < entries_; ++i) {
            auto k = static_cast<int16_t>(i);
            response.api_keys.push_back(
                {k, static_cast<int16_t>(k + 1), static_cast<int16_t>(k + 2)});
        }
        out.response.emplace();
        out.response->write_int32(0);
        protocol::ResponseHeaderData response_header;
        response_header.correlation_id = header.correlation_id;
        response_header.encode(*out.response, protocol::response_header_version(key, kVersion));
        response.encode(*out.response, kVersion);
        out.response->patch_int32(0, static_cast<int32_t>(out.response->buffer().size() - 4));
        co_return out;
    }

    std::atomic<int> produce_requests{0};

  private:
    int entries_;
};

std::shared_ptr<auth::SslFactory> client_ssl(const std::string& ca) {
    auth::SslConfig config;
    config.truststore_location = ca;
    return std::make_shared<auth::SslFactory>(config, auth::SslMode::client);
}

class BlockingChannelTest : public ::testing::Test {
  protected:
    // 50,000 entries: a response of about 300 KB, twenty TLS records and more.
    static constexpr int kEntries = 50000;

    void start(auth::SecurityProtocol protocol) {
        ListenerConfig listener{"L", "127.0.0.1", 0, protocol, std::nullopt};
        if (protocol == auth::SecurityProtocol::ssl) {
            auth::SslConfig config;
            config.keystore_location = (Certs::dir / "broker.pem").string();
            listener.tls =
                TlsOptions{std::make_shared<auth::SslFactory>(config, auth::SslMode::server),
                           std::make_shared<auth::SslPrincipalMapper>("DEFAULT")};
        }
        server_ = std::make_unique<SocketServer>(1, std::vector<ListenerConfig>{listener},
                                                 ConnectionConfig{}, handler_);
        server_->bind();
        server_->start();
        port_ = server_->bound_port("L");
    }

    void TearDown() override {
        if (server_) {
            server_->shutdown();
        }
    }

    // Three requests in a row on one channel, each answered whole and in turn.
    void expect_answers(BlockingChannel& channel) {
        for (int round = 0; round < 3; ++round) {
            auto response = channel.send<protocol::ApiVersionsResponseData>(
                protocol::ApiVersionsRequestData{}, kVersion);
            ASSERT_TRUE(response) << response.error().message();
            ASSERT_EQ(response.value().api_keys.size(), static_cast<size_t>(kEntries));
            for (int i = 0; i < kEntries; i += 997) {
                const auto& e = response.value().api_keys[static_cast<size_t>(i)];
                ASSERT_EQ(e.api_key, static_cast<int16_t>(i));
                ASSERT_EQ(e.max_version, static_cast<int16_t>(i + 2));
            }
        }
    }

    ApiVersionsHandler handler_{kEntries};
    std::unique_ptr<SocketServer> server_;
    uint16_t port_ = 0;
};

TEST_F(BlockingChannelTest, PlaintextExchangesLargeResponses) {
    start(auth::SecurityProtocol::plaintext);
    BlockingChannel channel("127.0.0.1", port_, "test", 5s);
    expect_answers(channel);
}

TEST_F(BlockingChannelTest, TlsExchangesLargeResponsesAcrossManyRecords) {
    start(auth::SecurityProtocol::ssl);
    auto security = std::make_shared<ChannelSecurity>();
    security->protocol = auth::SecurityProtocol::ssl;
    security->ssl = client_ssl((Certs::dir / "ca.pem").string());
    BlockingChannel channel("localhost", port_, "test", 5s, security);
    expect_answers(channel);
    // After a close, the next send connects and handshakes again.
    channel.close();
    expect_answers(channel);
    // A request that gets no answer (Produce with acks=0) is only written; the next exchange
    // still reads its own response.
    protocol::ProduceRequestData produce;
    produce.acks = 0;
    produce.timeout_ms = 1000;
    ASSERT_TRUE(channel.send_oneway(produce, 3));
    expect_answers(channel);
    EXPECT_EQ(handler_.produce_requests.load(), 1);
}

TEST_F(BlockingChannelTest, TlsToAServerOfAnotherCaFailsTheHandshake) {
    start(auth::SecurityProtocol::ssl);
    const auto other = Certs::dir / "other-ca";
    ASSERT_EQ(std::system(
                  (std::string(SAMSA_CERTS_SCRIPT) + " --dir " + other.string() + " ca > /dev/null")
                      .c_str()),
              0);
    auto security = std::make_shared<ChannelSecurity>();
    security->protocol = auth::SecurityProtocol::ssl;
    security->ssl = client_ssl((other / "ca.pem").string());
    BlockingChannel channel("localhost", port_, "test", 5s, security);
    auto start_time = std::chrono::steady_clock::now();
    auto response = channel.send<protocol::ApiVersionsResponseData>(
        protocol::ApiVersionsRequestData{}, kVersion);
    ASSERT_FALSE(response);
    EXPECT_NE(response.error(), std::make_error_code(std::errc::timed_out))
        << "a certificate the client does not trust is refused, not waited on";
    EXPECT_LT(std::chrono::steady_clock::now() - start_time, 4s);
}

TEST_F(BlockingChannelTest, TlsToAPeerThatNeverAnswersTimesOut) {
    // A listener that accepts and then says nothing: the handshake must end at the timeout.
    asio::io_context io;
    tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto security = std::make_shared<ChannelSecurity>();
    security->protocol = auth::SecurityProtocol::ssl;
    security->ssl = client_ssl((Certs::dir / "ca.pem").string());
    BlockingChannel channel("127.0.0.1", silent.local_endpoint().port(), "test", 300ms, security);
    auto start_time = std::chrono::steady_clock::now();
    auto response = channel.send<protocol::ApiVersionsResponseData>(
        protocol::ApiVersionsRequestData{}, kVersion);
    auto took = std::chrono::steady_clock::now() - start_time;
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error(), std::make_error_code(std::errc::timed_out));
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace samsa::net
