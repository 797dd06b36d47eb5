#pragma once
// MetricsEndpoint: the broker's metrics listener (metrics.listener=http://host:port, off when
// unset). Serves GET /metrics in Prometheus' text format; the console adds its own routes.
// While it is off, metric updates on the hot path are skipped (metrics.h).

#include "broker/metrics/metrics.h"
#include "common/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace samsa::metrics {
class MetricsHttpServer;
}

namespace samsa::server {

struct MetricsListener {
    std::string host;  // empty: every address
    uint16_t port = 0;
};

// "http://host:port" (host may be empty or a bracketed IPv6 address); an error message for
// anything else.
std::optional<MetricsListener> parse_metrics_listener(const std::string& value, std::string& error);

// Kafka's BrokerState values (kafka_server_kafkaserver_brokerstate).
enum class BrokerState : int {
    not_running = 0,
    starting = 1,
    running_as_broker = 3,
    pending_controlled_shutdown = 6,
    shutting_down = 7,
};

class MetricsEndpoint {
  public:
    // `state` is read at scrape time; it must outlive the endpoint.
    MetricsEndpoint(MetricsListener listener, const std::atomic<BrokerState>& state);
    ~MetricsEndpoint();

    // Routes are added between construction and start().
    metrics::MetricsHttpServer& http() { return *http_; }
    // Binds; throws std::runtime_error with the reason when it cannot.
    void start();
    void stop();
    uint16_t port() const;

  private:
    std::unique_ptr<metrics::MetricsHttpServer> http_;
    metrics::CollectorHandle state_collector_;
};

}  // namespace samsa::server
