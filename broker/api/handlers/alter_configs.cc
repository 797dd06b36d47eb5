// AlterConfigs and IncrementalAlterConfigs (Kafka's KafkaApis.handleAlterConfigsRequest /
// handleIncrementalAlterConfigsRequest + ZkAdminManager): AlterConfigs on the topic, or on the
// cluster for brokers; then, per resource, validation and the ZooKeeper write on the I/O pool
// (config_admin.h).

#include "auth/acl.h"
#include "broker/api/config_admin.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/alter_configs_request.h"
#include "broker/protocol/generated/alter_configs_response.h"
#include "broker/protocol/generated/incremental_alter_configs_request.h"
#include "broker/protocol/generated/incremental_alter_configs_response.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;

// Authorization and resource type as Kafka checks them; nullopt when the resource may go on.
std::optional<ConfigOutcome> refuse(const RequestContext& ctx, int8_t type,
                                    const std::string& name) {
    switch (static_cast<ConfigResourceType>(type)) {
        case ConfigResourceType::topic:
            if (!ctx.authorize(auth::AclOperation::alter_configs, auth::ResourceType::topic,
                               name)) {
                return ConfigOutcome{ErrorCode::topic_authorization_failed, std::nullopt};
            }
            return std::nullopt;
        case ConfigResourceType::broker:
            if (!ctx.authorize(auth::AclOperation::alter_configs, auth::ResourceType::cluster,
                               auth::kClusterName)) {
                return ConfigOutcome{ErrorCode::cluster_authorization_failed, std::nullopt};
            }
            return std::nullopt;
        default:
            return ConfigOutcome{
                ErrorCode::invalid_request,
                "Unexpected resource type " + std::to_string(type) + " for resource " + name};
    }
}

template <typename Response, typename Request>
Response to_response(const Request& request, const std::vector<ConfigOutcome>& outcomes) {
    Response response;
    for (size_t i = 0; i < request.resources.size(); ++i) {
        auto& r = response.responses.emplace_back();
        r.error_code = code(outcomes[i].error);
        r.error_message = outcomes[i].message;
        r.resource_type = request.resources[i].resource_type;
        r.resource_name = request.resources[i].resource_name;
    }
    return response;
}

// Runs `alter(resource)` on the I/O pool for every resource that passes refuse().
template <typename Request, typename Alter>
boost::asio::awaitable<std::vector<ConfigOutcome>> alter_all(RequestContext& ctx,
                                                             const Request& request, Alter alter) {
    std::vector<ConfigOutcome> outcomes(request.resources.size());
    std::vector<size_t> authorized;
    for (size_t i = 0; i < request.resources.size(); ++i) {
        const auto& r = request.resources[i];
        if (auto refused = refuse(ctx, r.resource_type, r.resource_name)) {
            outcomes[i] = std::move(*refused);
        } else {
            authorized.push_back(i);
        }
    }
    if (!authorized.empty()) {
        co_await net::run_on(ctx.broker.io_pool, [&] {
            ConfigAdmin admin(*ctx.broker.zk, ctx.broker.broker_id, ctx.broker.config,
                              ctx.broker.validate_listener_ssl);
            for (size_t i : authorized) {
                outcomes[i] = alter(admin, request.resources[i]);
            }
        });
    }
    co_return outcomes;
}

}  // namespace

HandlerResult handle_alter_configs(RequestContext& ctx, protocol::Reader& body) {
    protocol::AlterConfigsRequestData request;
    request.decode(body, ctx.api_version);
    const bool validate_only = request.validate_only;
    auto outcomes =
        co_await alter_all(ctx, request, [validate_only](ConfigAdmin& admin, const auto& r) {
            server::ConfigMap config;
            for (const auto& c : r.configs) {
                if (c.value) {  // Kafka drops null values
                    config[c.name] = *c.value;
                }
            }
            return admin.alter(static_cast<ConfigResourceType>(r.resource_type), r.resource_name,
                               config, validate_only);
        });
    co_return ctx.respond(to_response<protocol::AlterConfigsResponseData>(request, outcomes));
}

HandlerResult handle_incremental_alter_configs(RequestContext& ctx, protocol::Reader& body) {
    protocol::IncrementalAlterConfigsRequestData request;
    request.decode(body, ctx.api_version);
    const bool validate_only = request.validate_only;
    auto outcomes =
        co_await alter_all(ctx, request, [validate_only](ConfigAdmin& admin, const auto& r) {
            std::vector<AlterableConfig> ops;
            for (const auto& c : r.configs) {
                ops.push_back({c.name, c.config_operation, c.value});
            }
            return admin.incremental_alter(static_cast<ConfigResourceType>(r.resource_type),
                                           r.resource_name, ops, validate_only);
        });
    co_return ctx.respond(
        to_response<protocol::IncrementalAlterConfigsResponseData>(request, outcomes));
}

}  // namespace samsa::api
