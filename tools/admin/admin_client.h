#pragma once
// AdminClient: the small Kafka client the samsa-admin subcommands share, as Kafka's tools use
// its AdminClient: bootstrap servers from --bootstrap-server, client settings from
// --command-config, one request at a time over a BlockingChannel.
//
// Connections run TLS and SASL as the command config says (admin_connection.h).
//
// Not thread-safe: one owner thread, as BlockingChannel.

#include "broker/net/blocking_channel.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "common/result.h"
#include "tools/admin/admin_connection.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace samsa::admin {

struct HostPort {
    std::string host;
    uint16_t port = 0;
};

struct AdminClientConfig {
    std::vector<HostPort> bootstrap_servers;
    std::string client_id = "samsa-admin";
    std::chrono::milliseconds request_timeout{30000};  // request.timeout.ms
    tools::ClientSecurity security;                    // security.protocol, ssl.*, sasl.*
};

// "h1:9092,h2:9093" (IPv6 in brackets) into host/port pairs; an error message if malformed.
result<std::vector<HostPort>> parse_bootstrap_servers(const std::string& list);

// Reads --command-config: the client settings of a properties file. Sets `config` from the
// keys it knows (client.id, request.timeout.ms, the security settings); fails, printing why to
// stderr, on a file it cannot read or settings it cannot use.
bool apply_command_config(const std::string& path, AdminClientConfig& config);

class AdminClient {
  public:
    explicit AdminClient(AdminClientConfig config);

    // Sends `request` to the first bootstrap server that answers (then keeps using it).
    template <typename Response, typename Request>
    result<Response> send(const Request& request, int16_t version) {
        std::error_code last = std::make_error_code(std::errc::host_unreachable);
        for (std::size_t tries = 0; tries < config_.bootstrap_servers.size(); ++tries) {
            auto& channel = current_channel();
            auto response = channel.template send<Response>(request, version);
            if (response) {
                return response;
            }
            last = response.error();
            next_server();
        }
        return last;
    }

    // Sends `request` to the active controller (found through Metadata v1), as tools do for
    // the requests only the controller serves.
    template <typename Response, typename Request>
    result<Response> send_to_controller(const Request& request, int16_t version) {
        SAMSA_TRY(auto controller, controller_channel());
        return controller->template send<Response>(request, version);
    }

    // Sends `request` to one broker (a group's coordinator, a partition's leader); the
    // connection is kept for the next request to that broker.
    template <typename Response, typename Request>
    result<Response> send_to_node(int32_t node_id, const std::string& host, int32_t port,
                                  const Request& request, int16_t version) {
        return node_channel(node_id, host, port).template send<Response>(request, version);
    }

    // Sends `request` to one broker without reading an answer (Produce with acks=0).
    template <typename Request>
    result<void> send_oneway(int32_t node_id, const std::string& host, int32_t port,
                             const Request& request, int16_t version) {
        return node_channel(node_id, host, port).send_oneway(request, version);
    }

    const std::string& connected_to() const { return connected_to_; }

  private:
    net::BlockingChannel& current_channel();
    void next_server();
    result<net::BlockingChannel*> controller_channel();
    net::BlockingChannel& node_channel(int32_t node_id, const std::string& host, int32_t port);

    AdminClientConfig config_;
    std::size_t server_ = 0;
    std::unique_ptr<net::BlockingChannel> channel_;
    std::unique_ptr<net::BlockingChannel> controller_;
    std::map<int32_t, std::unique_ptr<net::BlockingChannel>> nodes_;
    std::string connected_to_;
};

}  // namespace samsa::admin
