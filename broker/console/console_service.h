#pragma once
// ConsoleService: the read-only cluster console on the metrics listener.
//
//   GET /  (and /console/)            the page (assets/console.html, embedded at build time)
//   GET /console/console.{js,css}     its script and style
//   GET /api/state                    cluster, topics and groups in one document
//   GET /api/cluster | /api/topics | /api/groups   the parts (console_json.h)
//
// The state comes from this broker's own listener through an AdminClient (console_collector.h).
// On a secured cluster (that listener uses SASL) every console route wants HTTP Basic
// credentials, and the AdminClient authenticates to the broker WITH them: the broker verifies
// the password and its ACLs decide what the view contains. /metrics stays as it is.
//
// One AdminClient per credential (a "session"), kept while it is used and re-verified after
// kSessionTtl; at most kMaxSessions. Handlers run on the metrics listener's threads: sessions
// are locked one at a time, a collected view is reused for kViewTtl so that polling pages
// share one round of requests.

#include "broker/console/console_collector.h"
#include "broker/metrics/http_server.h"
#include "broker/net/blocking_channel.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace samsa::server {
struct KafkaConfig;
}
namespace samsa::replica {
struct MetadataSnapshot;
}
namespace samsa::zk {
class KafkaZkClient;
}

namespace samsa::console {

struct ConsoleConfig {
    std::string host;  // the listener the console asks (loopback when it binds every address)
    uint16_t port = 0;
    std::string security_protocol = "PLAINTEXT";
    std::string sasl_mechanism;  // for SASL_*: the one the console authenticates with
    std::shared_ptr<const net::ChannelSecurity> transport;  // TLS: the broker's truststore
    int32_t broker_id = -1;
    int64_t up_since_ms = 0;
    // Every live broker's endpoints, from this broker's metadata cache.
    std::function<std::map<int32_t, std::vector<std::string>>()> endpoints;
    // When each live broker registered (its /brokers/ids/<id> timestamp): "up since".
    std::function<std::map<int32_t, int64_t>()> registered_since;
};

// The console's settings for a broker: the inter-broker listener (else the first one).
ConsoleConfig console_config(const server::KafkaConfig& config, int32_t broker_id,
                             std::shared_ptr<const net::ChannelSecurity> inter_broker_tls);

// The registration time of every broker registered in ZooKeeper (empty if it cannot be read:
// the page then shows only its own broker's start).
std::map<int32_t, int64_t> registration_times(zk::KafkaZkClient& zk);

// "LISTENER://host:port" of every live broker in this broker's metadata cache.
std::map<int32_t, std::vector<std::string>> endpoints_of(const replica::MetadataSnapshot& md);

class ConsoleService {
  public:
    static constexpr std::chrono::seconds kSessionTtl{30};
    static constexpr std::chrono::milliseconds kViewTtl{1000};
    static constexpr std::size_t kMaxSessions = 32;

    explicit ConsoleService(ConsoleConfig config);
    ~ConsoleService();

    // Adds the console's routes.
    void install(metrics::MetricsHttpServer& http);
    bool secured() const;

    metrics::HttpResponse serve_page(const metrics::HttpRequest& request);
    metrics::HttpResponse serve_api(const metrics::HttpRequest& request);

  private:
    struct Session;
    // The session for the request's credential (verified by collecting a view), or the
    // refusal to send (401, 503).
    std::shared_ptr<Session> session_for(const metrics::HttpRequest& request,
                                         metrics::HttpResponse& refusal);
    std::shared_ptr<Session> new_session(const std::string& username, const std::string& password);
    // The session's view, collected again when older than kViewTtl.
    result<std::shared_ptr<const ClusterView>> view_of(Session& session);

    ConsoleConfig config_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<Session>> sessions_;  // by credential_key
};

}  // namespace samsa::console
