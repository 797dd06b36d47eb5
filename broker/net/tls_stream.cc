#include "broker/net/tls_stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <sys/socket.h>

namespace samsa::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Small responses are copied into one buffer before encryption: OpenSSL makes one record per
// write call, and a record per tiny response would cost a record header, a tag and a system
// call each.
constexpr size_t kCoalesceBytes = 256 * 1024;

// With read-ahead, one recv(2) fills OpenSSL's read buffer with as many records as have
// arrived: a large produce request costs a system call per 64 KiB rather than per 16 KiB
// record. The buffer is released whenever it is empty (SSL_MODE_RELEASE_BUFFERS), so idle
// connections keep none.
constexpr size_t kReadBufferBytes = 64 * 1024;

// The socket BIO OpenSSL reads and writes through: BIO_s_socket's, but sending with
// MSG_NOSIGNAL, so a peer that resets its connection costs that connection and never raises
// SIGPIPE, whatever the process does with the signal.
int socket_fd(BIO* b) {
    return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(b)));
}

int bio_write(BIO* b, const char* data, size_t size, size_t* written) {
    BIO_clear_retry_flags(b);
    ssize_t n;
    do {
        n = ::send(socket_fd(b), data, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) {
        *written = static_cast<size_t>(n);
        return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        BIO_set_retry_write(b);
    }
    return 0;
}

int bio_read(BIO* b, char* data, size_t size, size_t* read) {
    BIO_clear_retry_flags(b);
    ssize_t n;
    do {
        n = ::recv(socket_fd(b), data, size, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        *read = static_cast<size_t>(n);
        return 1;
    }
    if (n == 0) {
        BIO_set_flags(b, BIO_FLAGS_IN_EOF);  // what BIO_eof() reports to the record layer
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        BIO_set_retry_read(b);
    }
    return 0;
}

long bio_ctrl(BIO* b, int cmd, long, void*) {
    switch (cmd) {
        case BIO_CTRL_FLUSH:
        case BIO_CTRL_DUP:
            return 1;
        case BIO_CTRL_EOF:
            return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
        default:
            return 0;
    }
}

const BIO_METHOD* socket_bio_method() {
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "samsa socket");
        if (m == nullptr || BIO_meth_set_write_ex(m, bio_write) != 1 ||
            BIO_meth_set_read_ex(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1) {
            throw std::bad_alloc();
        }
        return m;
    }();
    return method;
}

// What one OpenSSL call did, read on the thread that made it: SSL_get_error and the error
// queue are per thread.
struct Step {
    int ok = 0;             // the call's return value: 1 succeeded
    int ssl_error = 0;      // SSL_get_error, when it did not
    int sys_errno = 0;      // errno, for SSL_ERROR_SYSCALL
    unsigned long err = 0;  // the first queued OpenSSL error, for SSL_ERROR_SSL
};

template <typename F>
Step run_step(SSL* ssl, F call) {
    ERR_clear_error();
    errno = 0;
    Step s;
    s.ok = call();
    if (s.ok != 1) {
        s.ssl_error = SSL_get_error(ssl, s.ok);
        s.sys_errno = errno;
        s.err = ERR_peek_error();
        ERR_clear_error();
    }
    return s;
}

// A failed call as an error code. A peer that closes without close_notify is an ordinary end
// of stream here: Kafka's frames carry their own lengths, so truncation cannot go unnoticed.
error_code to_error(const Step& s) {
    switch (s.ssl_error) {
        case SSL_ERROR_ZERO_RETURN:
            return asio::error::eof;
        case SSL_ERROR_SYSCALL:
            return s.sys_errno == 0 ? error_code(asio::error::eof)
                                    : error_code(s.sys_errno, boost::system::system_category());
        case SSL_ERROR_SSL:
            if (ERR_GET_REASON(s.err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                return asio::error::eof;
            }
            return {static_cast<int>(s.err), asio::error::get_ssl_category()};
        default:
            return {EPROTO, boost::system::system_category()};
    }
}

bool wants_io(const Step& s) {
    return s.ssl_error == SSL_ERROR_WANT_READ || s.ssl_error == SSL_ERROR_WANT_WRITE;
}

tcp::socket::wait_type wait_for(const Step& s) {
    return s.ssl_error == SSL_ERROR_WANT_WRITE ? tcp::socket::wait_write : tcp::socket::wait_read;
}

}  // namespace

TlsStream::TlsStream(tcp::socket& socket, const auth::SslContextPtr& context, auth::SslMode mode)
    : socket_(&socket), ssl_(SSL_new(context.get())) {
    // The SSL holds its own reference to the context, so a context replaced by a reload lives
    // on for the connections made with it.
    BIO* bio = ssl_ != nullptr ? BIO_new(socket_bio_method()) : nullptr;
    if (bio == nullptr) {
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(socket_->native_handle())));
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO; the descriptor stays the socket's
    // A write that would block is retried with the same bytes, possibly from a moved buffer.
    SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_set_read_ahead(ssl_, 1);
    SSL_set_default_read_buffer_len(ssl_, kReadBufferBytes);
    if (mode == auth::SslMode::server) {
        SSL_set_accept_state(ssl_);
    } else {
        SSL_set_connect_state(ssl_);
    }
}

TlsStream::~TlsStream() {
    SSL_free(ssl_);
}

void TlsStream::rebind(tcp::socket& socket) {
    // The BIO holds the descriptor's number, which a socket moved between io_contexts keeps.
    if (socket.native_handle() != socket_->native_handle()) {
        throw std::logic_error("TlsStream::rebind: a different descriptor");
    }
    socket_ = &socket;
}

asio::awaitable<error_code> TlsStream::handshake(std::chrono::milliseconds timeout) {
    // The timer's handler may run after this frame is gone (it was already queued when the
    // handshake finished), so what it shares with the frame is reference-counted. It only
    // cancels the socket's waits.
    struct State {
        bool done = false;
        bool timed_out = false;
    };
    auto state = std::make_shared<State>();
    asio::steady_timer deadline(socket_->get_executor(), timeout);
    deadline.async_wait([state, socket = socket_](const error_code& ec) {
        if (!ec && !state->done) {
            state->timed_out = true;
            error_code ignored;
            socket->cancel(ignored);
        }
    });
    error_code result;
    SSL* ssl = ssl_;
    // A server has nothing to compute before the client's hello: wait for it first.
    Step s{0, SSL_is_server(ssl) ? SSL_ERROR_WANT_READ : 0, 0, 0};
    for (;;) {
        if (wants_io(s)) {
            auto [ec] = co_await socket_->async_wait(wait_for(s), kAsTuple);
            if (state->timed_out) {
                result = asio::error::timed_out;
                break;
            }
            if (ec) {
                result = ec;
                break;
            }
        }
        s = run_step(ssl, [ssl] { return SSL_do_handshake(ssl); });
        if (state->timed_out) {
            result = asio::error::timed_out;
            break;
        }
        if (s.ok == 1) {
            break;
        }
        if (!wants_io(s)) {
            result = to_error(s);
            break;
        }
    }
    state->done = true;
    deadline.cancel();
    co_return result;
}

asio::awaitable<std::tuple<error_code, size_t>> TlsStream::read_some(asio::mutable_buffer buffer) {
    auto* data = static_cast<uint8_t*>(buffer.data());
    size_t total = 0;
    for (;;) {
        size_t n = 0;
        Step s = run_step(
            ssl_, [&] { return SSL_read_ex(ssl_, data + total, buffer.size() - total, &n); });
        if (s.ok == 1) {
            total += n;
            // Records read ahead are already here: take them too, without another call.
            if (total < buffer.size() && SSL_has_pending(ssl_) == 1) {
                continue;
            }
            co_return std::tuple{error_code{}, total};
        }
        if (total > 0) {
            co_return std::tuple{error_code{}, total};
        }
        if (!wants_io(s)) {
            co_return std::tuple{to_error(s), size_t{0}};
        }
        auto [ec] = co_await socket_->async_wait(wait_for(s), kAsTuple);
        if (ec) {
            co_return std::tuple{ec, size_t{0}};
        }
    }
}

asio::awaitable<error_code> TlsStream::read(asio::mutable_buffer buffer) {
    while (buffer.size() > 0) {
        auto [ec, n] = co_await read_some(buffer);
        if (ec) {
            co_return ec;
        }
        buffer += n;
    }
    co_return error_code{};
}

asio::awaitable<void> TlsStream::write_one(const uint8_t* data, size_t size) {
    while (size > 0) {
        size_t n = 0;
        Step s = run_step(ssl_, [&] { return SSL_write_ex(ssl_, data, size, &n); });
        if (s.ok == 1) {
            data += n;
            size -= n;
            continue;
        }
        if (!wants_io(s)) {
            throw boost::system::system_error(to_error(s), "TLS write");
        }
        // OpenSSL keeps the record it could not send; the call is repeated with the same
        // bytes once the socket can take more.
        auto [ec] = co_await socket_->async_wait(wait_for(s), kAsTuple);
        if (ec) {
            throw boost::system::system_error(ec, "TLS write");
        }
    }
}

asio::awaitable<void> TlsStream::write(std::span<const asio::const_buffer> buffers) {
    size_t total = asio::buffer_size(buffers);
    if (buffers.size() > 1 && total <= kCoalesceBytes) {
        coalesced_.resize(total);
        asio::buffer_copy(asio::buffer(coalesced_), buffers);
        co_await write_one(coalesced_.data(), total);
        if (coalesced_.capacity() > 65536) {
            coalesced_ = {};  // an idle connection keeps no large buffer
        }
        co_return;
    }
    for (const auto& b : buffers) {
        co_await write_one(static_cast<const uint8_t*>(b.data()), b.size());
    }
}

}  // namespace samsa::net
