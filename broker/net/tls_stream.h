#pragma once
// TlsStream: TLS on top of a connection's TCP socket (OpenSSL through Asio's ssl::stream), for
// SSL and SASL_SSL listeners and for the broker's own TLS client channels. The socket stays
// the Connection's; this object only adds the TLS session over it. Asio's SSL headers stay in
// tls_stream.cc.
//
// Every call must run on the socket's executor (the connection's network thread).

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "auth/ssl_factory.h"

namespace samsa::net {

class TlsStream {
public:
    TlsStream(boost::asio::ip::tcp::socket& socket, const auth::SslContextPtr& context,
              auth::SslMode mode);
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    // Runs the handshake. A handshake not finished within `timeout` fails with timed_out and
    // leaves the socket closed: a client that connects and never speaks TLS costs nothing more.
    boost::asio::awaitable<boost::system::error_code> handshake(std::chrono::milliseconds timeout);

    boost::asio::awaitable<std::tuple<boost::system::error_code, size_t>> read_some(
        boost::asio::mutable_buffer buffer);
    // Reads exactly buffer.size() bytes.
    boost::asio::awaitable<boost::system::error_code> read(boost::asio::mutable_buffer buffer);
    // Writes every byte of `buffers`, in order; throws boost::system::system_error.
    boost::asio::awaitable<void> write(std::span<const boost::asio::const_buffer> buffers);

    ssl_st* native_handle();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace samsa::net
