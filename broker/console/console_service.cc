#include "broker/console/console_service.h"

#include "auth/security_protocol.h"
#include "broker/console/console_assets.h"
#include "broker/console/console_auth.h"
#include "broker/console/console_json.h"
#include "broker/replica/metadata_cache.h"
#include "broker/server/kafka_config.h"
#include "zk/kafka_zk_client.h"

#include <algorithm>

namespace samsa::console {

namespace {

using metrics::HttpRequest;
using metrics::HttpResponse;
using Clock = std::chrono::steady_clock;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

HttpResponse unauthorized() {
    HttpResponse r = text(401, "401 Unauthorized: the console needs a credential of the cluster\n");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"samsa\", charset=\"UTF-8\"");
    return r;
}

// No script from anywhere but here, no framing: the page is all same-origin.
void add_page_headers(HttpResponse& r) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "no-store");
}

HttpResponse asset(const std::string& name) {
    const Asset* a = find_asset(name);
    if (a == nullptr) {
        return text(404, "404 Not Found\n");
    }
    HttpResponse r;
    r.content_type = std::string(a->content_type);
    r.body = std::string(a->body);
    add_page_headers(r);
    return r;
}

std::string loopback_if_any(const std::string& host) {
    if (host.empty() || host == "0.0.0.0") {
        return "127.0.0.1";
    }
    if (host == "::") {
        return "::1";
    }
    return host;
}

}  // namespace

struct ConsoleService::Session {
    explicit Session(admin::AdminClientConfig config) : client(std::move(config)) {}

    std::mutex mu;  // one request at a time on `client` (AdminClient is single-threaded)
    admin::AdminClient client;
    Clock::time_point verified_at{};  // when the broker last accepted the credential
    Clock::time_point viewed_at{};
    std::shared_ptr<const ClusterView> view;
};

ConsoleConfig console_config(const server::KafkaConfig& config, int32_t broker_id,
                             std::shared_ptr<const net::ChannelSecurity> inter_broker_tls) {
    ConsoleConfig out;
    const auto& listeners = config.listeners;
    auto it = std::find_if(listeners.begin(), listeners.end(), [&](const auto& l) {
        return l.listener_name == config.inter_broker_listener_name;
    });
    if (it == listeners.end()) {
        it = listeners.begin();
    }
    if (it == listeners.end()) {
        return out;
    }
    out.host = loopback_if_any(it->host);
    out.port = it->port;
    out.security_protocol = std::string(auth::to_string(it->security_protocol));
    if (auth::uses_sasl(it->security_protocol)) {
        const auto m = config.sasl_listener_mechanisms.find(it->listener_name);
        out.sasl_mechanism = choose_sasl_mechanism(m != config.sasl_listener_mechanisms.end()
                                                       ? m->second
                                                       : config.sasl_enabled_mechanisms);
    }
    if (auth::uses_tls(it->security_protocol)) {
        out.transport = std::move(inter_broker_tls);
    }
    out.broker_id = broker_id;
    out.up_since_ms = now_ms();
    return out;
}

std::map<int32_t, int64_t> registration_times(zk::KafkaZkClient& zk) {
    std::map<int32_t, int64_t> out;
    if (auto brokers = zk.get_all_brokers()) {
        for (const auto& b : brokers.value()) {
            if (b.timestamp_ms > 0) {
                out[b.id.value()] = b.timestamp_ms;
            }
        }
    }
    return out;
}

std::map<int32_t, std::vector<std::string>> endpoints_of(const replica::MetadataSnapshot& md) {
    std::map<int32_t, std::vector<std::string>> out;
    for (const auto& [id, broker] : md.brokers) {
        auto& list = out[id];
        for (const auto& e : broker.endpoints) {
            const bool v6 = e.host.find(':') != std::string::npos;
            list.push_back(e.listener + "://" + (v6 ? "[" + e.host + "]" : e.host) + ":" +
                           std::to_string(e.port));
        }
    }
    return out;
}

ConsoleService::ConsoleService(ConsoleConfig config) : config_(std::move(config)) {}

ConsoleService::~ConsoleService() = default;

bool ConsoleService::secured() const {
    return auth::uses_sasl(auth::parse_security_protocol(config_.security_protocol)
                               .value_or(auth::SecurityProtocol::plaintext));
}

void ConsoleService::install(metrics::MetricsHttpServer& http) {
    http.add_route("/", [this](const HttpRequest& r) { return serve_page(r); });
    http.add_route("/api/", [this](const HttpRequest& r) { return serve_api(r); });
}

HttpResponse ConsoleService::serve_page(const HttpRequest& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        return text(405, "405 Method Not Allowed\n");
    }
    std::string name;
    if (request.path == "/" || request.path == "/console" || request.path == "/console/") {
        name = "console.html";
    } else if (request.path.starts_with("/console/")) {
        name = request.path.substr(std::string_view("/console/").size());
    } else {
        return text(404, "404 Not Found\n");
    }
    if (secured()) {
        HttpResponse refusal;
        if (!session_for(request, refusal)) {
            return refusal;
        }
    }
    return asset(name);
}

HttpResponse ConsoleService::serve_api(const HttpRequest& request) {
    if (request.method != "GET") {
        return text(405, "405 Method Not Allowed\n");
    }
    std::string (*render)(const ClusterView&) = nullptr;
    if (request.path == "/api/state") {
        render = &state_json;
    } else if (request.path == "/api/cluster") {
        render = &cluster_json;
    } else if (request.path == "/api/topics") {
        render = &topics_json;
    } else if (request.path == "/api/groups") {
        render = &groups_json;
    } else {
        return text(404, "404 Not Found\n");
    }
    HttpResponse refusal;
    auto session = session_for(request, refusal);
    if (!session) {
        return refusal;
    }
    auto view = view_of(*session);
    if (!view) {
        if (view.error() == std::errc::permission_denied) {
            return unauthorized();
        }
        return text(503, "503 Service Unavailable: the broker did not answer: " +
                             view.error().message() + "\n");
    }
    HttpResponse r;
    r.content_type = "application/json";
    r.body = render(*view.value());
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

std::shared_ptr<ConsoleService::Session> ConsoleService::new_session(const std::string& username,
                                                                     const std::string& password) {
    admin::AdminClientConfig ac;
    ac.bootstrap_servers = {admin::HostPort{config_.host, config_.port}};
    ac.client_id = "samsa-console";
    // A dead broker must not hold the page for Kafka's 30 s.
    ac.request_timeout = std::chrono::milliseconds(5000);
    ac.security.security_protocol = config_.security_protocol;
    ac.security.sasl_mechanism = config_.sasl_mechanism;
    ac.security.username = username;
    ac.security.password = password;
    ac.security.transport = config_.transport;
    return std::make_shared<Session>(std::move(ac));
}

std::shared_ptr<ConsoleService::Session> ConsoleService::session_for(const HttpRequest& request,
                                                                     HttpResponse& refusal) {
    std::string key;  // the unsecured console's one session
    std::optional<BasicCredential> credential;
    if (secured()) {
        credential = parse_basic_authorization(request.authorization);
        if (!credential) {
            refusal = unauthorized();
            return nullptr;
        }
        key = credential_key(*credential);
    }
    std::shared_ptr<Session> session;
    {
        std::lock_guard lock(mu_);
        const auto it = sessions_.find(key);
        if (it != sessions_.end()) {
            if (!secured() || Clock::now() - it->second->verified_at < kSessionTtl) {
                return it->second;
            }
            sessions_.erase(it);  // verify the credential again, on a new connection
        }
    }
    session =
        credential ? new_session(credential->username, credential->password) : new_session("", "");
    if (secured()) {
        // The broker judges the credential: the first request authenticates with it.
        auto view = view_of(*session);
        if (!view) {
            refusal = view.error() == std::errc::permission_denied
                          ? unauthorized()
                          : text(503, "503 Service Unavailable: the broker did not answer: " +
                                          view.error().message() + "\n");
            return nullptr;
        }
        session->verified_at = Clock::now();
    }
    std::lock_guard lock(mu_);
    if (sessions_.size() >= kMaxSessions) {
        // Forget the least recently verified one.
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
            return a.second->verified_at < b.second->verified_at;
        });
        sessions_.erase(oldest);
    }
    return sessions_.emplace(key, session).first->second;
}

result<std::shared_ptr<const ClusterView>> ConsoleService::view_of(Session& session) {
    std::lock_guard lock(session.mu);
    if (session.view && Clock::now() - session.viewed_at < kViewTtl) {
        return session.view;
    }
    LocalKnowledge local;
    local.broker_id = config_.broker_id;
    local.up_since_ms = config_.up_since_ms;
    if (config_.endpoints) {
        local.endpoints = config_.endpoints();
    }
    if (config_.registered_since) {
        local.registered_since = config_.registered_since();
    }
    SAMSA_TRY(auto view, collect_cluster(session.client, local, now_ms()));
    session.view = std::make_shared<const ClusterView>(std::move(view));
    session.viewed_at = Clock::now();
    return session.view;
}

}  // namespace samsa::console
