#pragma once
// MetricsHttpServer: the broker's metrics listener (metrics.listener). A small HTTP/1.1 server
// (Boost.Beast) on its own threads, away from the network threads that serve Kafka clients:
// GET /metrics renders the registry for Prometheus, and other routes (the console) are added
// by whoever owns them. Handlers run on this server's threads and may block (the console
// asks the cluster); a slow one holds up only other HTTP requests.
//
// Requests are small (a GET): bodies over 64 KiB and headers over 8 KiB are refused, and an
// idle or slow connection is closed after 30 s.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::metrics {

struct HttpRequest {
    std::string method;         // "GET"
    std::string path;           // "/metrics", no query
    std::string query;          // after '?', undecoded
    std::string authorization;  // the Authorization header, if any
    std::string remote;         // the client's address
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Runs before every handler: nothing to let the request through, or the answer to send
// instead (401 with WWW-Authenticate on a secured cluster).
using HttpGate = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

class MetricsHttpServer {
  public:
    MetricsHttpServer(std::string host, uint16_t port, int threads = 2);
    ~MetricsHttpServer();
    MetricsHttpServer(const MetricsHttpServer&) = delete;
    MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

    // `path` is matched exactly, or as a prefix when it ends in '/'. Longest match wins.
    // Call before start().
    void add_route(std::string path, HttpHandler handler);
    void set_gate(HttpGate gate);

    // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
    void start();
    // The bound port (the one chosen by the OS when 0 was asked for).
    uint16_t port() const;
    // Closes the listener and open connections and joins the threads. Idempotent.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace samsa::metrics
