#include "broker/net/connection.h"

#include "auth/ssl_factory.h"
#include "auth/ssl_peer.h"
#include "auth/ssl_principal_mapper.h"
#include "broker/net/tls_stream.h"
#include "common/logging.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace samsa::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

auto& logger() {
    static auto l = get_logger("net");
    return *l;
}

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Queued responses are written once this much is waiting, even if more requests are buffered:
// a client pipelining many requests gets its first answers early, and memory stays bounded.
constexpr size_t kFlushBytes = 65536;
constexpr size_t kFlushResponses = 64;

bool is_normal_close(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::bad_descriptor ||
           ec == asio::error::broken_pipe;
}

// A connection ended by an error: a peer's usual ways of leaving are not worth a line.
void log_failure(const std::string& peer, const boost::system::system_error& e) {
    if (!is_normal_close(e.code())) {
        logger().debug("connection from {} failed: {}", peer, e.what());
    }
}

int32_t load_size(const uint8_t* p) {
    return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                (uint32_t{p[2]} << 8) | p[3]);
}

// TCP_CORK holds partial frames while a response is assembled from several writes (header
// bytes, then sendfile slices), so the peer sees full segments instead of a tiny packet each.
void set_cork(tcp::socket& s, bool on) {
    int v = on ? 1 : 0;
    ::setsockopt(s.native_handle(), IPPROTO_TCP, TCP_CORK, &v, sizeof v);
}

}  // namespace

Connection::Connection(tcp::socket socket, ConnectionConfig config, RequestHandler& handler,
                       auth::Session session, const TlsOptions* tls)
    : socket_(std::move(socket)),
      executor_(socket_->get_executor()),
      config_(config),
      handler_(handler),
      session_(std::move(session)) {
    boost::system::error_code ec;
    auto ep = socket_->remote_endpoint(ec);
    if (!ec) {
        session_.client_host = ep.address().to_string();
        peer_ = session_.client_host + ":" + std::to_string(ep.port());
    } else {
        peer_ = "unknown";
    }
    socket_->set_option(tcp::no_delay(true), ec);
    // As Kafka: -1 keeps the kernel's default (and its buffer auto-tuning).
    if (config_.send_buffer_bytes != -1) {
        socket_->set_option(asio::socket_base::send_buffer_size(config_.send_buffer_bytes), ec);
    }
    if (config_.receive_buffer_bytes != -1) {
        socket_->set_option(asio::socket_base::receive_buffer_size(config_.receive_buffer_bytes),
                            ec);
    }
    // Non-blocking for Asio's synchronous calls too: flush() writes directly first.
    socket_->non_blocking(true, ec);
    if (tls != nullptr) {
        tls_ =
            std::make_unique<TlsStream>(*socket_, tls->factory->context(), auth::SslMode::server);
        principal_mapper_ = tls->principal_mapper;
        handshake_timeout_ = tls->factory->handshake_timeout();
    }
}

Connection::~Connection() = default;

asio::awaitable<bool> Connection::start_tls() {
    auto ec = co_await tls_->handshake(handshake_timeout_);
    if (ec) {
        // Plaintext sent to a TLS port, an untrusted or expired client certificate, no shared
        // protocol, or no handshake within the deadline.
        logger().info("TLS handshake with {} on {} failed: {}", peer_, session_.listener_name,
                      ec == asio::error::timed_out ? "not finished within ssl.handshake.timeout.ms"
                                                   : ec.message());
        co_return false;
    }
    if (auto subject = auth::peer_certificate_subject(tls_->native_handle())) {
        auto name = principal_mapper_->name(*subject);
        if (!name) {
            logger().info("refusing {}: no ssl.principal.mapping.rules rule applies to '{}'", peer_,
                          *subject);
            co_return false;
        }
        session_.principal.name = *name;
    }
    logger().debug("TLS with {} established ({}), principal {}", peer_,
                   auth::negotiated_cipher(tls_->native_handle()), session_.principal.str());
    co_return true;
}

asio::awaitable<void> Connection::run() {
    auto self = shared_from_this();
    // Not `if (co_await authenticate())`: built by GCC 12, that form called authenticate()
    // with a wrong `this` (SocketServerTest crashed in it).
    const bool authenticated = co_await authenticate();
    if (authenticated) {
        co_await serve();
    }
}

asio::awaitable<bool> Connection::authenticate() {
    auto self = shared_from_this();
    touch();
    start_idle_watch();
    bool authenticated = false;
    try {
        bool tls_ok = true;
        if (tls_) {
            tls_ok = co_await start_tls();
        }
        if (tls_ok) {
            authenticated = session_.authenticated;
            if (!authenticated) {
                authenticated = co_await serve_requests(true);
            }
        }
        if (authenticated) {
            co_await flush();
        }
    } catch (const boost::system::system_error& e) {
        authenticated = false;
        log_failure(peer_, e);
    }
    if (!authenticated || closed_) {
        close();
        co_return false;
    }
    co_return true;
}

void Connection::move_to(const asio::any_io_executor& executor) {
    stop_idle_watch();
    boost::system::error_code ec;
    const auto protocol = socket_->local_endpoint(ec).protocol();
    // release() takes the descriptor out of this io_context's reactor without closing it; the
    // new socket registers it with the other's.
    const int fd = ec ? -1 : socket_->release(ec);
    if (ec || fd < 0) {
        throw boost::system::system_error(ec, "moving a connection to its network thread");
    }
    socket_.emplace(executor, protocol, fd);
    if (tls_) {
        tls_->rebind(*socket_);
    }
    // Published last: a close() from another thread that saw the old executor is sent on to
    // this one by close_on().
    std::lock_guard lock(executor_mu_);
    executor_ = executor;
}

asio::awaitable<void> Connection::serve() {
    auto self = shared_from_this();
    if (!idle_timer_) {
        start_idle_watch();  // moved here from the executor that authenticated it
    }
    try {
        co_await serve_requests(false);
    } catch (const boost::system::system_error& e) {
        log_failure(peer_, e);
    }
    close();
}

asio::awaitable<bool> Connection::serve_requests(bool until_authenticated) {
    for (;;) {
        if (!has_complete_request()) {
            // Nothing else to handle until the client sends more: answer what is queued
            // first (the client may be waiting for it before it sends anything).
            co_await flush();
        }
        Frame frame;
        if (!co_await read_request(frame)) {
            co_return false;
        }
        busy_ = true;  // a request in hand is not idleness, however long it waits
        HandlerOutcome outcome = co_await handler_.handle(session_, std::move(frame));
        busy_ = false;
        if (outcome.response) {
            co_await queue_response(std::move(*outcome.response));
        }
        touch();
        if (outcome.close_connection) {
            co_await flush();
            co_return false;
        }
        if (until_authenticated && session_.authenticated) {
            co_return true;
        }
    }
}

bool Connection::has_complete_request() const {
    auto data = in_.data();
    if (data.size() < 4) {
        return false;
    }
    int32_t size = load_size(data.data());
    return size >= 0 && data.size() - 4 >= static_cast<size_t>(size);
}

asio::awaitable<bool> Connection::read_request(Frame& frame) {
    for (;;) {
        auto data = in_.data();
        size_t wanted = 4 - std::min<size_t>(data.size(), 4);
        if (data.size() >= 4) {
            int32_t size = load_size(data.data());
            const bool authenticated = session_.authenticated;
            const int32_t max_size =
                authenticated ? config_.max_request_bytes : config_.max_unauthenticated_bytes;
            if (size < 0 || size > max_size) {
                // Kafka's InvalidReceiveException: nothing sensible can follow, so close.
                logger().warn(
                    "closing connection from {}: request size {} is outside [0, {}] ({})", peer_,
                    size, max_size,
                    authenticated ? "socket.request.max.bytes" : "sasl.server.max.receive.size");
                co_return false;
            }
            const size_t total = 4 + static_cast<size_t>(size);
            if (data.size() >= total) {
                frame = std::make_shared<FrameBuffer>(static_cast<size_t>(size));
                std::memcpy(frame->data(), data.data() + 4, frame->size());
                in_.consume(total);
                co_return true;
            }
            if (total > ReadBuffer::kLargeBytes) {
                co_return co_await read_large_request(static_cast<size_t>(size), frame);
            }
            wanted = total - data.size();
        }
        // Waiting for the client: an idle connection keeps only its small block.
        in_.shrink_if_empty();
        auto space = in_.prepare(wanted);
        auto buffer = asio::buffer(space.data(), space.size());
        auto [ec, n] = tls_ ? co_await tls_->read_some(buffer)
                            : co_await socket_->async_read_some(buffer, kAsTuple);
        if (ec) {
            if (!is_normal_close(ec)) {
                logger().debug("read from {} failed: {}", peer_, ec.message());
            } else if (!in_.data().empty()) {
                logger().debug("connection from {} closed mid-request ({} bytes pending)", peer_,
                               in_.data().size());
            }
            co_return false;
        }
        in_.commit(n);
    }
}

asio::awaitable<bool> Connection::read_large_request(size_t size, Frame& frame) {
    frame = std::make_shared<FrameBuffer>(size);
    auto have = in_.data().subspan(4);
    std::memcpy(frame->data(), have.data(), have.size());
    const size_t copied = have.size();
    in_.consume(in_.data().size());
    auto rest = asio::buffer(frame->data() + copied, size - copied);
    boost::system::error_code ec;
    if (tls_) {
        ec = co_await tls_->read(rest);
    } else {
        std::tie(ec, std::ignore) = co_await asio::async_read(*socket_, rest, kAsTuple);
    }
    if (ec) {
        if (!is_normal_close(ec)) {
            logger().debug("read from {} failed mid-frame: {}", peer_, ec.message());
        }
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> Connection::queue_response(protocol::Writer response) {
    if (!response.splices().empty()) {
        co_await flush();
        co_await send_spliced(response);
        co_return;
    }
    out_bytes_ += response.buffer().size();
    out_.push_back(std::move(response));
    if (out_bytes_ >= kFlushBytes || out_.size() >= kFlushResponses) {
        co_await flush();
    }
}

asio::awaitable<void> Connection::flush() {
    if (out_.empty()) {
        co_return;
    }
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(out_.size());
    for (const auto& w : out_) {
        buffers.emplace_back(asio::buffer(w.buffer()));
    }
    if (tls_) {
        co_await tls_->write(buffers);
        out_.clear();
        out_bytes_ = 0;
        co_return;
    }
    // Straight to the socket first: the kernel almost always takes a few responses whole,
    // and a write that completes here costs one sendmsg and no round through the event loop.
    // Whatever it does not take is written asynchronously, when the socket can take more.
    boost::system::error_code ec;
    size_t written = socket_->write_some(buffers, ec);
    if (ec && ec != asio::error::would_block) {
        throw boost::system::system_error(ec, "write");
    }
    if (written < out_bytes_) {
        size_t first = 0;
        size_t skip = written;
        while (skip >= buffers[first].size()) {
            skip -= buffers[first].size();
            ++first;
        }
        buffers[first] += skip;
        buffers.erase(buffers.begin(), buffers.begin() + static_cast<ptrdiff_t>(first));
        co_await asio::async_write(*socket_, buffers, asio::use_awaitable);
    }
    out_.clear();
    out_bytes_ = 0;
}

asio::awaitable<void> Connection::send_spliced(const protocol::Writer& response) {
    const auto& buf = response.buffer();
    set_cork(*socket_, true);
    size_t at = 0;
    for (const auto& splice : response.splices()) {
        if (splice.at > at) {
            asio::const_buffer part(buf.data() + at, splice.at - at);
            co_await write_all({&part, 1});
            at = splice.at;
        }
        if (tls_) {
            co_await send_file_tls(splice.slice);
        } else {
            co_await send_file(splice.slice);
        }
    }
    if (at < buf.size()) {
        asio::const_buffer part(buf.data() + at, buf.size() - at);
        co_await write_all({&part, 1});
    }
    set_cork(*socket_, false);
}

asio::awaitable<void> Connection::write_all(std::span<const asio::const_buffer> buffers) {
    if (tls_) {
        co_await tls_->write(buffers);
    } else {
        co_await asio::async_write(*socket_, buffers, asio::use_awaitable);
    }
}

asio::awaitable<void> Connection::send_file_tls(const protocol::FileSlice& slice) {
    constexpr size_t kChunk = 256 * 1024;
    std::vector<uint8_t> chunk(std::min<size_t>(kChunk, static_cast<size_t>(slice.size)));
    off_t offset = slice.position;
    size_t left = static_cast<size_t>(slice.size);
    while (left > 0) {
        ssize_t n = ::pread(slice.file->fd(), chunk.data(), std::min(left, chunk.size()), offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw boost::system::system_error(errno, boost::system::system_category(), "pread");
        }
        if (n == 0) {
            // Shrunk since the response was built: pad, as send_file() explains.
            std::fill(chunk.begin(), chunk.end(), 0);
            n = static_cast<ssize_t>(std::min(left, chunk.size()));
        }
        asio::const_buffer part(chunk.data(), static_cast<size_t>(n));
        co_await tls_->write({&part, 1});
        offset += n;
        left -= static_cast<size_t>(n);
    }
}

asio::awaitable<void> Connection::send_file(const protocol::FileSlice& slice) {
    off_t offset = slice.position;
    size_t left = static_cast<size_t>(slice.size);
    while (left > 0) {
        ssize_t n = ::sendfile(socket_->native_handle(), slice.file->fd(), &offset, left);
        if (n > 0) {
            left -= static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            co_await socket_->async_wait(tcp::socket::wait_write, asio::use_awaitable);
            continue;
        }
        if (n == 0) {
            // The file is shorter than when the response was built (truncated by replication).
            // The size prefix is already on the wire, so pad: clients treat the zero bytes as
            // a trailing partial batch and skip it.
            logger().warn("{} shrank while being sent to {}; padding {} bytes", slice.file->path(),
                          peer_, left);
            std::vector<uint8_t> zeros(left, 0);
            co_await asio::async_write(*socket_, asio::buffer(zeros), asio::use_awaitable);
            co_return;
        }
        throw boost::system::system_error(errno, boost::system::system_category(), "sendfile");
    }
}

void Connection::start_idle_watch() {
    idle_timer_.emplace(socket_->get_executor());
    idle_watch_stopped_ = std::make_shared<bool>(false);
    asio::co_spawn(socket_->get_executor(), watch_idle(shared_from_this(), idle_watch_stopped_),
                   asio::detached);
}

void Connection::stop_idle_watch() {
    *idle_watch_stopped_ = true;
    idle_timer_.reset();  // cancels its wait: the watch wakes on this executor and returns
}

asio::awaitable<void> Connection::watch_idle(std::shared_ptr<Connection> self,
                                             std::shared_ptr<bool> stopped) {
    while (!*stopped && !self->closed_) {
        auto deadline = self->last_activity_ + self->config_.max_idle;
        if (std::chrono::steady_clock::now() >= deadline && !self->busy_) {
            logger().info(
                "closing connection from {}: idle for more than {} ms "
                "(connections.max.idle.ms)",
                self->peer_, self->config_.max_idle.count());
            self->close();
            co_return;
        }
        self->idle_timer_->expires_at(
            std::max(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
        co_await self->idle_timer_->async_wait(kAsTuple);
        // After a move to another executor, nothing of the connection but `stopped` is this
        // coroutine's to read.
    }
}

void Connection::close() {
    asio::any_io_executor executor;
    {
        std::lock_guard lock(executor_mu_);
        executor = executor_;
    }
    asio::dispatch(executor, [self = shared_from_this(), executor] { self->close_on(executor); });
}

void Connection::close_on(const asio::any_io_executor& executor) {
    {
        std::lock_guard lock(executor_mu_);
        if (executor_ != executor) {
            // The connection moved to a network thread meanwhile: close it there.
            asio::post(executor_,
                       [self = shared_from_this(), now = executor_] { self->close_on(now); });
            return;
        }
    }
    close_here();
}

void Connection::close_here() {
    closed_ = true;
    if (idle_timer_) {
        idle_timer_->cancel();
    }
    if (!socket_->is_open()) {
        return;
    }
    boost::system::error_code ec;
    socket_->shutdown(tcp::socket::shutdown_both, ec);
    socket_->close(ec);
}

}  // namespace samsa::net
