// DescribeConfigs (Kafka's KafkaApis.handleDescribeConfigsRequest + ConfigHelper): topics need
// DescribeConfigs on the topic, brokers on the cluster; the configs come from ZooKeeper (topic
// overrides, dynamic broker levels) and the broker's static configuration (config_helper.h).

#include "auth/acl.h"
#include "broker/api/config_admin.h"
#include "broker/api/config_helper.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/describe_configs_request.h"
#include "broker/protocol/generated/describe_configs_response.h"

#include <algorithm>

namespace samsa::api {

namespace {

using protocol::DescribeConfigsRequestData;
using protocol::DescribeConfigsResponseData;
using protocol::ErrorCode;
using Result = DescribeConfigsResponseData::DescribeConfigsResult;

Result error_result(const DescribeConfigsRequestData::DescribeConfigsResource& r, ErrorCode e,
                    std::optional<std::string> message = std::nullopt) {
    Result out;
    out.error_code = code(e);
    out.error_message = std::move(message);
    out.resource_type = r.resource_type;
    out.resource_name = r.resource_name;
    return out;
}

DescribeConfigsResponseData::DescribeConfigsResourceResult to_wire(
    const DescribedConfig& c, const DescribeConfigsRequestData& request) {
    DescribeConfigsResponseData::DescribeConfigsResourceResult out;
    out.name = c.name;
    out.value = c.value;
    out.read_only = c.read_only;
    out.is_default = c.source == ConfigSource::default_config;
    out.config_source = static_cast<int8_t>(c.source);
    out.is_sensitive = c.is_sensitive;
    out.config_type = static_cast<int8_t>(c.type);
    out.documentation.reset();  // no documentation strings here (null, as when not asked)
    if (request.include_synonyms) {
        for (const auto& s : c.synonyms) {
            auto& w = out.synonyms.emplace_back();
            w.name = s.name;
            w.value = s.value;
            w.source = static_cast<int8_t>(s.source);
        }
    }
    return out;
}

bool wanted(const DescribeConfigsRequestData::DescribeConfigsResource& r, const std::string& name) {
    if (!r.configuration_keys) {
        return true;
    }
    const auto& keys = *r.configuration_keys;
    return std::find(keys.begin(), keys.end(), name) != keys.end();
}

// One authorized resource; runs on the I/O pool (ZooKeeper reads).
Result describe(RequestContext& ctx, const DescribeConfigsRequestData& request,
                const DescribeConfigsRequestData::DescribeConfigsResource& r) {
    ConfigAdmin admin(*ctx.broker.zk, ctx.broker.broker_id);
    auto dynamic = admin.dynamic_broker_configs();
    if (!dynamic) {
        return error_result(r, ErrorCode::unknown_server_error, dynamic.error().message());
    }
    std::vector<DescribedConfig> configs;
    if (r.resource_type == static_cast<int8_t>(ConfigResourceType::topic)) {
        auto overrides = admin.topic_overrides(r.resource_name);
        if (!overrides) {
            return error_result(r, ErrorCode::unknown_server_error, overrides.error().message());
        }
        if (!overrides.value()) {
            return error_result(r, ErrorCode::unknown_topic_or_partition);
        }
        configs = describe_topic_configs(*ctx.broker.config, dynamic.value(), *overrides.value());
    } else {
        const bool per_broker = !r.resource_name.empty();
        if (per_broker && r.resource_name != std::to_string(ctx.broker.broker_id)) {
            return error_result(r, ErrorCode::invalid_request,
                                "Unexpected broker id, expected " +
                                    std::to_string(ctx.broker.broker_id) +
                                    " or empty string, but received " + r.resource_name);
        }
        configs = describe_broker_configs(*ctx.broker.config, dynamic.value(), per_broker);
    }
    Result out = error_result(r, ErrorCode::none);
    for (const auto& c : configs) {
        if (wanted(r, c.name)) {
            out.configs.push_back(to_wire(c, request));
        }
    }
    return out;
}

// Authorization as Kafka: DescribeConfigs on the topic, or on the cluster for brokers.
std::optional<Result> refuse(const RequestContext& ctx,
                             const DescribeConfigsRequestData::DescribeConfigsResource& r) {
    switch (static_cast<ConfigResourceType>(r.resource_type)) {
        case ConfigResourceType::topic:
            if (!ctx.authorize(auth::AclOperation::describe_configs, auth::ResourceType::topic,
                               r.resource_name)) {
                return error_result(r, ErrorCode::topic_authorization_failed);
            }
            return std::nullopt;
        case ConfigResourceType::broker:
            if (!ctx.authorize(auth::AclOperation::describe_configs, auth::ResourceType::cluster,
                               auth::kClusterName)) {
                return error_result(r, ErrorCode::cluster_authorization_failed);
            }
            return std::nullopt;
        default:
            return error_result(r, ErrorCode::invalid_request,
                                "Unsupported resource type " + std::to_string(r.resource_type) +
                                    " for resource " + r.resource_name);
    }
}

}  // namespace

HandlerResult handle_describe_configs(RequestContext& ctx, protocol::Reader& body) {
    DescribeConfigsRequestData request;
    request.decode(body, ctx.api_version);
    DescribeConfigsResponseData response;
    response.results.resize(request.resources.size());
    std::vector<size_t> authorized;
    for (size_t i = 0; i < request.resources.size(); ++i) {
        if (auto refused = refuse(ctx, request.resources[i])) {
            response.results[i] = std::move(*refused);
        } else {
            authorized.push_back(i);
        }
    }
    if (!authorized.empty()) {
        co_await net::run_on(ctx.broker.io_pool, [&] {
            for (size_t i : authorized) {
                response.results[i] = describe(ctx, request, request.resources[i]);
            }
        });
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
