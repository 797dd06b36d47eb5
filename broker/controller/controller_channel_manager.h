#pragma once
// ControllerChannelManager: how the controller talks to brokers (Kafka's
// ControllerChannelManager). One send thread and queue per live broker; each request is sent
// on that broker's inter-broker listener and retried until it succeeds or the broker is
// removed, so requests to one broker arrive in the order they were queued.
//
// Thread-safe. Response callbacks run on the send thread: they should only enqueue a
// controller event.

#include "broker/net/channel_security.h"
#include "broker/protocol/generated/leader_and_isr_request.h"
#include "broker/protocol/generated/leader_and_isr_response.h"
#include "broker/protocol/generated/stop_replica_request.h"
#include "broker/protocol/generated/stop_replica_response.h"
#include "broker/protocol/generated/update_metadata_request.h"
#include "broker/protocol/generated/update_metadata_response.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

namespace samsa::controller {

// Versions of IBP 2.8 (ZK-MODE.md §b "Control requests").
inline constexpr int16_t kLeaderAndIsrVersion = 5;
inline constexpr int16_t kUpdateMetadataVersion = 7;
inline constexpr int16_t kStopReplicaVersion = 3;

using ControlRequest =
    std::variant<protocol::LeaderAndIsrRequestData, protocol::UpdateMetadataRequestData,
                 protocol::StopReplicaRequestData>;
using ControlResponse =
    std::variant<protocol::LeaderAndIsrResponseData, protocol::UpdateMetadataResponseData,
                 protocol::StopReplicaResponseData>;
using ResponseCallback = std::function<void(int32_t broker, const ControlResponse&)>;

struct BrokerEndpoint {
    std::string host;
    uint16_t port = 0;
};

class ControllerChannelManager {
  public:
    ControllerChannelManager(int32_t controller_id, std::chrono::milliseconds socket_timeout,
                             std::shared_ptr<const net::ChannelSecurity> security = nullptr);
    ~ControllerChannelManager();
    ControllerChannelManager(const ControllerChannelManager&) = delete;
    ControllerChannelManager& operator=(const ControllerChannelManager&) = delete;

    void add_broker(int32_t broker, BrokerEndpoint endpoint);
    // Stops the broker's send thread; queued requests are dropped.
    void remove_broker(int32_t broker);
    // Queues a request; a no-op for a broker that is not added.
    void send(int32_t broker, ControlRequest request, ResponseCallback on_response = {});
    void shutdown();

  private:
    class SendThread;

    const int32_t controller_id_;
    const std::chrono::milliseconds socket_timeout_;
    const std::shared_ptr<const net::ChannelSecurity> security_;
    std::mutex mu_;
    std::map<int32_t, std::unique_ptr<SendThread>> brokers_;
};

}  // namespace samsa::controller
