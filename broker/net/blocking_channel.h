#pragma once
// BlockingChannel: the broker as a Kafka client, for the threads that talk to other brokers
// one request at a time (the controller's per-broker send threads; replica fetchers later).
// It speaks through the same generated codecs the server uses.
//
// Not thread-safe: one owner thread. Every call blocks for at most the configured timeout;
// after any error the channel is closed and the next send() reconnects.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/protocol/api_key.h"
#include "broker/protocol/wire.h"
#include "common/result.h"

namespace samsa::net {

class BlockingChannel {
public:
    BlockingChannel(std::string host, uint16_t port, std::string client_id,
                    std::chrono::milliseconds timeout);
    ~BlockingChannel();
    BlockingChannel(const BlockingChannel&) = delete;
    BlockingChannel& operator=(const BlockingChannel&) = delete;

    // Sends `request` at `version` and decodes the matching response (same version).
    template <typename Response, typename Request>
    result<Response> send(const Request& request, int16_t version) {
        protocol::Writer body;
        request.encode(body, version);
        // Shared, so that decoded Records (a Fetch response's batches) point into it instead
        // of being copied.
        auto response_body = std::make_shared<std::vector<uint8_t>>();
        SAMSA_TRY(exchange(Request::kApiKey, version, body, *response_body));
        try {
            protocol::Reader reader(*response_body, response_body);
            Response response;
            response.decode(reader, version);
            return response;
        } catch (const protocol::DecodeError&) {
            close();
            return std::make_error_code(std::errc::bad_message);
        }
    }

    void close();
    const std::string& host() const { return host_; }
    uint16_t port() const { return port_; }

private:
    // Frames header + body, sends, and returns the response body (after its header).
    result<void> exchange(protocol::ApiKey key, int16_t version, const protocol::Writer& body,
                          std::vector<uint8_t>& response_body);
    result<void> ensure_connected();

    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    uint16_t port_;
    std::string client_id_;
    std::chrono::milliseconds timeout_;
    int32_t next_correlation_id_ = 0;
};

}  // namespace samsa::net
