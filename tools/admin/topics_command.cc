// `samsa-admin topics`: Kafka 2.8's kafka-topics.sh with --bootstrap-server (TopicCommand's
// TopicService): CreateTopics, Metadata, DescribeConfigs, CreatePartitions, DeleteTopics and
// ListPartitionReassignments, with its output and its "Error while executing topic command"
// failures.

#include "broker/protocol/generated/create_partitions_request.h"
#include "broker/protocol/generated/create_partitions_response.h"
#include "broker/protocol/generated/create_topics_request.h"
#include "broker/protocol/generated/create_topics_response.h"
#include "broker/protocol/generated/delete_topics_request.h"
#include "broker/protocol/generated/delete_topics_response.h"
#include "broker/protocol/generated/describe_configs_request.h"
#include "broker/protocol/generated/describe_configs_response.h"
#include "broker/protocol/generated/list_partition_reassignments_request.h"
#include "broker/protocol/generated/list_partition_reassignments_response.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/tool_support.h"
#include "tools/admin/topics_describe.h"
#include "tools/admin/topics_options.h"

#include <iostream>

namespace samsa::admin {

namespace {

constexpr int16_t kCreateTopicsVersion = 4;  // -1 partitions / replication factor: defaults
constexpr int16_t kDeleteTopicsVersion = 3;
constexpr int16_t kCreatePartitionsVersion = 1;
constexpr int32_t kTimeoutMs = 30000;
constexpr int16_t kTopicAlreadyExists = 36;

constexpr int16_t kDescribeConfigsVersion = 1;  // v1 has config_source (isDefault after v0)
constexpr int8_t kTopicResource = 2;
constexpr int8_t kDefaultConfigSource = 5;

// What --describe needs of a topic's configs, from one DescribeConfigs.
struct TopicConfigs {
    // The Configs column and --topics-with-overrides: every entry that is not
    // ConfigEntry.isDefault in Kafka's admin client, i.e. whose source is not DEFAULT_CONFIG (so
    // a value the brokers set, as log.segment.bytes in server.properties, shows as Kafka shows
    // it). Left out (nullopt) when the broker does not answer them.
    TopicOverrides overrides;
    // min.insync.replicas, for --under-min-isr-partitions and --at-min-isr-partitions.
    std::optional<int> min_isr;
};

TopicConfigs describe_topic_configs(AdminClient& client, const std::string& topic) {
    protocol::DescribeConfigsRequestData request;
    protocol::DescribeConfigsRequestData::DescribeConfigsResource resource;
    resource.resource_type = kTopicResource;
    resource.resource_name = topic;
    resource.configuration_keys = std::nullopt;  // all of them
    request.resources.push_back(std::move(resource));
    auto response =
        client.send<protocol::DescribeConfigsResponseData>(request, kDescribeConfigsVersion);
    TopicConfigs configs;
    if (!response || response.value().results.empty() ||
        response.value().results.front().error_code != 0) {
        return configs;
    }
    configs.overrides.emplace();
    for (const auto& entry : response.value().results.front().configs) {
        if (entry.name == "min.insync.replicas" && entry.value) {
            configs.min_isr = std::stoi(*entry.value);
        }
        if (entry.config_source != kDefaultConfigSource) {
            configs.overrides->emplace_back(entry.name, entry.value.value_or(""));
        }
    }
    return configs;
}

std::vector<std::string> all_topic_names(AdminClient& client) {
    std::vector<std::string> names;
    for (const auto& [name, info] : fetch_metadata(client, std::nullopt).topics) {
        names.push_back(name);
    }
    return names;
}

// TopicCommand.getTopics, then ensureTopicExists.
std::vector<std::string> matching_topics(AdminClient& client, const TopicsOptions& o) {
    auto topics = select_topics(all_topic_names(client), o.topic, o.exclude_internal);
    if (o.topic && !o.if_exists && topics.empty()) {
        throw ToolError{"Topic '" + *o.topic + "' does not exist as expected"};
    }
    return topics;
}

void create_topic(AdminClient& client, const TopicsOptions& o) {
    const std::string& name = *o.topic;
    if (name.find('.') != std::string::npos || name.find('_') != std::string::npos) {
        std::cout << "WARNING: Due to limitations in metric names, topics with a period ('.') or "
                     "underscore ('_') could collide. To avoid issues it is best to use either, "
                     "but not both.\n";
    }
    if (o.replication_factor && (*o.replication_factor > 32767 || *o.replication_factor < 1)) {
        throw ToolError{"The replication factor must be between 1 and 32767 inclusive"};
    }
    if (o.partitions && *o.partitions < 1) {
        throw ToolError{"The partitions must be greater than 0"};
    }
    protocol::CreateTopicsRequestData request;
    protocol::CreateTopicsRequestData::CreatableTopic t;
    t.name = name;
    t.num_partitions = o.replica_assignment ? -1 : o.partitions.value_or(-1);
    t.replication_factor = o.replica_assignment
                               ? int16_t{-1}
                               : static_cast<int16_t>(o.replication_factor.value_or(-1));
    if (o.replica_assignment) {
        for (const auto& [partition, brokers] : *o.replica_assignment) {
            protocol::CreateTopicsRequestData::CreatableReplicaAssignment a;
            a.partition_index = partition;
            a.broker_ids = brokers;
            t.assignments.push_back(std::move(a));
        }
    }
    for (const auto& [key, value] : o.configs) {
        protocol::CreateTopicsRequestData::CreateableTopicConfig c;
        c.name = key;
        c.value = value;
        t.configs.push_back(std::move(c));
    }
    request.topics.push_back(std::move(t));
    request.timeout_ms = kTimeoutMs;
    auto response = expect(client.send_to_controller<protocol::CreateTopicsResponseData>(
                               request, kCreateTopicsVersion),
                           client);
    for (const auto& r : response.topics) {
        if (r.error_code == kTopicAlreadyExists && o.if_not_exists) {
            return;
        }
        if (r.error_code != 0) {
            throw ToolError{error_message(r.error_code, r.error_message)};
        }
    }
    std::cout << "Created topic " << name << ".\n";
}

void list_topics(AdminClient& client, const TopicsOptions& o) {
    const auto topics = select_topics(all_topic_names(client), o.topic, o.exclude_internal);
    std::string out;
    for (const auto& t : topics) {
        out += (out.empty() ? "" : "\n") + t;
    }
    std::cout << out << "\n";
}

// Ongoing reassignments of `topics`' partitions; none if the broker will not say
// (TopicCommand.listAllReassignments ignores UnsupportedVersion and ClusterAuthorization).
std::map<std::string, std::map<int32_t, PartitionReassignment>> list_reassignments(
    AdminClient& client, const ClusterMetadata& metadata) {
    protocol::ListPartitionReassignmentsRequestData request;
    request.topics = std::vector<
        protocol::ListPartitionReassignmentsRequestData::ListPartitionReassignmentsTopics>{};
    for (const auto& [name, info] : metadata.topics) {
        protocol::ListPartitionReassignmentsRequestData::ListPartitionReassignmentsTopics t;
        t.name = name;
        for (const auto& p : info.partitions) {
            t.partition_indexes.push_back(p.partition);
        }
        request.topics->push_back(std::move(t));
    }
    std::map<std::string, std::map<int32_t, PartitionReassignment>> out;
    auto response =
        client.send_to_controller<protocol::ListPartitionReassignmentsResponseData>(request, 0);
    if (!response || response.value().error_code != 0) {
        return out;
    }
    for (const auto& t : response.value().topics) {
        for (const auto& p : t.partitions) {
            out[t.name][p.partition_index] =
                PartitionReassignment{p.replicas, p.adding_replicas, p.removing_replicas};
        }
    }
    return out;
}

void describe_topics(AdminClient& client, const TopicsOptions& o) {
    const auto names = matching_topics(client, o);
    if (names.empty()) {
        return;
    }
    const ClusterMetadata metadata = fetch_metadata(client, names);
    std::set<int32_t> live;
    for (const auto& b : metadata.brokers) {
        live.insert(b.id);
    }
    const auto reassignments = list_reassignments(client, metadata);
    DescribeFilter filter;
    filter.under_replicated = o.under_replicated;
    filter.unavailable = o.unavailable;
    filter.under_min_isr = o.under_min_isr;
    filter.at_min_isr = o.at_min_isr;
    filter.topics_with_overrides = o.topics_with_overrides;
    static const std::map<int32_t, PartitionReassignment> kNone;
    for (const auto& [name, topic] : metadata.topics) {
        // A topic still electing its leaders (LEADER_NOT_AVAILABLE) is described as it is.
        if (topic.error_code != 0 && topic.partitions.empty()) {
            throw ToolError{error_message(topic.error_code, std::nullopt)};
        }
        const auto it = reassignments.find(name);
        const TopicConfigs configs = describe_topic_configs(client, name);
        std::cout << describe_topic(topic, configs.overrides,
                                    it == reassignments.end() ? kNone : it->second, live,
                                    configs.min_isr, filter);
    }
}

void alter_topic(AdminClient& client, const TopicsOptions& o) {
    const auto names = matching_topics(client, o);
    if (names.empty()) {
        return;
    }
    const ClusterMetadata metadata = fetch_metadata(client, names);
    protocol::CreatePartitionsRequestData request;
    request.timeout_ms = kTimeoutMs;
    for (const auto& name : names) {
        protocol::CreatePartitionsRequestData::CreatePartitionsTopic t;
        t.name = name;
        t.count = *o.partitions;
        if (o.replica_assignment) {
            // The assignment lists every partition; only the new ones are sent.
            const auto existing = static_cast<int32_t>(metadata.topics.at(name).partitions.size());
            t.assignments =
                std::vector<protocol::CreatePartitionsRequestData::CreatePartitionsAssignment>{};
            for (const auto& [partition, brokers] : *o.replica_assignment) {
                if (partition >= existing) {
                    protocol::CreatePartitionsRequestData::CreatePartitionsAssignment a;
                    a.broker_ids = brokers;
                    t.assignments->push_back(std::move(a));
                }
            }
        } else {
            t.assignments = std::nullopt;
        }
        request.topics.push_back(std::move(t));
    }
    auto response = expect(client.send_to_controller<protocol::CreatePartitionsResponseData>(
                               request, kCreatePartitionsVersion),
                           client);
    for (const auto& r : response.results) {
        if (r.error_code != 0) {
            throw ToolError{error_message(r.error_code, r.error_message)};
        }
    }
}

void delete_topics(AdminClient& client, const TopicsOptions& o) {
    const auto names = matching_topics(client, o);
    if (names.empty()) {
        return;
    }
    protocol::DeleteTopicsRequestData request;
    request.topic_names = names;
    request.timeout_ms = kTimeoutMs;
    auto response = expect(client.send_to_controller<protocol::DeleteTopicsResponseData>(
                               request, kDeleteTopicsVersion),
                           client);
    for (const auto& r : response.responses) {
        if (r.error_code != 0) {
            throw ToolError{error_message(r.error_code, std::nullopt)};
        }
    }
}

}  // namespace

int run_topics(const tools::Args& args) {
    TopicsOptions opts;
    if (int rc = parse_topics_options(args, opts); rc >= 0) {
        return rc;
    }
    try {
        AdminClient client = make_admin_client(opts.bootstrap_server, opts.command_config);
        if (opts.create) {
            create_topic(client, opts);
        } else if (opts.alter) {
            alter_topic(client, opts);
        } else if (opts.list) {
            list_topics(client, opts);
        } else if (opts.describe) {
            describe_topics(client, opts);
        } else if (opts.remove) {
            delete_topics(client, opts);
        }
    } catch (const ToolError& e) {
        std::cout << "Error while executing topic command : " << e.message << "\n";
        return 1;
    }
    return 0;
}

}  // namespace samsa::admin
