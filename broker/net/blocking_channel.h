#pragma once
// BlockingChannel: the broker as a Kafka client, for the threads that talk to other brokers
// one request at a time (the controller's per-broker send threads; replica fetchers later).
// It speaks through the same generated codecs the server uses.
//
// Not thread-safe: one owner thread. Every call blocks for at most the configured timeout;
// after any error the channel is closed and the next send() reconnects.

#include "broker/net/channel_security.h"
#include "broker/protocol/api_key.h"
#include "broker/protocol/wire.h"
#include "common/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace samsa::net {

class BlockingChannel {
  public:
    // `security` null: PLAINTEXT.
    BlockingChannel(std::string host, uint16_t port, std::string client_id,
                    std::chrono::milliseconds timeout,
                    std::shared_ptr<const ChannelSecurity> security = nullptr);
    ~BlockingChannel();
    BlockingChannel(const BlockingChannel&) = delete;
    BlockingChannel& operator=(const BlockingChannel&) = delete;

    // Sends `request` at `version` and decodes the matching response (same version).
    template <typename Response, typename Request>
    result<Response> send(const Request& request, int16_t version) {
        protocol::Writer body;
        request.encode(body, version);
        SAMSA_TRY(auto response_body, exchange(Request::kApiKey, version, body));
        try {
            // Decoded Records (a Fetch response's batches) point into the frame buffer, which
            // they keep alive, instead of being copied.
            protocol::Reader reader(response_body, frame_);
            Response response;
            response.decode(reader, version);
            return response;
        } catch (const protocol::DecodeError&) {
            close();
            return std::make_error_code(std::errc::bad_message);
        }
    }

    // Sends `request` and returns once it is written, reading nothing back: a Produce with
    // acks=0, which the broker never answers (Kafka's NetworkClient expectResponse=false).
    template <typename Request>
    result<void> send_oneway(const Request& request, int16_t version) {
        protocol::Writer body;
        request.encode(body, version);
        return write_request(Request::kApiKey, version, body);
    }

    void close();
    const std::string& host() const { return host_; }

    // Runs right after each (re)connect, before the first request: inter-broker SASL
    // authenticates the new connection there (sasl_channel_authenticator.h). An error closes
    // the channel and fails the send that connected.
    using ConnectHook = std::function<result<void>(BlockingChannel&)>;
    void set_connect_hook(ConnectHook hook) { connect_hook_ = std::move(hook); }
    // The hook every channel created afterwards starts with: the broker's inter-broker
    // credential, set once at start-up before any channel exists.
    static void set_default_connect_hook(ConnectHook hook);
    uint16_t port() const { return port_; }

    // When the last (re)connect passed each step: the TCP connection, the TLS handshake (equal
    // to tcp_connected without TLS) and the connect hook (SASL). For benchmarks that time a
    // connection's set-up by phase (bench/samsa_connstorm.cc); four clock reads per connect.
    struct ConnectTimes {
        std::chrono::steady_clock::time_point start, tcp_connected, tls_done, hook_done;
    };
    const ConnectTimes& last_connect_times() const { return connect_times_; }

  private:
    // Frames header + body, sends, reads the response frame into frame_ and returns its body
    // (after the response header), a view into frame_.
    result<std::span<const uint8_t>> exchange(protocol::ApiKey key, int16_t version,
                                              const protocol::Writer& body);
    // Frames header + body and sends it, without waiting for an answer.
    result<void> write_request(protocol::ApiKey key, int16_t version, const protocol::Writer& body);
    // frame_, emptied for the next response; a new buffer if Records of the last response
    // still hold the old one.
    std::vector<uint8_t>& reusable_frame();
    result<void> ensure_connected();
    // TLS: the client handshake over the connected socket.
    result<void> start_tls();

    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    uint16_t port_;
    std::string client_id_;
    std::chrono::milliseconds timeout_;
    std::shared_ptr<const ChannelSecurity> security_;
    ConnectHook connect_hook_;
    int32_t next_correlation_id_ = 0;
    ConnectTimes connect_times_;
    // The last response frame. Reused while nothing else holds it: a follower's fetches are
    // up to replica.fetch.response.max.bytes each, and a fresh buffer per response costs an
    // allocation and page faults every time.
    std::shared_ptr<std::vector<uint8_t>> frame_;
};

}  // namespace samsa::net
