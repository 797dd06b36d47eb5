#pragma once
// SocketServer: the listeners of one broker (Kafka's SocketServer).
//
// Threading model: one io_context, run by num.network.threads threads (KafkaServer owns it).
// Each listener has an acceptor coroutine; each accepted socket gets a strand of its own and a
// Connection coroutine on it, so no connection state needs a lock. Request handlers run on
// that strand too and hop to the I/O pool for disk and ZooKeeper work (see net/run_on.h).
//
// Listeners are typed by security protocol. This issue serves PLAINTEXT; a listener of another
// protocol is refused at bind() with a clear message until the security issue lands.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "auth/security_protocol.h"
#include "broker/net/connection.h"

namespace samsa::net {

struct ListenerConfig {
    std::string name;  // "PLAINTEXT", "INTERNAL", ...
    std::string host;  // empty = all interfaces
    uint16_t port = 0;  // 0 = any free port; bound_port() tells which
    auth::SecurityProtocol protocol = auth::SecurityProtocol::plaintext;
};

class SocketServer {
public:
    SocketServer(boost::asio::io_context& io, std::vector<ListenerConfig> listeners,
                 ConnectionConfig connection_config, RequestHandler& handler);
    ~SocketServer();
    SocketServer(const SocketServer&) = delete;
    SocketServer& operator=(const SocketServer&) = delete;

    // Binds every listener. Throws std::runtime_error naming the listener on failure (this is
    // a start-up, process-boundary error).
    void bind();
    // The port a listener is bound to (after bind()).
    uint16_t bound_port(const std::string& listener_name) const;
    // Starts the acceptor coroutines.
    void start_accepting();
    // Stops accepting and closes every open connection. Thread-safe.
    void shutdown();

    size_t connection_count() const;

private:
    // The acceptor lives on its own strand: accept completions and shutdown's close() never
    // race.
    struct Listener {
        ListenerConfig config;
        std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    };
    void accept_loop(Listener& listener);
    void on_accept(Listener& listener, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    std::vector<Listener> listeners_;
    ConnectionConfig connection_config_;
    RequestHandler& handler_;

    mutable std::mutex mu_;
    std::map<Connection*, std::shared_ptr<Connection>> connections_;
    bool stopping_ = false;
};

}  // namespace samsa::net
