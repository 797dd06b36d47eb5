#pragma once
// TlsStream: TLS on top of a TCP socket: a connection of an SSL or SASL_SSL listener, or, in
// client mode, the broker's own channel to another broker (BlockingChannel). The socket stays
// its owner's; this object adds an OpenSSL session that reads and writes the socket's
// descriptor itself, and uses the socket only to wait until it is readable or writable.
// Records therefore go between the kernel and OpenSSL's own buffers with no intermediate copy
// (Asio's ssl::stream adds a memory BIO pair and a buffer of its own, and a round through its
// composed operations per record).
//
// The handshake's cryptography (key exchange, signature, certificate checks: about half a
// millisecond of CPU) can run on another executor, the listener's handshake threads, so that
// a storm of new connections does not hold up the requests of established ones on the
// network thread. Only the handshake steps move; every wait, and every other call, runs on
// the socket's executor (the connection's network thread).

#include <chrono>
#include <cstddef>
#include <span>
#include <tuple>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "auth/ssl_factory.h"

namespace samsa::net {

class TlsStream {
public:
    // `offload`, when set, runs the handshake steps; otherwise they run in place.
    TlsStream(boost::asio::ip::tcp::socket& socket, const auth::SslContextPtr& context,
              auth::SslMode mode, boost::asio::any_io_executor offload = {});
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    // Runs the handshake. A handshake not finished within `timeout` fails with timed_out: a
    // client that connects and never speaks TLS costs nothing more.
    boost::asio::awaitable<boost::system::error_code> handshake(std::chrono::milliseconds timeout);

    // True while a handshake step runs on the offload executor. The descriptor is in use
    // there: the socket may be shut down (the step then fails) but must not be closed, or its
    // number could be reused by another connection under the step's feet.
    bool step_in_flight() const { return step_in_flight_; }

    boost::asio::awaitable<std::tuple<boost::system::error_code, size_t>> read_some(
        boost::asio::mutable_buffer buffer);
    // Reads exactly buffer.size() bytes.
    boost::asio::awaitable<boost::system::error_code> read(boost::asio::mutable_buffer buffer);
    // Writes every byte of `buffers`, in order; throws boost::system::system_error.
    boost::asio::awaitable<void> write(std::span<const boost::asio::const_buffer> buffers);

    ssl_st* native_handle() { return ssl_; }

private:
    // Writes one buffer whole.
    boost::asio::awaitable<void> write_one(const uint8_t* data, size_t size);

    boost::asio::ip::tcp::socket& socket_;
    ssl_st* ssl_;
    boost::asio::any_io_executor offload_;
    bool step_in_flight_ = false;
    std::vector<uint8_t> coalesced_;
};

}  // namespace samsa::net
