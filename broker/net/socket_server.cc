#include "broker/net/socket_server.h"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/strand.hpp>

#include "common/logging.h"

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

}  // namespace

SocketServer::SocketServer(asio::io_context& io, std::vector<ListenerConfig> listeners,
                           ConnectionConfig connection_config, RequestHandler& handler)
    : io_(io), connection_config_(connection_config), handler_(handler) {
    for (auto& l : listeners) {
        listeners_.push_back(Listener{std::move(l), nullptr});
    }
}

SocketServer::~SocketServer() { shutdown(); }

void SocketServer::bind() {
    for (auto& l : listeners_) {
        if (l.config.protocol != auth::SecurityProtocol::plaintext) {
            throw std::runtime_error("listener " + l.config.name + " uses " +
                                     std::string(auth::to_string(l.config.protocol)) +
                                     ", which this build does not serve yet (PLAINTEXT only)");
        }
        auto endpoint = resolve_listener(l.config);
        auto acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(io_));
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
        if (!ec) {
            acceptor->listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw std::runtime_error("cannot listen on " + l.config.name + "://" +
                                     l.config.host + ":" + std::to_string(l.config.port) + ": " +
                                     ec.message());
        }
        l.config.port = acceptor->local_endpoint().port();
        l.acceptor = std::move(acceptor);
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

void SocketServer::start_accepting() {
    for (auto& l : listeners_) {
        accept_loop(l);
    }
}

void SocketServer::accept_loop(Listener& listener) {
    // Each accepted socket lands on a fresh strand: its connection's home.
    listener.acceptor->async_accept(
        asio::make_strand(io_), [this, &listener](boost::system::error_code ec, tcp::socket s) {
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
    auto conn = std::make_shared<Connection>(std::move(socket), connection_config_, handler_,
                                             std::move(session));
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        connections_.emplace(conn.get(), conn);
    }
    logger().debug("accepted connection from {} on {}", conn->peer(), listener.config.name);
    asio::co_spawn(executor, conn->run(), [this, raw = conn.get()](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                logger().error("connection coroutine failed: {}", ex.what());
            }
        }
        std::lock_guard lock(mu_);
        connections_.erase(raw);
    });
}

void SocketServer::shutdown() {
    std::map<Connection*, std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
        open = connections_;
    }
    for (auto& l : listeners_) {
        if (l.acceptor) {
            asio::post(l.acceptor->get_executor(), [acceptor = l.acceptor.get()] {
                boost::system::error_code ec;
                acceptor->close(ec);
            });
        }
    }
    for (auto& [raw, conn] : open) {
        conn->close();
    }
}

size_t SocketServer::connection_count() const {
    std::lock_guard lock(mu_);
    return connections_.size();
}

}  // namespace samsa::net
