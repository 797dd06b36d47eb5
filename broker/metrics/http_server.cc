#include "broker/metrics/http_server.h"

#include "common/logging.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace samsa::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

auto& logger() {
    static auto l = get_logger("metrics");
    return *l;
}

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr uint64_t kBodyLimit = 64 * 1024;
constexpr uint32_t kHeaderLimit = 8 * 1024;

HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

}  // namespace

struct MetricsHttpServer::Impl {
    Impl(std::string h, uint16_t p, int n) : host(std::move(h)), port(p), threads_wanted(n) {}

    std::string host;
    uint16_t port;
    int threads_wanted;
    asio::io_context io;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;
    std::map<std::string, HttpHandler> routes;
    HttpGate gate;
    std::mutex mu;  // the open connections
    std::set<std::shared_ptr<beast::tcp_stream>> open;
    bool stopped = false;

    const HttpHandler* route(const std::string& path) const {
        const HttpHandler* best = nullptr;
        size_t best_len = 0;
        for (const auto& [p, h] : routes) {
            const bool prefix = !p.empty() && p.back() == '/';
            const bool match = prefix ? path.starts_with(p) : path == p;
            if (match && p.size() >= best_len) {
                best = &h;
                best_len = p.size();
            }
        }
        return best;
    }

    HttpResponse dispatch(const HttpRequest& req) const {
        if (req.method != "GET" && req.method != "HEAD") {
            auto r = text(405, "only GET is served here\n");
            r.headers.emplace_back("Allow", "GET, HEAD");
            return r;
        }
        const HttpHandler* handler = route(req.path);
        if (handler == nullptr) {
            return text(404, "not found\n");
        }
        if (gate) {
            if (auto refused = gate(req)) {
                return std::move(*refused);
            }
        }
        try {
            return (*handler)(req);
        } catch (const std::exception& e) {
            logger().error("metrics listener: {} failed: {}", req.path, e.what());
            return text(500, "internal error\n");
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<beast::tcp_stream> stream) {
        beast::flat_buffer buffer;
        std::string remote;
        boost::system::error_code ec;
        if (auto ep = stream->socket().remote_endpoint(ec); !ec) {
            remote = ep.address().to_string();
        }
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(kBodyLimit);
            parser.header_limit(kHeaderLimit);
            stream->expires_after(kIdleTimeout);
            auto [read_ec, n] = co_await http::async_read(*stream, buffer, parser,
                                                          asio::as_tuple(asio::use_awaitable));
            if (read_ec) {
                if (read_ec != http::error::end_of_stream && read_ec != beast::error::timeout &&
                    read_ec != asio::error::operation_aborted) {
                    // Malformed or oversized: say so and close.
                    http::response<http::string_body> bad{http::status::bad_request, 11};
                    bad.set(http::field::content_type, "text/plain");
                    bad.body() = "bad request: " + read_ec.message() + "\n";
                    bad.keep_alive(false);
                    bad.prepare_payload();
                    co_await http::async_write(*stream, bad, asio::as_tuple(asio::use_awaitable));
                }
                break;
            }
            auto& req = parser.get();
            HttpRequest r;
            r.method = std::string(req.method_string());
            const std::string target(req.target());
            const auto q = target.find('?');
            r.path = target.substr(0, q);
            r.query = q == std::string::npos ? "" : target.substr(q + 1);
            r.authorization = std::string(req[http::field::authorization]);
            r.remote = remote;
            HttpResponse out = dispatch(r);

            http::response<http::string_body> res{static_cast<http::status>(out.status),
                                                  req.version()};
            res.set(http::field::server, "samsa");
            res.set(http::field::content_type, out.content_type);
            res.set(http::field::cache_control, "no-store");
            for (const auto& [k, v] : out.headers) {
                res.set(k, v);
            }
            res.keep_alive(req.keep_alive());
            if (r.method != "HEAD") {
                res.body() = std::move(out.body);
            }
            res.prepare_payload();
            auto [write_ec, m] =
                co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
            if (write_ec || !res.keep_alive()) {
                break;
            }
        }
        stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        std::lock_guard lock(mu);
        open.erase(stream);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (ec == asio::error::operation_aborted) {
                    co_return;
                }
                continue;  // EMFILE and the like: keep serving the connections we have
            }
            auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
            {
                std::lock_guard lock(mu);
                if (stopped) {
                    co_return;
                }
                open.insert(stream);
            }
            // A strand per connection is implied: one coroutine owns the stream.
            asio::co_spawn(io, serve(stream), asio::detached);
        }
    }
};

MetricsHttpServer::MetricsHttpServer(std::string host, uint16_t port, int threads)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::max(1, threads))) {}

MetricsHttpServer::~MetricsHttpServer() {
    stop();
}

void MetricsHttpServer::add_route(std::string path, HttpHandler handler) {
    impl_->routes[std::move(path)] = std::move(handler);
}

void MetricsHttpServer::set_gate(HttpGate gate) {
    impl_->gate = std::move(gate);
}

void MetricsHttpServer::start() {
    auto& d = *impl_;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(d.host.empty() ? "0.0.0.0" : d.host, ec);
    if (ec) {
        throw std::runtime_error("metrics.listener: '" + d.host + "' is not an IP address");
    }
    tcp::endpoint endpoint(address, d.port);
    d.acceptor.emplace(d.io);
    d.acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
        d.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        d.acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        d.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error("metrics.listener: cannot listen on " + d.host + ":" +
                                 std::to_string(d.port) + ": " + ec.message());
    }
    d.port = d.acceptor->local_endpoint().port();
    asio::co_spawn(d.io, d.accept_loop(), asio::detached);
    for (int i = 0; i < d.threads_wanted; ++i) {
        d.threads.emplace_back([&io = d.io] { io.run(); });
    }
    logger().info("metrics listener on http://{}:{}", d.host, d.port);
}

uint16_t MetricsHttpServer::port() const {
    return impl_->port;
}

void MetricsHttpServer::stop() {
    auto& d = *impl_;
    {
        std::lock_guard lock(d.mu);
        if (d.stopped) {
            return;
        }
        d.stopped = true;
    }
    // Stopping the context abandons the accept loop and every connection's coroutine; they
    // and their sockets are closed once the threads have returned.
    d.io.stop();
    for (auto& t : d.threads) {
        t.join();
    }
    d.threads.clear();
    boost::system::error_code ec;
    if (d.acceptor) {
        d.acceptor->close(ec);
    }
    std::lock_guard lock(d.mu);
    d.open.clear();
}

}  // namespace samsa::metrics
