#include "broker/controller/controller_channel_manager.h"

#include "broker/net/blocking_channel.h"
#include "common/logging.h"

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

constexpr auto kRetryBackoff = std::chrono::milliseconds(100);

}  // namespace

// One broker's queue and the thread that drains it (Kafka's RequestSendThread).
class ControllerChannelManager::SendThread {
  public:
    SendThread(int32_t controller_id, int32_t broker, BrokerEndpoint endpoint,
               std::chrono::milliseconds timeout,
               std::shared_ptr<const net::ChannelSecurity> security)
        : broker_(broker),
          channel_(endpoint.host, endpoint.port,
                   "controller-" + std::to_string(controller_id) + "-to-broker-" +
                       std::to_string(broker),
                   timeout, std::move(security)),
          thread_([this] { run(); }) {}

    ~SendThread() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

    void enqueue(ControlRequest request, ResponseCallback callback) {
        {
            std::lock_guard lock(mu_);
            queue_.emplace_back(std::move(request), std::move(callback));
        }
        cv_.notify_all();
    }

  private:
    void run() {
        for (;;) {
            std::pair<ControlRequest, ResponseCallback> item;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (stopping_) {
                    return;
                }
                item = std::move(queue_.front());
                queue_.pop_front();
            }
            auto response = send_until_done(item.first);
            if (response && item.second) {
                item.second(broker_, *response);
            }
        }
    }

    // Retries until the broker answers or this thread is stopped.
    std::optional<ControlResponse> send_until_done(const ControlRequest& request) {
        for (;;) {
            auto response = send_once(request);
            if (response) {
                return std::move(response).value();
            }
            logger().warn("controller request to broker {} ({}:{}) failed: {}; retrying", broker_,
                          channel_.host(), channel_.port(), response.error().message());
            std::unique_lock lock(mu_);
            if (cv_.wait_for(lock, kRetryBackoff, [&] { return stopping_; })) {
                return std::nullopt;
            }
        }
    }

    result<ControlResponse> send_once(const ControlRequest& request) {
        return std::visit(
            [&](const auto& r) -> result<ControlResponse> {
                using T = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<T, protocol::LeaderAndIsrRequestData>) {
                    SAMSA_TRY(auto resp, channel_.send<protocol::LeaderAndIsrResponseData>(
                                             r, kLeaderAndIsrVersion));
                    return ControlResponse(std::move(resp));
                } else if constexpr (std::is_same_v<T, protocol::UpdateMetadataRequestData>) {
                    SAMSA_TRY(auto resp, channel_.send<protocol::UpdateMetadataResponseData>(
                                             r, kUpdateMetadataVersion));
                    return ControlResponse(std::move(resp));
                } else {
                    SAMSA_TRY(auto resp, channel_.send<protocol::StopReplicaResponseData>(
                                             r, kStopReplicaVersion));
                    return ControlResponse(std::move(resp));
                }
            },
            request);
    }

    const int32_t broker_;
    net::BlockingChannel channel_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<ControlRequest, ResponseCallback>> queue_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts after everything above is built
};

ControllerChannelManager::ControllerChannelManager(
    int32_t controller_id, std::chrono::milliseconds socket_timeout,
    std::shared_ptr<const net::ChannelSecurity> security)
    : controller_id_(controller_id),
      socket_timeout_(socket_timeout),
      security_(std::move(security)) {}

ControllerChannelManager::~ControllerChannelManager() {
    shutdown();
}

void ControllerChannelManager::add_broker(int32_t broker, BrokerEndpoint endpoint) {
    std::lock_guard lock(mu_);
    if (brokers_.contains(broker)) {
        return;
    }
    logger().info("controller channel to broker {} at {}:{}", broker, endpoint.host, endpoint.port);
    brokers_[broker] = std::make_unique<SendThread>(controller_id_, broker, std::move(endpoint),
                                                    socket_timeout_, security_);
}

void ControllerChannelManager::remove_broker(int32_t broker) {
    std::unique_ptr<SendThread> gone;
    {
        std::lock_guard lock(mu_);
        auto it = brokers_.find(broker);
        if (it == brokers_.end()) {
            return;
        }
        gone = std::move(it->second);
        brokers_.erase(it);
    }
    // Joined outside the lock: the thread may be inside a send with a socket timeout.
}

void ControllerChannelManager::send(int32_t broker, ControlRequest request,
                                    ResponseCallback on_response) {
    std::lock_guard lock(mu_);
    auto it = brokers_.find(broker);
    if (it == brokers_.end()) {
        logger().debug("dropping controller request to broker {}: not live", broker);
        return;
    }
    it->second->enqueue(std::move(request), std::move(on_response));
}

void ControllerChannelManager::shutdown() {
    std::map<int32_t, std::unique_ptr<SendThread>> all;
    {
        std::lock_guard lock(mu_);
        all.swap(brokers_);
    }
}

}  // namespace samsa::controller
