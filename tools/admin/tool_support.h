#pragma once
// What the Kafka-style subcommands (topics, consumer-groups, leader-election,
// reassign-partitions) share: the admin client they build from --bootstrap-server and
// --command-config, the way a failed request becomes a message, the cluster's topics as
// Metadata shows them, and Kafka's IncludeList (a --topic that is a regular expression).
//
// A command that cannot go on throws ToolError; its run function catches it at the process
// boundary and prints the message the way its Kafka counterpart does.

#include "tools/admin/admin_client.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::admin {

struct ToolError {
    std::string message;
};

// The admin client for --bootstrap-server and --command-config (security, client.id,
// request.timeout.ms). Throws ToolError on a malformed server list or unusable config file.
AdminClient make_admin_client(const std::string& bootstrap_server,
                              const std::string& command_config);

// The message of the exception a Kafka client raises for `code`: the broker's own message when
// it sent one, otherwise the error's standard text.
std::string error_message(int16_t code, const std::optional<std::string>& broker_message);

// Unwraps a response, or throws ToolError naming the broker that could not be reached.
template <typename Response>
Response expect(result<Response> response, const AdminClient& client) {
    if (!response) {
        throw ToolError{"cannot reach " + client.connected_to() + ": " +
                        response.error().message()};
    }
    return std::move(response).value();
}

struct PartitionInfo {
    int32_t partition = 0;
    int32_t leader = -1;  // -1: none
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
};

struct TopicInfo {
    std::string name;
    bool internal = false;
    int16_t error_code = 0;
    std::vector<PartitionInfo> partitions;  // sorted by partition
};

struct BrokerNode {
    int32_t id = -1;
    std::string host;
    int32_t port = 0;
};

struct ClusterMetadata {
    std::vector<BrokerNode> brokers;  // the live brokers
    int32_t controller_id = -1;
    std::map<std::string, TopicInfo> topics;
};

// Metadata for `topics` (nullopt: every topic). Throws ToolError if no broker answers.
ClusterMetadata fetch_metadata(AdminClient& client,
                               const std::optional<std::vector<std::string>>& topics);

// Kafka's __consumer_offsets and __transaction_state (Topic.isInternal).
bool is_internal_topic(const std::string& name);

// Kafka's IncludeList: `--topic` is a regular expression matched against the whole name, where
// ',' means '|' and spaces and surrounding quotes are dropped. Throws ToolError if invalid.
class IncludeList {
  public:
    explicit IncludeList(const std::string& raw);
    bool matches(const std::string& topic) const;

  private:
    std::string regex_;
};

// The sorted topic names that `include` (if any) allows, internal ones left out when asked
// (TopicCommand.getTopics).
std::vector<std::string> select_topics(const std::vector<std::string>& all,
                                       const std::optional<std::string>& include,
                                       bool exclude_internal);

// "1,2,3" for a list of broker ids.
std::string join_ids(const std::vector<int32_t>& ids, const char* separator = ",");

}  // namespace samsa::admin
