#pragma once
// Connection: one client socket and the coroutine that serves it (Kafka's Processor work for one
// channel, plus the per-connection part of RequestChannel).
//
// Lifecycle: SocketServer accepts, creates the Connection on one Processor (network thread) and
// co_spawns run() there; the connection never leaves that thread, so nothing it owns needs a
// lock. run() loops: take the next complete request from the read buffer (reading when none is
// there), hand it to the RequestHandler, queue the response. It ends on EOF, on a frame larger
// than socket.request.max.bytes, after connections.max.idle.ms of silence, or when close() is
// called (shutdown).
//
// The request path, and why it is shaped this way (bench/RESULTS.md has the measurements):
//  - one recv takes every byte the socket holds (ReadBuffer), so a small request costs one
//    recv and pipelined requests share it;
//  - requests are handled one at a time, in order, on this thread: the handler appends to and
//    reads from the page cache itself and leaves the thread only for work that can block for
//    long (see net/run_on.h). Kafka's rule "one request in flight per channel, responses in
//    request order" holds because the next request is not taken until this one is answered;
//  - responses are queued and written together (one writev) when no complete request is left
//    in the buffer, when 64 KiB or 64 responses are queued, or before a response that splices
//    file data. A client pipelining requests gets one write for many responses; a client
//    waiting for its answer gets it before the connection waits for more input.
//
// Responses with file-backed records are sent with sendfile(2): the record bytes go from the
// page cache to the socket without passing through user space.
//
// On TLS listeners (SSL, SASL_SSL) the connection first runs the TLS handshake, within the
// listener's handshake deadline, and takes the principal from the client's certificate when it
// sent one (ssl.principal.mapping.rules). The handshake's cryptography runs on the handshake
// executor SocketServer gives (its handshake threads), so that connection storms do not hold
// up established connections on the network thread. Every byte then goes through the TLS
// stream: file data is read into memory and encrypted, there is no zero-copy path.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "auth/session.h"
#include "broker/net/read_buffer.h"
#include "broker/net/request_handler.h"

namespace samsa::auth {
class SslFactory;
class SslPrincipalMapper;
}  // namespace samsa::auth

namespace samsa::net {

struct ConnectionConfig {
    int32_t max_request_bytes = 104857600;         // socket.request.max.bytes
    // sasl.server.max.receive.size: the largest frame a connection may send before SASL has
    // authenticated it, so an unauthenticated peer cannot make the broker buffer 100 MB.
    int32_t max_unauthenticated_bytes = 524288;
    std::chrono::milliseconds max_idle{600000};    // connections.max.idle.ms
    int32_t send_buffer_bytes = 102400;            // socket.send.buffer.bytes, -1 = OS default
    int32_t receive_buffer_bytes = 102400;         // socket.receive.buffer.bytes, -1 = OS default
};

// What a TLS listener gives each of its connections.
struct TlsOptions {
    std::shared_ptr<auth::SslFactory> factory;
    std::shared_ptr<const auth::SslPrincipalMapper> principal_mapper;
};

class TlsStream;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(boost::asio::ip::tcp::socket socket, ConnectionConfig config,
               RequestHandler& handler, auth::Session session,
               const TlsOptions* tls = nullptr,
               boost::asio::any_io_executor tls_handshake_executor = {});
    ~Connection();

    // The session coroutine. Call once, on the socket's executor.
    boost::asio::awaitable<void> run();

    // Closes the socket from any thread; run() then finishes.
    void close();

    const std::string& peer() const { return peer_; }

private:
    // Waits for the next complete request and moves it into `frame`. False at EOF, on a read
    // error, or for a size outside [0, socket.request.max.bytes] (the connection then closes).
    boost::asio::awaitable<bool> read_request(Frame& frame);
    // A frame too big for the read buffer: its first bytes are in the buffer, the rest is read
    // straight into the frame.
    boost::asio::awaitable<bool> read_large_request(size_t size, Frame& frame);
    bool has_complete_request() const;
    // TLS listeners: the handshake, then the principal from the client certificate. False
    // when the connection must close (logged).
    boost::asio::awaitable<bool> start_tls();
    // Writes every byte of `buffers` through TLS or straight to the socket.
    boost::asio::awaitable<void> write_all(std::span<const boost::asio::const_buffer> buffers);
    // TLS: file slices are read into memory and written through the TLS stream.
    boost::asio::awaitable<void> send_file_tls(const protocol::FileSlice& slice);

    boost::asio::awaitable<void> queue_response(protocol::Writer response);
    // Writes every queued response, in order, with one gathering write.
    boost::asio::awaitable<void> flush();
    // A response with file slices: memory parts written, file parts sendfile'd, corked.
    boost::asio::awaitable<void> send_spliced(const protocol::Writer& response);
    boost::asio::awaitable<void> send_file(const protocol::FileSlice& slice);

    // Takes `self` so the coroutine frame keeps the connection alive.
    static boost::asio::awaitable<void> watch_idle(std::shared_ptr<Connection> self);
    // close(), on the socket's executor.
    void close_here();
    void touch() { last_activity_ = std::chrono::steady_clock::now(); }

    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<TlsStream> tls_;  // TLS listeners only
    std::shared_ptr<const auth::SslPrincipalMapper> principal_mapper_;
    std::chrono::milliseconds handshake_timeout_{0};
    boost::asio::steady_timer idle_timer_;
    ConnectionConfig config_;
    RequestHandler& handler_;
    auth::Session session_;
    std::string peer_;
    std::chrono::steady_clock::time_point last_activity_;
    ReadBuffer in_;
    std::vector<protocol::Writer> out_;  // responses not written yet, in request order
    size_t out_bytes_ = 0;
    bool busy_ = false;  // handling a request
    bool closed_ = false;
};

}  // namespace samsa::net
