// Metadata: brokers, controller, cluster id and topic leadership, from the metadata cache
// (Kafka's handleTopicMetadataRequest). Unknown topics are auto-created when
// auto.create.topics.enable is on and the request allows it (v4+ allow_auto_topic_creation);
// they answer LEADER_NOT_AVAILABLE until the controller has elected leaders.
//
// Brokers are listed with their endpoint on the listener the request arrived on, so clients
// keep talking through the same listener.

#include "broker/api/admin_manager.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "broker/replica/metadata_cache.h"
#include "broker/server/kafka_config.h"

#include <set>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::MetadataRequestData;
using Response = protocol::MetadataResponseData;
using TopicResponse = Response::MetadataResponseTopic;

bool is_internal(const std::string& topic) {
    return topic == "__consumer_offsets" || topic == "__transaction_state";
}

TopicResponse describe_topic(const std::string& name, const replica::TopicState& state,
                             const replica::MetadataSnapshot& snapshot,
                             const std::string& listener) {
    TopicResponse t;
    t.name = name;
    t.is_internal = is_internal(name);
    for (const auto& [index, p] : state.partitions) {
        Response::MetadataResponsePartition out;
        out.partition_index = index;
        out.leader_epoch = p.leader_epoch;
        out.replica_nodes = p.replicas;
        out.isr_nodes = p.isr;
        out.offline_replicas = p.offline_replicas;
        auto leader = snapshot.brokers.find(p.leader);
        if (leader == snapshot.brokers.end()) {
            out.error_code = code(ErrorCode::leader_not_available);
            out.leader_id = -1;
        } else if (!leader->second.endpoint(listener)) {
            out.error_code = code(ErrorCode::listener_not_found);
            out.leader_id = -1;
        } else {
            out.leader_id = p.leader;
        }
        t.partitions.push_back(std::move(out));
    }
    return t;
}

TopicResponse topic_error(const std::string& name, ErrorCode error) {
    TopicResponse t;
    t.name = name;
    t.error_code = code(error);
    record_error(protocol::ApiKey::metadata, error);
    t.is_internal = is_internal(name);
    return t;
}

// The requested topic names; nullopt = every topic.
std::optional<std::vector<std::string>> requested_topics(const RequestContext& ctx,
                                                         const Request& request) {
    // v0: an empty array means all topics; v1+: null means all, empty means none.
    if (!request.topics || (ctx.api_version == 0 && request.topics->empty())) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& t : *request.topics) {
        if (t.name && seen.insert(*t.name).second) {
            names.push_back(*t.name);
        }
    }
    return names;
}

}  // namespace

HandlerResult handle_metadata(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    const auto& config = *ctx.broker.config;
    auto snapshot = ctx.broker.metadata_cache->snapshot();
    const std::string& listener = ctx.session.listener_name;

    Response response;
    for (const auto& [id, broker] : snapshot->brokers) {
        if (const auto* ep = broker.endpoint(listener)) {
            Response::MetadataResponseBroker b;
            b.node_id = id;
            b.host = ep->host;
            b.port = ep->port;
            b.rack = broker.rack;
            response.brokers.push_back(std::move(b));
        }
    }
    response.cluster_id = ctx.broker.metadata_cache->cluster_id();
    response.controller_id = snapshot->controller_id;

    auto wanted = requested_topics(ctx, request);
    if (!wanted) {
        for (const auto& [name, state] : snapshot->topics) {
            if (ctx.authorize(auth::AclOperation::describe, auth::ResourceType::topic, name)) {
                response.topics.push_back(describe_topic(name, state, *snapshot, listener));
            }
        }
        co_return ctx.respond(response);
    }

    const bool may_create = config.auto_create_topics_enable &&
                            (ctx.api_version < 4 || request.allow_auto_topic_creation);
    // Kafka asks Create on the cluster once, and on each missing topic only without it.
    std::optional<bool> may_create_any;
    auto authorized_to_create = [&](const std::string& name) {
        if (!may_create_any) {
            may_create_any = ctx.authorize(auth::AclOperation::create, auth::ResourceType::cluster,
                                           "kafka-cluster");
        }
        return *may_create_any ||
               ctx.authorize(auth::AclOperation::create, auth::ResourceType::topic, name);
    };
    std::vector<std::string> to_create;
    for (const auto& name : *wanted) {
        if (!ctx.authorize(auth::AclOperation::describe, auth::ResourceType::topic, name)) {
            response.topics.push_back(topic_error(name, ErrorCode::topic_authorization_failed));
        } else if (auto it = snapshot->topics.find(name); it != snapshot->topics.end()) {
            response.topics.push_back(describe_topic(name, it->second, *snapshot, listener));
        } else if (may_create && !authorized_to_create(name)) {
            response.topics.push_back(topic_error(name, ErrorCode::topic_authorization_failed));
        } else if (!AdminManager::valid_topic_name(name)) {
            response.topics.push_back(topic_error(name, ErrorCode::invalid_topic_exception));
        } else if (may_create) {
            to_create.push_back(name);
        } else {
            response.topics.push_back(topic_error(name, ErrorCode::unknown_topic_or_partition));
        }
    }
    if (!to_create.empty()) {
        auto& admin = *ctx.broker.admin;
        auto outcomes = co_await net::run_on(ctx.broker.io_pool, [&] {
            std::vector<TopicOutcome> out;
            for (const auto& name : to_create) {
                out.push_back(admin.create_topic(NewTopic{name}, false));
            }
            return out;
        });
        for (size_t i = 0; i < to_create.size(); ++i) {
            auto e = outcomes[i].error;
            // Created now or by a concurrent request: either way, no leader yet.
            bool pending = e == ErrorCode::none || e == ErrorCode::topic_already_exists;
            response.topics.push_back(
                topic_error(to_create[i], pending ? ErrorCode::leader_not_available : e));
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
