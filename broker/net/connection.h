#pragma once
// Connection: one client socket and the coroutine that serves it (Kafka's Processor work for one
// channel, plus the per-connection part of RequestChannel).
//
// Lifecycle: SocketServer accepts and creates the Connection on one thread, and it runs there
// until it ends, or until it is authenticated and moves once to a network thread (below):
// nothing it owns is used by two threads at once, so nothing needs a lock but the executor
// that close() posts to. The request loop takes the next complete request from the read buffer
// (reading when none is there), hands it to the RequestHandler, and queues the response. It
// ends on EOF, on a frame larger than socket.request.max.bytes, after connections.max.idle.ms
// of silence, or when close() is called (shutdown).
//
// Connections that must authenticate (TLS, SASL) start on a handshake thread: the TLS
// handshake's cryptography (about half a millisecond of CPU) and the SASL exchange (with the
// ApiVersions clients send before it) run there, then move_to() hands the socket, the TLS
// session and any bytes already read to the network thread that serves the connection from
// then on. A storm of new
// connections then costs the network threads one hand-off each, and the requests of
// established connections do not queue behind handshakes. (Kafka's Processor does all of it
// on the network thread.) Plaintext connections start on their network thread.
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
// sent one (ssl.principal.mapping.rules). Every byte then goes through the TLS stream: file
// data is read into memory and encrypted, there is no zero-copy path.

#include "auth/session.h"
#include "broker/net/read_buffer.h"
#include "broker/net/request_handler.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace samsa::auth {
class SslFactory;
class SslPrincipalMapper;
}  // namespace samsa::auth

namespace samsa::net {

struct ConnectionConfig {
    int32_t max_request_bytes = 104857600;  // socket.request.max.bytes
    // sasl.server.max.receive.size: the largest frame a connection may send before SASL has
    // authenticated it, so an unauthenticated peer cannot make the broker buffer 100 MB.
    int32_t max_unauthenticated_bytes = 524288;
    std::chrono::milliseconds max_idle{600000};  // connections.max.idle.ms
    int32_t send_buffer_bytes = 102400;          // socket.send.buffer.bytes, -1 = OS default
    int32_t receive_buffer_bytes = 102400;       // socket.receive.buffer.bytes, -1 = OS default
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
               RequestHandler& handler, auth::Session session, const TlsOptions* tls = nullptr);
    ~Connection();

    // The whole session on the socket's executor: authenticate(), then serve(). Call once.
    boost::asio::awaitable<void> run();

    // Or in two parts, on two threads:
    // The TLS handshake and, on SASL listeners, requests until the session is authenticated,
    // with their responses written. True when the connection goes on; false when it has closed.
    boost::asio::awaitable<bool> authenticate();
    // After authenticate() returned true, on the same executor: moves the socket (and the TLS
    // session) to `executor`'s io_context. Throws boost::system::system_error if the socket
    // cannot be moved (it is then still here, and closing it is the caller's).
    void move_to(const boost::asio::any_io_executor& executor);
    // The request loop until the connection ends. On the executor moved to, if any.
    boost::asio::awaitable<void> serve();

    // Closes the socket from any thread; run() then finishes.
    void close();

    const std::string& peer() const { return peer_; }

  private:
    // Handles requests until the connection must end (false) or, with `until_authenticated`,
    // until the session is authenticated (true).
    boost::asio::awaitable<bool> serve_requests(bool until_authenticated);
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

    // connections.max.idle.ms, watched on the socket's executor. The watch takes `self` so its
    // frame keeps the connection alive, and `stopped` so that a stopped watch (the connection
    // moved) returns without reading anything else.
    void start_idle_watch();
    void stop_idle_watch();
    static boost::asio::awaitable<void> watch_idle(std::shared_ptr<Connection> self,
                                                   std::shared_ptr<bool> stopped);
    // close(), on `executor`, which was the connection's when close() was called; sent on if
    // the connection has moved since.
    void close_on(const boost::asio::any_io_executor& executor);
    // close(), on the socket's executor.
    void close_here();
    void touch() { last_activity_ = std::chrono::steady_clock::now(); }

    // Optional so that move_to() can re-create them on another io_context in place.
    std::optional<boost::asio::ip::tcp::socket> socket_;
    std::mutex executor_mu_;
    boost::asio::any_io_executor executor_;  // the socket's; guarded by executor_mu_
    std::unique_ptr<TlsStream> tls_;         // TLS listeners only
    std::shared_ptr<const auth::SslPrincipalMapper> principal_mapper_;
    std::chrono::milliseconds handshake_timeout_{0};
    std::optional<boost::asio::steady_timer> idle_timer_;
    std::shared_ptr<bool> idle_watch_stopped_;
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
