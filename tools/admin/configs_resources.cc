// samsa-admin configs for topics and brokers (--bootstrap-server), as Kafka 2.8's ConfigCommand
// does it with its AdminClient:
//   --describe  DescribeConfigs with synonyms; only the entity's own dynamic level is printed
//               (DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG or DYNAMIC_DEFAULT_BROKER_CONFIG)
//               unless --all. A broker's configs come from that broker itself.
//   --alter     topics: IncrementalAlterConfigs (SET each added config, DELETE each deleted one);
//               brokers: AlterConfigs with the level's whole new dynamic config (the old one,
//               plus the added, less the deleted), sent to that broker, or to any for the
//               cluster default.
// Deleting a config the entity does not have fails before anything is sent ("Invalid
// config(s): ...").

#include "broker/protocol/generated/alter_configs_request.h"
#include "broker/protocol/generated/alter_configs_response.h"
#include "broker/protocol/generated/describe_configs_request.h"
#include "broker/protocol/generated/describe_configs_response.h"
#include "broker/protocol/generated/incremental_alter_configs_request.h"
#include "broker/protocol/generated/incremental_alter_configs_response.h"
#include "tools/admin/configs_options.h"
#include "tools/admin/kafka_exceptions.h"
#include "tools/admin/tool_support.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace samsa::tools {

namespace {

using admin::AdminClient;
using admin::ToolError;

constexpr int8_t kTopicResource = 2;   // ConfigResource.Type.TOPIC
constexpr int8_t kBrokerResource = 4;  // ConfigResource.Type.BROKER
constexpr int8_t kDynamicTopic = 1;
constexpr int8_t kDynamicBroker = 2;
constexpr int8_t kDynamicDefaultBroker = 3;
constexpr int16_t kDescribeConfigsVersion = 1;  // the first with synonyms and ConfigSource
constexpr int16_t kAlterConfigsVersion = 1;
constexpr int16_t kIncrementalAlterConfigsVersion = 0;
constexpr int8_t kOpSet = 0;
constexpr int8_t kOpDelete = 1;

// The broker a request about `name` goes to: that broker for a per-broker resource, any
// (nullopt) for a topic or the cluster default, as Kafka's AdminClient routes them.
std::optional<admin::BrokerNode> target(AdminClient& client, int8_t type, const std::string& name) {
    if (type != kBrokerResource || name.empty()) {
        return std::nullopt;
    }
    for (const auto& b : admin::fetch_metadata(client, std::vector<std::string>{}).brokers) {
        if (std::to_string(b.id) == name) {
            return b;
        }
    }
    throw ToolError{
        "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors."
        "TimeoutException: broker " +
        name + " is not in the cluster (no live broker with that id)"};
}

template <typename Response, typename Request>
Response send(AdminClient& client, int8_t type, const std::string& name, const Request& request,
              int16_t version) {
    if (auto node = target(client, type, name)) {
        return admin::expect(
            client.send_to_node<Response>(node->id, node->host, node->port, request, version),
            client);
    }
    return admin::expect(client.send<Response>(request, version), client);
}

void throw_if_failed(int16_t code, const std::optional<std::string>& message) {
    if (code != 0) {
        throw ToolError{"java.util.concurrent.ExecutionException: " +
                        admin::kafka_exception_text(code, message)};
    }
}

// ConfigCommand.getResourceConfig: the entries of one resource, only those of its own dynamic
// level unless `all`.
std::vector<ConfigEntryView> resource_config(AdminClient& client, const std::string& entity_type,
                                             const std::string& name, bool include_synonyms,
                                             bool all) {
    const int8_t type = entity_type == "topics" ? kTopicResource : kBrokerResource;
    const int8_t dynamic_source = type == kTopicResource ? kDynamicTopic
                                  : name.empty()         ? kDynamicDefaultBroker
                                                         : kDynamicBroker;
    protocol::DescribeConfigsRequestData request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = type;
    resource.resource_name = name;
    resource.configuration_keys.reset();  // null: every config
    request.include_synonyms = include_synonyms;
    const auto response = send<protocol::DescribeConfigsResponseData>(client, type, name, request,
                                                                      kDescribeConfigsVersion);
    if (response.results.size() != 1) {
        throw ToolError{"DescribeConfigs answered " + std::to_string(response.results.size()) +
                        " resources for 1"};
    }
    const auto& result = response.results.front();
    throw_if_failed(result.error_code, result.error_message);
    std::vector<ConfigEntryView> out;
    for (const auto& c : result.configs) {
        if (!all && c.config_source != dynamic_source) {
            continue;
        }
        ConfigEntryView entry{c.name, c.value, c.is_sensitive, c.config_source, {}};
        for (const auto& s : c.synonyms) {
            entry.synonyms.push_back({s.name, s.value, s.source});
        }
        out.push_back(std::move(entry));
    }
    return out;
}

// The entities --describe covers when none is named: every topic; every live broker, then the
// cluster default ("").
std::vector<std::string> all_entities(AdminClient& client, const std::string& entity_type) {
    const auto metadata = admin::fetch_metadata(client, std::nullopt);
    std::vector<std::string> out;
    if (entity_type == "topics") {
        for (const auto& [name, info] : metadata.topics) {
            out.push_back(name);
        }
    } else {
        for (const auto& b : metadata.brokers) {
            out.push_back(std::to_string(b.id));
        }
        out.emplace_back();
    }
    return out;
}

void check_deletions(const std::vector<ConfigEntryView>& old_config,
                     const std::vector<std::string>& deletions) {
    std::string invalid;
    for (const auto& name : deletions) {
        const bool present = std::any_of(old_config.begin(), old_config.end(),
                                         [&](const ConfigEntryView& e) { return e.name == name; });
        if (!present) {
            invalid += (invalid.empty() ? "" : ",") + name;
        }
    }
    if (!invalid.empty()) {
        throw std::invalid_argument("Invalid config(s): " + invalid);
    }
}

void alter_topic(AdminClient& client, const ConfigsOptions& o) {
    const std::string& name = *o.entity_name;
    check_deletions(resource_config(client, o.entity_type, name, false, false),
                    o.configs_to_delete);
    protocol::IncrementalAlterConfigsRequestData request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = kTopicResource;
    resource.resource_name = name;
    for (const auto& [k, v] : o.configs_to_add) {
        resource.configs.push_back({k, kOpSet, v});
    }
    for (const auto& k : o.configs_to_delete) {
        resource.configs.push_back({k, kOpDelete, std::string()});
    }
    request.validate_only = false;
    const auto response = send<protocol::IncrementalAlterConfigsResponseData>(
        client, kTopicResource, name, request, kIncrementalAlterConfigsVersion);
    for (const auto& r : response.responses) {
        throw_if_failed(r.error_code, r.error_message);
    }
}

void alter_broker(AdminClient& client, const ConfigsOptions& o) {
    const std::string name = o.entity_name.value_or("");
    const auto old_config = resource_config(client, o.entity_type, name, false, false);
    check_deletions(old_config, o.configs_to_delete);
    std::map<std::string, std::optional<std::string>> config;
    for (const auto& e : old_config) {
        config[e.name] = e.value;
    }
    for (const auto& [k, v] : o.configs_to_add) {
        config[k] = v;
    }
    for (const auto& k : o.configs_to_delete) {
        config.erase(k);
    }
    // A sensitive value comes back null: AlterConfigs would drop it, so Kafka makes the
    // operator give it again.
    std::string missing;
    for (const auto& [k, v] : config) {
        if (!v) {
            missing += (missing.empty() ? "" : ", ") + k;
        }
    }
    if (!missing.empty()) {
        throw std::invalid_argument(
            "All sensitive broker config entries must be specified for --alter, missing "
            "entries: Set(" +
            missing + ")");
    }
    protocol::AlterConfigsRequestData request;
    auto& resource = request.resources.emplace_back();
    resource.resource_type = kBrokerResource;
    resource.resource_name = name;
    for (const auto& [k, v] : config) {
        resource.configs.push_back({k, v});
    }
    request.validate_only = false;
    const auto response = send<protocol::AlterConfigsResponseData>(client, kBrokerResource, name,
                                                                   request, kAlterConfigsVersion);
    for (const auto& r : response.responses) {
        throw_if_failed(r.error_code, r.error_message);
    }
}

}  // namespace

int alter_resource_configs(const ConfigsOptions& o) {
    AdminClient client = admin::make_admin_client(o.bootstrap_server, o.command_config);
    if (o.entity_type == "topics") {
        alter_topic(client, o);
    } else {
        alter_broker(client, o);
    }
    std::printf("%s\n", completed_line(o.entity_type, o.entity_name).c_str());
    return 0;
}

int describe_resource_configs(const ConfigsOptions& o) {
    AdminClient client = admin::make_admin_client(o.bootstrap_server, o.command_config);
    std::vector<std::string> entities;
    if (o.entity_name) {
        entities.push_back(*o.entity_name);
    } else if (o.entity_default) {
        entities.emplace_back();
    } else {
        entities = all_entities(client, o.entity_type);
    }
    for (const auto& entity : entities) {
        std::printf("%s\n", describe_header(o.entity_type, entity, o.all).c_str());
        for (const auto& e : resource_config(client, o.entity_type, entity, true, o.all)) {
            std::printf("%s\n", config_entry_line(e).c_str());
        }
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace samsa::tools
