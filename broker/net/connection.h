#pragma once
// Connection: one client socket and the coroutine that serves it (Kafka's Processor + the
// per-connection part of RequestChannel).
//
// Lifecycle: SocketServer accepts, creates the Connection and co_spawns run() on a strand of
// its own; everything the connection owns is touched only on that strand. run() loops: read a
// size-prefixed frame, hand it to the RequestHandler, send the response, repeat. It ends on
// EOF, on a frame larger than socket.request.max.bytes, after connections.max.idle.ms of
// silence, or when close() is called (shutdown).
//
// Responses with file-backed records are sent with sendfile(2): the record bytes go from the
// page cache to the socket without passing through user space.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "auth/session.h"
#include "broker/net/request_handler.h"

namespace samsa::net {

struct ConnectionConfig {
    int32_t max_request_bytes = 104857600;         // socket.request.max.bytes
    std::chrono::milliseconds max_idle{600000};    // connections.max.idle.ms
    int32_t send_buffer_bytes = 102400;            // socket.send.buffer.bytes, -1 = OS default
    int32_t receive_buffer_bytes = 102400;         // socket.receive.buffer.bytes, -1 = OS default
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(boost::asio::ip::tcp::socket socket, ConnectionConfig config,
               RequestHandler& handler, auth::Session session);

    // The session coroutine. Call once, on the socket's strand.
    boost::asio::awaitable<void> run();

    // Closes the socket from any thread; run() then finishes.
    void close();

    const std::string& peer() const { return peer_; }

private:
    boost::asio::awaitable<bool> read_frame(Frame& frame);
    boost::asio::awaitable<void> send(const protocol::Writer& response);
    boost::asio::awaitable<void> send_file(const protocol::FileSlice& slice);
    // Takes `self` so the coroutine frame keeps the connection alive.
    static boost::asio::awaitable<void> watch_idle(std::shared_ptr<Connection> self);
    void touch() { last_activity_ = std::chrono::steady_clock::now(); }

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer idle_timer_;
    ConnectionConfig config_;
    RequestHandler& handler_;
    auth::Session session_;
    std::string peer_;
    std::chrono::steady_clock::time_point last_activity_;
    bool closed_ = false;
};

}  // namespace samsa::net
