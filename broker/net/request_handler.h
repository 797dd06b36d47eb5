#pragma once
// RequestHandler: what a connection hands each request frame to (KafkaApis implements it).
// The connection calls it on its own strand, one request at a time, and sends responses in
// request order — Kafka's "mute the channel until the response is sent" rule.

#include "auth/session.h"
#include "broker/protocol/wire.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace samsa::net {

// A request frame: the bytes after the 4-byte size prefix, in an uninitialised buffer (no
// memset of what the socket is about to overwrite). Shared, because decoded Produce records
// point into it until the log has written them.
class FrameBuffer {
  public:
    explicit FrameBuffer(size_t size) : bytes_(new uint8_t[size]), size_(size) {}
    uint8_t* data() { return bytes_.get(); }
    const uint8_t* data() const { return bytes_.get(); }
    size_t size() const { return size_; }
    std::span<const uint8_t> span() const { return {bytes_.get(), size_}; }

  private:
    std::unique_ptr<uint8_t[]> bytes_;
    size_t size_;
};
using Frame = std::shared_ptr<FrameBuffer>;

struct HandlerOutcome {
    // The framed response (size prefix included and patched), or none (acks=0 produce).
    std::optional<protocol::Writer> response;
    // Close the connection after sending the response (if any): malformed requests, acks=0
    // produce errors, unknown APIs.
    bool close_connection = false;
};

class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    // Must not throw for bad input: malformed requests are answered with close_connection.
    virtual boost::asio::awaitable<HandlerOutcome> handle(auth::Session& session, Frame frame) = 0;
};

}  // namespace samsa::net
