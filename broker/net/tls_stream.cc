#include "broker/net/tls_stream.h"

#include <openssl/ssl.h>

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace samsa::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Small responses are copied into one buffer before encryption: Asio's SSL stream encrypts one
// buffer per record, and a record per tiny response would cost a record header, a MAC and a
// write each.
constexpr size_t kCoalesceBytes = 256 * 1024;

}  // namespace

struct TlsStream::Impl {
    tcp::socket& socket;
    asio::ssl::stream<tcp::socket&> stream;
    std::vector<uint8_t> coalesced;

    Impl(tcp::socket& s, SSL* ssl) : socket(s), stream(s, ssl) {}
};

TlsStream::TlsStream(tcp::socket& socket, const auth::SslContextPtr& context, auth::SslMode mode) {
    // The stream takes ownership of the SSL object; the SSL holds its own reference to the
    // context, so a context replaced by a reload lives on for the connections made with it.
    SSL* ssl = SSL_new(context.get());
    if (ssl == nullptr) {
        throw std::bad_alloc();
    }
    impl_ = std::make_unique<Impl>(socket, ssl);
    if (mode == auth::SslMode::server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
    }
}

TlsStream::~TlsStream() = default;

ssl_st* TlsStream::native_handle() { return impl_->stream.native_handle(); }

asio::awaitable<boost::system::error_code> TlsStream::handshake(
    std::chrono::milliseconds timeout) {
    auto type = SSL_is_server(native_handle()) ? asio::ssl::stream_base::server
                                               : asio::ssl::stream_base::client;
    // The timer's handler may run after this frame is gone (it was already queued when the
    // handshake finished), so what it shares with the frame is reference-counted.
    struct State {
        bool done = false;
        bool timed_out = false;
    };
    auto state = std::make_shared<State>();
    asio::steady_timer deadline(impl_->socket.get_executor(), timeout);
    deadline.async_wait([state, &socket = impl_->socket](const boost::system::error_code& ec) {
        if (!ec && !state->done) {
            state->timed_out = true;
            boost::system::error_code ignored;
            socket.close(ignored);
        }
    });
    auto [ec] = co_await impl_->stream.async_handshake(type, kAsTuple);
    state->done = true;
    deadline.cancel();
    if (state->timed_out) {
        co_return asio::error::timed_out;
    }
    co_return ec;
}

asio::awaitable<std::tuple<boost::system::error_code, size_t>> TlsStream::read_some(
    asio::mutable_buffer buffer) {
    co_return co_await impl_->stream.async_read_some(buffer, kAsTuple);
}

asio::awaitable<boost::system::error_code> TlsStream::read(asio::mutable_buffer buffer) {
    auto [ec, n] = co_await asio::async_read(impl_->stream, buffer, kAsTuple);
    co_return ec;
}

asio::awaitable<void> TlsStream::write(std::span<const asio::const_buffer> buffers) {
    size_t total = asio::buffer_size(buffers);
    if (buffers.size() > 1 && total <= kCoalesceBytes) {
        auto& out = impl_->coalesced;
        out.resize(total);
        asio::buffer_copy(asio::buffer(out), buffers);
        co_await asio::async_write(impl_->stream, asio::buffer(out), asio::use_awaitable);
        if (out.capacity() > 65536) {
            out = {};  // an idle connection keeps no large buffer
        }
        co_return;
    }
    for (const auto& b : buffers) {
        co_await asio::async_write(impl_->stream, b, asio::use_awaitable);
    }
}

}  // namespace samsa::net
