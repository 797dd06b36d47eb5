#pragma once
// SocketServer: the listeners of one broker and its network threads (Kafka's SocketServer).
//
// Threading model: num.network.threads Processors, each an event loop on a thread of its own
// (processor.h). The listeners' acceptors run on an acceptor thread (Kafka's Acceptor), which
// accepts, sets the socket up and hands it to the Processors in turn (round robin); a
// connection then lives on its Processor for good, and its requests are handled there, in
// order (connection.h).
// Request handlers leave the Processor only for work that can block for long (net/run_on.h).
//
// Listeners are typed by security protocol, and all four are served: SSL and SASL_SSL ones over
// TLS with the options their config gives (connection.h); SASL is the request handler's session
// layer, on top of either transport.
//
// When a listener uses TLS or SASL, as many handshake threads as network threads take its new
// connections in turn, until each is authenticated: the TLS handshake, the SASL exchange. Then
// the connection moves to its Processor (Connection::move_to). A storm of new connections thus
// competes for the CPU with the established connections' requests, as any thread does, instead
// of queueing them behind its handshakes and SASL round trips on the network thread (Kafka's
// Processor runs them in line). Plaintext connections go to their Processor at once.

#include "auth/security_protocol.h"
#include "broker/metrics/metrics.h"
#include "broker/net/connection.h"
#include "broker/net/processor.h"

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace samsa::net {

struct ListenerConfig {
    std::string name;   // "PLAINTEXT", "INTERNAL", ...
    std::string host;   // empty = all interfaces
    uint16_t port = 0;  // 0 = any free port; bound_port() tells which
    auth::SecurityProtocol protocol = auth::SecurityProtocol::plaintext;
    std::optional<TlsOptions> tls;  // set for SSL and SASL_SSL listeners
};

class SocketServer {
  public:
    // `num_processors` (num.network.threads) is at least 1.
    SocketServer(int num_processors, std::vector<ListenerConfig> listeners,
                 ConnectionConfig connection_config, RequestHandler& handler);
    ~SocketServer();
    SocketServer(const SocketServer&) = delete;
    SocketServer& operator=(const SocketServer&) = delete;

    // Binds every listener (the port is held; connections are refused until start()). Throws
    // std::runtime_error naming the listener on failure (this is a start-up, process-boundary
    // error).
    void bind();
    // The port a listener is bound to (after bind()).
    uint16_t bound_port(const std::string& listener_name) const;
    // Listens, then starts the network threads and the acceptors; does nothing once shutdown()
    // has begun. Throws std::runtime_error as bind() does if a listener cannot listen.
    void start();
    // Stops accepting, closes every open connection, gives the requests in hand up to
    // `grace` to finish, then stops the network threads. Thread-safe and idempotent. The
    // threads' io_contexts stay alive until the SocketServer is destroyed, so work still
    // running on the I/O pool may post its results (which are then dropped).
    void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    size_t connection_count() const;
    size_t processor_count() const { return processors_.size(); }

  private:
    struct Listener {
        ListenerConfig config;
        std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
        // socket-server-metrics connection-creation-total{listener=...}
        metrics::Counter* connections_created = nullptr;
    };
    struct OpenConnection {
        std::weak_ptr<Connection> conn;
        size_t listener = 0;   // index in listeners_
        size_t processor = 0;  // index in processors_
    };
    void listen();
    void accept_loop(Listener& listener);
    void on_accept(Listener& listener, boost::asio::ip::tcp::socket socket);
    Processor& next_processor();
    size_t processor_index(const boost::asio::any_io_executor& executor) const;
    // Hands an authenticated connection to its network thread.
    void move_home(std::shared_ptr<Connection> conn, Processor& home);
    // The completion handler of a connection's coroutine.
    std::function<void(std::exception_ptr)> ended(std::shared_ptr<Connection> conn);
    // Kafka's SocketServer and Processor gauges: idle ratios and open connections.
    void collect_metrics(metrics::SampleSink& sink);
    // The thread the next connection of a TLS or SASL listener starts on.
    Processor& next_handshake_thread();

    // The acceptors belong to it, and a pending accept holds a socket of a processor's
    // io_context: the destructor destroys it after the acceptors and before the processors.
    std::unique_ptr<Processor> acceptor_thread_ = std::make_unique<Processor>("samsa-acceptor");
    std::vector<std::unique_ptr<Processor>> processors_;
    // Where connections of TLS and SASL listeners start, one per network thread; none if no
    // listener needs them. Destroyed before processors_: a queued hand-off holds a connection
    // that may already have a socket on a processor's io_context.
    std::vector<std::unique_ptr<Processor>> handshake_threads_;
    std::atomic<size_t> next_handshake_thread_{0};
    std::vector<Listener> listeners_;
    ConnectionConfig connection_config_;
    RequestHandler& handler_;
    std::atomic<size_t> next_processor_{0};

    mutable std::mutex mu_;
    std::map<Connection*, OpenConnection> connections_;
    bool stopping_ = false;
    bool stopped_ = false;
    // Reset first in the destructor: scrapes read the processors and connections.
    metrics::CollectorHandle metrics_collector_;
};

}  // namespace samsa::net
