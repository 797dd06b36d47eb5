#include "broker/net/socket_server.h"

#include "common/logging.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>
#include <functional>
#include <stdexcept>
#include <thread>

namespace samsa::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

auto& logger() {
    static auto l = get_logger("net");
    return *l;
}

tcp::endpoint resolve_listener(const ListenerConfig& l) {
    if (l.host.empty()) {
        return {tcp::v6(), l.port};  // dual-stack: all IPv4 and IPv6 interfaces
    }
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(l.host, ec);
    if (!ec) {
        return {addr, l.port};
    }
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
    if (ec || results.empty()) {
        throw std::runtime_error("cannot resolve listener host '" + l.host + "' of listener " +
                                 l.name + ": " + ec.message());
    }
    return results.begin()->endpoint();
}

// Connections of these listeners start on a handshake thread (see Connection).
bool authenticates(auth::SecurityProtocol protocol) {
    return auth::uses_tls(protocol) || auth::uses_sasl(protocol);
}

}  // namespace

SocketServer::SocketServer(int num_processors, std::vector<ListenerConfig> listeners,
                           ConnectionConfig connection_config, RequestHandler& handler)
    : connection_config_(connection_config), handler_(handler) {
    for (int i = 0; i < std::max(1, num_processors); ++i) {
        processors_.push_back(std::make_unique<Processor>("samsa-net-" + std::to_string(i)));
    }
    const bool any_authenticating =
        std::any_of(listeners.begin(), listeners.end(),
                    [](const auto& l) { return authenticates(l.protocol); });
    for (size_t i = 0; any_authenticating && i < processors_.size(); ++i) {
        handshake_threads_.push_back(std::make_unique<Processor>("samsa-tls-" + std::to_string(i)));
    }
    for (auto& l : listeners) {
        auto* created = &metrics::registry().counter(
            "kafka_server_socket_server_metrics_connection_creation",
            "Connections accepted, per listener", {{"listener", l.name}});
        listeners_.push_back(Listener{std::move(l), nullptr, created});
    }
    metrics_collector_ = metrics::registry().add_collector(
        [this](metrics::SampleSink& sink) { collect_metrics(sink); });
}

SocketServer::~SocketServer() {
    metrics_collector_ = {};
    shutdown();
    // Acceptors and sockets belong to the processors' io_contexts: close them first.
    listeners_.clear();
    acceptor_thread_.reset();
    handshake_threads_.clear();
    processors_.clear();
}

void SocketServer::bind() {
    for (auto& l : listeners_) {
        if (auth::uses_tls(l.config.protocol) != l.config.tls.has_value()) {
            throw std::logic_error("listener " + l.config.name + ": TLS options do not match " +
                                   std::string(auth::to_string(l.config.protocol)));
        }
        auto endpoint = resolve_listener(l.config);
        auto acceptor = std::make_unique<tcp::acceptor>(acceptor_thread_->io());
        boost::system::error_code ec;
        acceptor->open(endpoint.protocol(), ec);
        if (!ec && endpoint.protocol() == tcp::v6() && l.config.host.empty()) {
            acceptor->set_option(asio::ip::v6_only(false), ec);
        }
        if (!ec) {
            acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor->bind(endpoint, ec);
        }
        if (ec) {
            throw std::runtime_error("cannot listen on " + l.config.name + "://" + l.config.host +
                                     ":" + std::to_string(l.config.port) + ": " + ec.message());
        }
        l.config.port = acceptor->local_endpoint().port();
        l.acceptor = std::move(acceptor);
        logger().info("bound {}://{}:{} ({})", l.config.name, l.config.host, l.config.port,
                      auth::to_string(l.config.protocol));
    }
}

// Only now does the kernel take connections: while the broker is bound but not serving (it
// waits out its previous session's registration for as long as a ZooKeeper session), a client
// is refused, as by a broker that is down, instead of hanging in the backlog until its own
// timeouts fire. The bind alone holds the port: no other process listens on it meanwhile.
void SocketServer::listen() {
    for (auto& l : listeners_) {
        boost::system::error_code ec;
        l.acceptor->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            throw std::runtime_error("cannot listen on " + l.config.name + "://" + l.config.host +
                                     ":" + std::to_string(l.config.port) + ": " + ec.message());
        }
        logger().info("listening on {}://{}:{} ({})", l.config.name, l.config.host, l.config.port,
                      auth::to_string(l.config.protocol));
    }
}

uint16_t SocketServer::bound_port(const std::string& listener_name) const {
    for (const auto& l : listeners_) {
        if (l.config.name == listener_name) {
            return l.config.port;
        }
    }
    throw std::out_of_range("no listener named " + listener_name);
}

void SocketServer::start() {
    // Start-up and a shutdown from the signal thread may race (a SIGTERM while the broker waits
    // out a stale registration): once shutdown() has begun, the threads must not start again.
    std::lock_guard lock(mu_);
    if (stopped_) {
        return;
    }
    listen();
    for (auto& p : processors_) {
        p->start();
    }
    for (auto& p : handshake_threads_) {
        p->start();
    }
    acceptor_thread_->start();
    logger().info("{} network threads (num.network.threads) serving {} listeners",
                  processors_.size(), listeners_.size());
    for (auto& l : listeners_) {
        // The acceptor's operations must start on its own thread.
        asio::post(acceptor_thread_->io(), [this, &l] { accept_loop(l); });
    }
}

Processor& SocketServer::next_processor() {
    return *processors_[next_processor_.fetch_add(1, std::memory_order_relaxed) %
                        processors_.size()];
}

void SocketServer::accept_loop(Listener& listener) {
    // The socket is created on the thread that will run the connection first: a handshake
    // thread when it must authenticate, else its network thread.
    auto& io = authenticates(listener.config.protocol) ? next_handshake_thread().io()
                                                       : next_processor().io();
    listener.acceptor->async_accept(
        io, [this, &listener](boost::system::error_code ec, tcp::socket s) {
            if (ec == asio::error::operation_aborted) {
                return;
            }
            if (ec) {
                // EMFILE and friends: log, keep accepting (other clients are still served).
                logger().warn("accept on {} failed: {}", listener.config.name, ec.message());
            } else {
                on_accept(listener, std::move(s));
            }
            std::lock_guard lock(mu_);
            if (!stopping_) {
                accept_loop(listener);
            }
        });
}

void SocketServer::on_accept(Listener& listener, tcp::socket socket) {
    auth::Session session;
    session.listener_name = listener.config.name;
    session.protocol = listener.config.protocol;
    session.authenticated = !auth::uses_sasl(listener.config.protocol);
    auto executor = socket.get_executor();
    // Where the connection is served once authenticated; where it starts for plaintext.
    Processor& home = authenticates(listener.config.protocol)
                          ? next_processor()
                          : *processors_[processor_index(executor)];
    listener.connections_created->add();
    OpenConnection entry{
        {}, static_cast<size_t>(&listener - listeners_.data()), processor_index(home.executor())};
    const TlsOptions* tls = listener.config.tls ? &*listener.config.tls : nullptr;
    auto conn = std::make_shared<Connection>(std::move(socket), connection_config_, handler_,
                                             std::move(session), tls);
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        entry.conn = conn;
        connections_.emplace(conn.get(), std::move(entry));
    }
    logger().debug("accepted connection from {} on {}", conn->peer(), listener.config.name);
    auto* raw = conn.get();
    if (&executor.context() == &home.io()) {
        asio::co_spawn(executor, raw->run(), ended(std::move(conn)));
        return;
    }
    asio::co_spawn(executor, raw->authenticate(),
                   [this, conn = std::move(conn), &home](std::exception_ptr e, bool ok) mutable {
                       if (e || !ok) {
                           ended(std::move(conn))(e);
                           return;
                       }
                       move_home(std::move(conn), home);
                   });
}

// On the handshake thread, once the connection is authenticated.
void SocketServer::move_home(std::shared_ptr<Connection> conn, Processor& home) {
    bool moved = false;
    {
        // Once shutdown has begun, the network threads may be stopped already.
        std::lock_guard lock(mu_);
        moved = !stopping_;
    }
    try {
        if (moved) {
            conn->move_to(home.executor());
        }
    } catch (const boost::system::system_error& e) {
        logger().warn("connection from {}: {}", conn->peer(), e.what());
        moved = false;
    }
    if (!moved) {
        conn->close();
        ended(std::move(conn))(nullptr);
        return;
    }
    auto* raw = conn.get();
    asio::co_spawn(home.executor(), raw->serve(), ended(std::move(conn)));
}

// The completion of a connection's coroutine: it holds the connection, which thus lives as
// long as the coroutine, and forgets it when it ends.
std::function<void(std::exception_ptr)> SocketServer::ended(std::shared_ptr<Connection> conn) {
    return [this, conn = std::move(conn)](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                logger().error("connection coroutine failed: {}", ex.what());
            }
        }
        std::lock_guard lock(mu_);
        connections_.erase(conn.get());
    };
}

void SocketServer::shutdown(std::chrono::milliseconds grace) {
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(mu_);
        if (stopped_) {
            return;
        }
        stopped_ = true;
        stopping_ = true;
        open.reserve(connections_.size());
        for (auto& [raw, entry] : connections_) {
            if (auto conn = entry.conn.lock()) {
                open.push_back(std::move(conn));
            }
        }
    }
    for (auto& l : listeners_) {
        if (l.acceptor) {
            asio::post(acceptor_thread_->io(), [acceptor = l.acceptor.get()] {
                boost::system::error_code ec;
                acceptor->close(ec);
            });
        }
    }
    for (auto& conn : open) {
        conn->close();
    }
    open.clear();
    // Closed sockets end their connections once the request in hand is done; give them a
    // bounded moment, then stop the network threads regardless.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (connection_count() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    acceptor_thread_->stop();
    for (auto& p : processors_) {
        p->stop();
    }
    for (auto& p : handshake_threads_) {
        p->stop();
    }
}

Processor& SocketServer::next_handshake_thread() {
    return *handshake_threads_[next_handshake_thread_.fetch_add(1, std::memory_order_relaxed) %
                               handshake_threads_.size()];
}

size_t SocketServer::processor_index(const asio::any_io_executor& executor) const {
    for (size_t i = 0; i < processors_.size(); ++i) {
        if (&executor.context() == &processors_[i]->io()) {
            return i;
        }
    }
    return 0;
}

void SocketServer::collect_metrics(metrics::SampleSink& sink) {
    using metrics::Type;
    double idle_sum = 0;
    for (size_t i = 0; i < processors_.size(); ++i) {
        const double idle = processors_[i]->idle_fraction();
        idle_sum += idle;
        sink.sample("kafka_network_processor_idlepercent",
                    "Fraction of time the network thread waited for events (0..1)", Type::gauge,
                    {{"networkProcessor", std::to_string(i)}}, idle);
    }
    sink.sample("kafka_network_socketserver_networkprocessoravgidlepercent",
                "Average idle fraction of the network threads (0..1)", Type::gauge, {},
                processors_.empty() ? 1.0 : idle_sum / static_cast<double>(processors_.size()));
    std::vector<std::vector<size_t>> open(listeners_.size(),
                                          std::vector<size_t>(processors_.size(), 0));
    {
        std::lock_guard lock(mu_);
        for (const auto& [raw, entry] : connections_) {
            if (entry.listener < open.size() && entry.processor < processors_.size()) {
                ++open[entry.listener][entry.processor];
            }
        }
    }
    for (size_t l = 0; l < listeners_.size(); ++l) {
        for (size_t p = 0; p < processors_.size(); ++p) {
            sink.sample(
                "kafka_server_socket_server_metrics_connection_count",
                "Open connections, per listener and network thread", Type::gauge,
                {{"listener", listeners_[l].config.name}, {"networkProcessor", std::to_string(p)}},
                static_cast<double>(open[l][p]));
        }
    }
}

size_t SocketServer::connection_count() const {
    std::lock_guard lock(mu_);
    return connections_.size();
}

}  // namespace samsa::net
