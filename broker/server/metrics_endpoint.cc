#include "broker/server/metrics_endpoint.h"

#include "broker/metrics/http_server.h"
#include "broker/metrics/metrics.h"

#include <charconv>

namespace samsa::server {

std::optional<MetricsListener> parse_metrics_listener(const std::string& value,
                                                      std::string& error) {
    constexpr std::string_view kScheme = "http://";
    if (!value.starts_with(kScheme)) {
        error = "expected http://host:port";
        return std::nullopt;
    }
    std::string_view rest = std::string_view(value).substr(kScheme.size());
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
        error = "expected http://host:port (no port)";
        return std::nullopt;
    }
    MetricsListener out;
    std::string_view host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    out.host = std::string(host);
    const std::string_view port = rest.substr(colon + 1);
    int p = -1;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p < 0 || p > 65535) {
        error = "'" + std::string(port) + "' is not a port";
        return std::nullopt;
    }
    out.port = static_cast<uint16_t>(p);
    return out;
}

MetricsEndpoint::MetricsEndpoint(MetricsListener listener, const std::atomic<BrokerState>& state)
    : http_(std::make_unique<metrics::MetricsHttpServer>(listener.host, listener.port)),
      state_collector_(metrics::registry().add_collector([&state](metrics::SampleSink& sink) {
          sink.sample("kafka_server_kafkaserver_brokerstate",
                      "Kafka's BrokerState: 1 starting, 3 running, 6 pending controlled "
                      "shutdown, 7 shutting down",
                      metrics::Type::gauge, {}, static_cast<double>(state.load()));
      })) {
    http_->add_route("/metrics", [](const metrics::HttpRequest&) {
        metrics::HttpResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics::registry().render();
        return r;
    });
}

MetricsEndpoint::~MetricsEndpoint() {
    stop();
}

void MetricsEndpoint::start() {
    http_->start();
}

void MetricsEndpoint::stop() {
    http_->stop();
}

uint16_t MetricsEndpoint::port() const {
    return http_->port();
}

}  // namespace samsa::server
