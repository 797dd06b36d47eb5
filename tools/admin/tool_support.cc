#include "tools/admin/tool_support.h"

#include "broker/protocol/error_code.h"

#include <algorithm>
#include <regex>

namespace samsa::admin {

namespace {

using protocol::ErrorCode;

// The standard texts of the Kafka exceptions the tools meet most (Errors.java), for replies
// that carry no message of their own.
std::string standard_message(ErrorCode code) {
    switch (code) {
        case ErrorCode::unknown_topic_or_partition:
            return "This server does not host this topic-partition.";
        case ErrorCode::topic_already_exists:
            return "Topic with this name already exists.";
        case ErrorCode::invalid_partitions:
            return "Number of partitions is below 1.";
        case ErrorCode::invalid_replication_factor:
            return "Replication factor is below 1 or larger than the number of available "
                   "brokers.";
        case ErrorCode::invalid_replica_assignment:
            return "Replica assignment is invalid.";
        case ErrorCode::invalid_topic_exception:
            return "The request attempted to perform an operation on an invalid topic.";
        case ErrorCode::not_controller:
            return "This is not the correct controller for this cluster.";
        case ErrorCode::group_id_not_found:
            return "The group id does not exist.";
        case ErrorCode::non_empty_group:
            return "The group is not empty.";
        case ErrorCode::invalid_group_id:
            return "The configured groupId is invalid.";
        case ErrorCode::coordinator_not_available:
            return "The coordinator is not available.";
        case ErrorCode::not_coordinator:
            return "This is not the correct coordinator.";
        case ErrorCode::group_subscribed_to_topic:
            return "The consumer group is actively subscribed to the topic";
        case ErrorCode::topic_authorization_failed:
            return "Topic authorization failed.";
        case ErrorCode::group_authorization_failed:
            return "Group authorization failed.";
        case ErrorCode::cluster_authorization_failed:
            return "Cluster authorization failed.";
        case ErrorCode::election_not_needed:
            return "Leader election not needed for topic partition.";
        case ErrorCode::preferred_leader_not_available:
            return "The preferred leader was not available.";
        case ErrorCode::eligible_leaders_not_available:
            return "Eligible topic partition leaders are not available.";
        case ErrorCode::no_reassignment_in_progress:
            return "No partition reassignment is in progress.";
        case ErrorCode::request_timed_out:
            return "The request timed out.";
        default:
            return std::string(protocol::error_name(code));
    }
}

std::string trim_quotes(std::string s) {
    const auto first = s.find_first_not_of("\"'");
    if (first == std::string::npos) {
        return "";
    }
    const auto last = s.find_last_not_of("\"'");
    return s.substr(first, last - first + 1);
}

}  // namespace

AdminClient make_admin_client(const std::string& bootstrap_server,
                              const std::string& command_config) {
    auto servers = parse_bootstrap_servers(bootstrap_server);
    if (!servers) {
        throw ToolError{"Invalid url in bootstrap.servers: " + bootstrap_server};
    }
    AdminClientConfig config;
    config.bootstrap_servers = std::move(servers).value();
    if (!command_config.empty() && !apply_command_config(command_config, config)) {
        throw ToolError{"Invalid --command-config " + command_config};
    }
    return AdminClient(std::move(config));
}

std::string error_message(int16_t code, const std::optional<std::string>& broker_message) {
    if (broker_message && !broker_message->empty()) {
        return *broker_message;
    }
    return standard_message(static_cast<ErrorCode>(code));
}

ClusterMetadata fetch_metadata(AdminClient& client,
                               const std::optional<std::vector<std::string>>& topics) {
    protocol::MetadataRequestData request;
    if (topics) {
        request.topics = std::vector<protocol::MetadataRequestData::MetadataRequestTopic>{};
        for (const auto& t : *topics) {
            protocol::MetadataRequestData::MetadataRequestTopic rt;
            rt.name = t;
            request.topics->push_back(std::move(rt));
        }
    } else {
        request.topics = std::nullopt;
    }
    request.allow_auto_topic_creation = false;
    // v5: IsInternal and OfflineReplicas, within what the broker serves (0-6).
    auto response = expect(client.send<protocol::MetadataResponseData>(request, 5), client);
    ClusterMetadata out;
    out.controller_id = response.controller_id;
    for (const auto& b : response.brokers) {
        out.brokers.push_back(BrokerNode{b.node_id, b.host, b.port});
    }
    std::sort(out.brokers.begin(), out.brokers.end(),
              [](const BrokerNode& a, const BrokerNode& b) { return a.id < b.id; });
    for (const auto& t : response.topics) {
        TopicInfo info;
        info.name = t.name;
        info.internal = t.is_internal;
        info.error_code = t.error_code;
        for (const auto& p : t.partitions) {
            info.partitions.push_back(
                PartitionInfo{p.partition_index, p.leader_id, p.replica_nodes, p.isr_nodes});
        }
        std::sort(info.partitions.begin(), info.partitions.end(),
                  [](const PartitionInfo& a, const PartitionInfo& b) {
                      return a.partition < b.partition;
                  });
        out.topics[info.name] = std::move(info);
    }
    return out;
}

bool is_internal_topic(const std::string& name) {
    return name == "__consumer_offsets" || name == "__transaction_state";
}

IncludeList::IncludeList(const std::string& raw) {
    std::string r;
    for (char c : raw) {
        if (c == ',') {
            r += '|';
        } else if (c != ' ') {
            r += c;
        }
    }
    regex_ = trim_quotes(r);
    try {
        std::regex check(regex_);
    } catch (const std::regex_error&) {
        throw ToolError{raw + " is an invalid regex."};
    }
}

bool IncludeList::matches(const std::string& topic) const {
    return std::regex_match(topic, std::regex(regex_));
}

std::vector<std::string> select_topics(const std::vector<std::string>& all,
                                       const std::optional<std::string>& include,
                                       bool exclude_internal) {
    std::optional<IncludeList> filter;
    if (include) {
        filter.emplace(*include);
    }
    std::vector<std::string> out;
    for (const auto& t : all) {
        if (exclude_internal && is_internal_topic(t)) {
            continue;
        }
        if (!filter || filter->matches(t)) {
            out.push_back(t);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string join_ids(const std::vector<int32_t>& ids, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        out += (i == 0 ? "" : separator) + std::to_string(ids[i]);
    }
    return out;
}

}  // namespace samsa::admin
