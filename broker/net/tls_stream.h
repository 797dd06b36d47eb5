#pragma once
// TlsStream: TLS on top of a TCP socket: a connection of an SSL or SASL_SSL listener, or, in
// client mode, the broker's own channel to another broker (BlockingChannel). The socket stays
// its owner's; this object adds an OpenSSL session that reads and writes the socket's
// descriptor itself, and uses the socket only to wait until it is readable or writable.
// Records therefore go between the kernel and OpenSSL's own buffers with no intermediate copy
// (Asio's ssl::stream adds a memory BIO pair and a buffer of its own, and a round through its
// composed operations per record).
//
// Every call runs on the socket's executor. A server connection's handshake (key exchange,
// signature, certificate checks: about half a millisecond of CPU) runs on a handshake thread
// because the connection itself starts there (see Connection); rebind() follows the socket when
// the connection then moves to a network thread.

#include "auth/ssl_factory.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <span>
#include <tuple>
#include <vector>

namespace samsa::net {

class TlsStream {
  public:
    TlsStream(boost::asio::ip::tcp::socket& socket, const auth::SslContextPtr& context,
              auth::SslMode mode);
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    // Runs the handshake. A handshake not finished within `timeout` fails with timed_out: a
    // client that connects and never speaks TLS costs nothing more.
    boost::asio::awaitable<boost::system::error_code> handshake(std::chrono::milliseconds timeout);

    // Follows the connection's descriptor to a socket object of another io_context (the same
    // descriptor, released from the old socket). The OpenSSL session and its buffered bytes
    // stay as they are.
    void rebind(boost::asio::ip::tcp::socket& socket);

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

    boost::asio::ip::tcp::socket* socket_;
    ssl_st* ssl_;
    std::vector<uint8_t> coalesced_;
};

}  // namespace samsa::net
