#include "broker/net/blocking_channel.h"

#include "auth/ssl_factory.h"
#include "broker/net/tls_stream.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <exception>
#include <new>
#include <optional>

namespace samsa::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

uint32_t frame_size(const std::array<uint8_t, 4>& size_bytes) {
    return (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
           (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
}

// One request/response exchange over TCP, as callbacks on the channel's io_context: write the
// frame, read the size, read the response into `payload`.
void start_exchange(tcp::socket& stream, const std::vector<uint8_t>& frame,
                    std::array<uint8_t, 4>& size_bytes, std::vector<uint8_t>& payload,
                    boost::system::error_code& io_ec, bool& done) {
    asio::async_write(stream, asio::buffer(frame), [&](const boost::system::error_code& e, size_t) {
        if (e) {
            io_ec = e;
            done = true;
            return;
        }
        asio::async_read(stream, asio::buffer(size_bytes),
                         [&](const boost::system::error_code& e2, size_t) {
                             if (e2) {
                                 io_ec = e2;
                                 done = true;
                                 return;
                             }
                             // Capacity is kept across responses; only growth allocates (and
                             // zero-fills).
                             payload.resize(frame_size(size_bytes));
                             asio::async_read(stream, asio::buffer(payload),
                                              [&](const boost::system::error_code& e3, size_t) {
                                                  io_ec = e3;
                                                  done = true;
                                              });
                         });
    });
}

// Writes the frame over TLS (the listeners' TlsStream, in client mode).
asio::awaitable<boost::system::error_code> tls_write(TlsStream& tls,
                                                     const std::vector<uint8_t>& frame) {
    try {
        const std::array<asio::const_buffer, 1> out{asio::buffer(frame)};
        co_await tls.write(out);
    } catch (const boost::system::system_error& e) {
        co_return e.code();
    }
    co_return boost::system::error_code{};
}

// start_exchange over TLS, as a coroutine.
asio::awaitable<boost::system::error_code> tls_exchange(TlsStream& tls,
                                                        const std::vector<uint8_t>& frame,
                                                        std::array<uint8_t, 4>& size_bytes,
                                                        std::vector<uint8_t>& payload) {
    if (auto ec = co_await tls_write(tls, frame)) {
        co_return ec;
    }
    if (auto ec = co_await tls.read(asio::buffer(size_bytes))) {
        co_return ec;
    }
    payload.resize(frame_size(size_bytes));
    co_return co_await tls.read(asio::buffer(payload));
}

// Runs `op` on `io` (driven by Impl::run, as the callback-style operations are) and reports
// its result through `io_ec` and `done`.
void start_coroutine(asio::io_context& io, asio::awaitable<boost::system::error_code> op,
                     boost::system::error_code& io_ec, bool& done) {
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, boost::system::error_code ec) {
        io_ec = e ? make_error_code(asio::error::no_memory) : ec;
        done = true;
    });
}

}  // namespace

struct BlockingChannel::Impl {
    asio::io_context io;
    std::optional<tcp::socket> socket;
    std::optional<TlsStream> tls;  // over *socket

    // Runs the io_context until `done` or the timeout; on timeout closes the socket so the
    // pending operation completes with operation_aborted.
    std::error_code run(std::chrono::milliseconds timeout, const bool& done,
                        const boost::system::error_code& ec) {
        io.restart();
        io.run_for(timeout);
        if (!done) {
            boost::system::error_code ignored;
            socket->close(ignored);
            io.restart();
            io.run();
            return std::make_error_code(std::errc::timed_out);
        }
        return ec;
    }
};

namespace {
BlockingChannel::ConnectHook& default_connect_hook() {
    static BlockingChannel::ConnectHook hook;
    return hook;
}
}  // namespace

void BlockingChannel::set_default_connect_hook(ConnectHook hook) {
    default_connect_hook() = std::move(hook);
}

BlockingChannel::BlockingChannel(std::string host, uint16_t port, std::string client_id,
                                 std::chrono::milliseconds timeout,
                                 std::shared_ptr<const ChannelSecurity> security)
    : impl_(std::make_unique<Impl>()),
      host_(std::move(host)),
      port_(port),
      client_id_(std::move(client_id)),
      timeout_(timeout),
      security_(std::move(security)),
      connect_hook_(default_connect_hook()) {}

BlockingChannel::~BlockingChannel() {
    close();
}

void BlockingChannel::close() {
    impl_->tls.reset();
    if (impl_->socket) {
        boost::system::error_code ec;
        impl_->socket->close(ec);
        impl_->socket.reset();
    }
}

result<void> BlockingChannel::ensure_connected() {
    if (impl_->socket && impl_->socket->is_open()) {
        return success();
    }
    using clock = std::chrono::steady_clock;
    connect_times_ = {};
    connect_times_.start = clock::now();
    tcp::resolver resolver(impl_->io);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) {
        return std::error_code(ec);
    }
    impl_->socket.emplace(impl_->io);
    bool done = false;
    boost::system::error_code connect_ec;
    asio::async_connect(*impl_->socket, endpoints,
                        [&](const boost::system::error_code& e, const tcp::endpoint&) {
                            connect_ec = e;
                            done = true;
                        });
    if (auto err = impl_->run(timeout_, done, connect_ec)) {
        impl_->socket.reset();
        return err;
    }
    impl_->socket->set_option(tcp::no_delay(true), ec);
    connect_times_.tcp_connected = clock::now();
    if (security_ && security_->ssl) {
        if (auto r = start_tls(); !r) {
            return r;
        }
    }
    connect_times_.tls_done = clock::now();
    if (connect_hook_) {
        // The socket is open now, so the hook's own sends do not reconnect.
        if (auto r = connect_hook_(*this); !r) {
            close();
            return r.error();
        }
    }
    connect_times_.hook_done = clock::now();
    return success();
}

result<void> BlockingChannel::start_tls() {
    try {
        impl_->tls.emplace(*impl_->socket, security_->ssl->context(), auth::SslMode::client);
    } catch (const std::bad_alloc&) {
        close();
        return std::make_error_code(std::errc::not_enough_memory);
    }
    auth::prepare_client_ssl(impl_->tls->native_handle(), security_->ssl->config(), host_);
    bool done = false;
    boost::system::error_code handshake_ec;
    start_coroutine(impl_->io, impl_->tls->handshake(timeout_), handshake_ec, done);
    if (auto err = impl_->run(timeout_, done, handshake_ec)) {
        close();
        return err;
    }
    return success();
}

std::vector<uint8_t>& BlockingChannel::reusable_frame() {
    if (!frame_ || frame_.use_count() > 1) {
        frame_ = std::make_shared<std::vector<uint8_t>>();
    }
    return *frame_;
}

result<std::span<const uint8_t>> BlockingChannel::exchange(protocol::ApiKey key, int16_t version,
                                                           const protocol::Writer& body) {
    SAMSA_TRY(ensure_connected());
    int32_t correlation_id = next_correlation_id_++;

    protocol::Writer frame;
    frame.write_int32(0);  // size, patched below
    protocol::RequestHeaderData header;
    header.request_api_key = static_cast<int16_t>(key);
    header.request_api_version = version;
    header.correlation_id = correlation_id;
    header.client_id = client_id_;
    header.encode(frame, protocol::request_header_version(key, version));
    frame.write_raw(body.buffer());
    frame.patch_int32(0, static_cast<int32_t>(frame.buffer().size() - 4));

    bool done = false;
    boost::system::error_code io_ec;
    std::array<uint8_t, 4> size_bytes{};
    std::vector<uint8_t>& payload = reusable_frame();
    if (impl_->tls) {
        start_coroutine(impl_->io, tls_exchange(*impl_->tls, frame.buffer(), size_bytes, payload),
                        io_ec, done);
    } else {
        start_exchange(*impl_->socket, frame.buffer(), size_bytes, payload, io_ec, done);
    }
    if (auto err = impl_->run(timeout_, done, io_ec)) {
        close();
        return err;
    }

    try {
        protocol::Reader reader(payload);
        protocol::ResponseHeaderData response_header;
        response_header.decode(reader, protocol::response_header_version(key, version));
        if (response_header.correlation_id != correlation_id) {
            close();
            return std::make_error_code(std::errc::protocol_error);
        }
        return std::span<const uint8_t>(payload).subspan(payload.size() - reader.remaining());
    } catch (const protocol::DecodeError&) {
        close();
        return std::make_error_code(std::errc::bad_message);
    }
}

result<void> BlockingChannel::write_request(protocol::ApiKey key, int16_t version,
                                            const protocol::Writer& body) {
    SAMSA_TRY(ensure_connected());
    protocol::Writer frame;
    frame.write_int32(0);  // size, patched below
    protocol::RequestHeaderData header;
    header.request_api_key = static_cast<int16_t>(key);
    header.request_api_version = version;
    header.correlation_id = next_correlation_id_++;
    header.client_id = client_id_;
    header.encode(frame, protocol::request_header_version(key, version));
    frame.write_raw(body.buffer());
    frame.patch_int32(0, static_cast<int32_t>(frame.buffer().size() - 4));

    bool done = false;
    boost::system::error_code io_ec;
    if (impl_->tls) {
        start_coroutine(impl_->io, tls_write(*impl_->tls, frame.buffer()), io_ec, done);
    } else {
        asio::async_write(*impl_->socket, asio::buffer(frame.buffer()),
                          [&](const boost::system::error_code& e, size_t) {
                              io_ec = e;
                              done = true;
                          });
    }
    if (auto err = impl_->run(timeout_, done, io_ec)) {
        close();
        return err;
    }
    return success();
}

}  // namespace samsa::net
