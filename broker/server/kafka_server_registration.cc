// KafkaServer: its registration in ZooKeeper (/brokers/ids/<id>), including the wait for a
// previous session's registration of this same broker to expire. See kafka_server.h.

#include "broker/net/socket_server.h"
#include "broker/replica/replica_manager.h"
#include "broker/server/kafka_server.h"
#include "broker/server/kafka_server_components.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace samsa::server {

namespace {

auto& logger() {
    static auto l = get_logger("server");
    return *l;
}

// Start-up failures end the process (main reports them), as in the rest of KafkaServer.
[[noreturn]] void fail_registration(const std::string& message) {
    throw std::runtime_error(message);
}

std::string endpoints_text(const std::vector<zk::EndPoint>& endpoints) {
    std::string out;
    for (const auto& ep : endpoints) {
        out += (out.empty() ? "" : ",") + ep.connection_string();
    }
    return out;
}

std::string local_host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name;
}

}  // namespace

// What /brokers/ids/<id> says: the advertised listeners, with the bound port where the
// configured one was 0 and this machine's name where no host was given.
zk::BrokerInfo KafkaServer::broker_info() const {
    zk::BrokerInfo info;
    info.id = BrokerId{c_->broker_id};
    info.rack = config_.broker_rack;
    for (const auto& l : config_.advertised_listeners) {
        zk::EndPoint ep;
        ep.listener_name = l.listener_name;
        ep.host = l.host.empty() ? local_host_name() : l.host;
        ep.port = l.port != 0 ? l.port : c_->socket_server->bound_port(l.listener_name);
        ep.security_protocol = std::string(auth::to_string(l.security_protocol));
        info.endpoints.push_back(std::move(ep));
    }
    return info;
}

void KafkaServer::register_broker() {
    auto epoch = c_->zk->register_broker(c_->registration);
    if (!epoch && epoch.error() == zk::Errc::node_exists && await_own_stale_registration()) {
        epoch = c_->zk->register_broker(c_->registration);
    }
    if (!epoch) {
        if (epoch.error() == zk::Errc::node_exists) {
            fail_registration(
                "a broker is already registered with id " + std::to_string(c_->broker_id) +
                " at /brokers/ids/" + std::to_string(c_->broker_id) +
                " (another broker uses this broker.id, or this broker's previous session has "
                "not expired yet)");
        }
        fail_registration("cannot register in ZooKeeper: " + epoch.error().message());
    }
    c_->replicas->set_broker_epoch(epoch.value());
    c_->broker_epoch = epoch.value();
    for (const auto& ep : c_->registration.endpoints) {
        logger().info("registered broker {} at {} with epoch {}", c_->broker_id,
                      ep.connection_string(), epoch.value());
    }
}

// A process killed with -9 leaves its ZooKeeper session, and with it /brokers/ids/<id>,
// until ZooKeeper expires the session; Kafka then refuses to start ("node already exists").
// We wait for the expiry instead, but only for a registration that is provably this broker's
// own (is_own_registration); another broker with our id is refused at once. True once the
// node is gone (or belongs to yet another session, which registering again will report).
bool KafkaServer::await_own_stale_registration() {
    const BrokerId id{c_->broker_id};
    auto existing = c_->zk->get_broker_registration(id);
    if (!existing) {
        logger().warn("cannot read the registration of broker {}: {}", id,
                      existing.error().message());
        return false;
    }
    if (!existing.value()) {
        return true;  // it expired since we tried
    }
    const zk::BrokerRegistration& found = *existing.value();
    if (!is_own_registration(found.info)) {
        return false;
    }
    const int timeout_ms = stale_registration_timeout_ms();
    logger().warn(
        "found a registration for broker {} left by a previous session 0x{:x}; waiting up to {} "
        "ms for it to expire",
        id, found.owner_session, timeout_ms);
    const auto start = std::chrono::steady_clock::now();
    const bool gone = await_release(zk::BrokerIdZNode::path(id), found.owner_session,
                                    start + std::chrono::milliseconds(timeout_ms));
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (shutting_down_) {
        fail_registration(
            "shut down while waiting for the previous session's registration of broker " +
            std::to_string(c_->broker_id) + " to expire");
    }
    if (!gone) {
        logger().error(
            "the registration of broker {} by session 0x{:x} is still there after "
            "{} ms",
            id, found.owner_session, waited.count());
        return false;
    }
    logger().info("the previous session's registration of broker {} went away after {} ms", id,
                  waited.count());
    return true;
}

// Polls `path` until session `owner` no longer holds it (true), the deadline passes or
// shutdown begins (false). Polling, not a watch: a tenth of a second is nothing next to a
// session timeout, and start-up registers no watch handlers yet.
bool KafkaServer::await_release(const std::string& path, int64_t owner,
                                std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    awaiting_registration_ = true;
    bool gone = false;
    while (!gone && !shutting_down_ && std::chrono::steady_clock::now() < deadline) {
        lock.unlock();
        auto node = c_->zk_client->exists(path);
        gone = node && (!node.value() || node.value()->ephemeral_owner != owner);
        lock.lock();
        if (!gone) {
            cv_.wait_for(lock, std::chrono::milliseconds(100),
                         [&] { return shutting_down_.load(); });
        }
    }
    awaiting_registration_ = false;
    cv_.notify_all();
    return gone;
}

// Provably ours: it names exactly the endpoints we register, and the port of each is bound by
// this process right now (the listeners are bound before registering), so no other live
// broker can be serving them. Advertised ports that are not the bound ones (NAT, proxies) can
// prove nothing; such a broker is refused at once, as Kafka refuses every broker.
bool KafkaServer::is_own_registration(const zk::BrokerInfo& existing) const {
    const auto& ours = c_->registration.endpoints;
    const bool same_endpoints =
        existing.endpoints.size() == ours.size() &&
        std::is_permutation(ours.begin(), ours.end(), existing.endpoints.begin());
    const bool ports_bound_here = std::all_of(
        existing.endpoints.begin(), existing.endpoints.end(), [&](const zk::EndPoint& ep) {
            return std::any_of(config_.listeners.begin(), config_.listeners.end(),
                               [&](const auto& l) {
                                   return l.listener_name == ep.listener_name &&
                                          c_->socket_server->bound_port(l.listener_name) == ep.port;
                               });
        });
    if (!same_endpoints) {
        logger().info("the registration of broker {} is not this broker's: it names {}, ours {}",
                      existing.id, endpoints_text(existing.endpoints), endpoints_text(ours));
    } else if (!ports_bound_here) {
        logger().info(
            "the registration of broker {} names our endpoints {}, but this process "
            "has not bound their ports: it may be another broker's",
            existing.id, endpoints_text(ours));
    }
    return same_endpoints && ports_bound_here;
}

// How long a session may outlive its process: ZooKeeper expires sessions in tick-sized buckets
// after their timeout, and a negotiated timeout is at least two ticks, so half the timeout
// more covers the bucket; a second more covers the deletion of its ephemerals. Our previous
// process asked for the same timeout from the same servers.
int KafkaServer::stale_registration_timeout_ms() const {
    int timeout = c_->zk_client->negotiated_session_timeout_ms();
    if (timeout <= 0) {
        timeout = config_.zookeeper_session_timeout_ms;
    }
    return timeout + timeout / 2 + 1000;
}

}  // namespace samsa::server
