// CreateTopics and DeleteTopics (Kafka's handleCreateTopicsRequest/handleDeleteTopicsRequest).
// Both are served by the active controller only (NOT_CONTROLLER elsewhere, so clients retry
// there), write to ZooKeeper through the AdminManager, then wait — up to the request's timeout
// — until the controller's UpdateMetadata shows the change, as Kafka's DelayedCreatePartitions
// and DelayedDeleteTopics do. A timeout answers REQUEST_TIMED_OUT; the change still happens.

#include "broker/api/admin_manager.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/await_metadata.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/create_topics_request.h"
#include "broker/protocol/generated/create_topics_response.h"
#include "broker/protocol/generated/delete_topics_request.h"
#include "broker/protocol/generated/delete_topics_response.h"
#include "broker/replica/metadata_cache.h"

#include <map>
#include <set>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;

bool has_leaders(const replica::MetadataSnapshot& s, const std::string& topic) {
    auto it = s.topics.find(topic);
    if (it == s.topics.end() || it->second.partitions.empty()) {
        return false;
    }
    for (const auto& [index, p] : it->second.partitions) {
        if (p.leader < 0) {
            return false;
        }
    }
    return true;
}

bool is_gone(const replica::MetadataSnapshot& s, const std::string& topic) {
    return !s.topics.contains(topic);
}

NewTopic to_new_topic(const protocol::CreateTopicsRequestData::CreatableTopic& t) {
    NewTopic n;
    n.name = t.name;
    n.num_partitions = t.num_partitions;
    n.replication_factor = t.replication_factor;
    for (const auto& a : t.assignments) {
        n.assignments[a.partition_index] = a.broker_ids;
    }
    for (const auto& c : t.configs) {
        if (c.value) {
            n.configs[c.name] = *c.value;
        }
    }
    return n;
}

}  // namespace

HandlerResult handle_create_topics(RequestContext& ctx, protocol::Reader& body) {
    protocol::CreateTopicsRequestData request;
    request.decode(body, ctx.api_version);
    using Result = protocol::CreateTopicsResponseData::CreatableTopicResult;
    std::map<std::string, int> count;
    for (const auto& t : request.topics) {
        ++count[t.name];
    }
    const bool is_controller = ctx.broker.controller->is_active();
    // Create on the cluster covers every topic; without it, Create on each topic.
    const bool may_create_any =
        ctx.authorize(auth::AclOperation::create, auth::ResourceType::cluster, "kafka-cluster");
    std::vector<TopicOutcome> outcomes(request.topics.size());
    std::vector<size_t> to_create;
    for (size_t i = 0; i < request.topics.size(); ++i) {
        const auto& name = request.topics[i].name;
        if (!is_controller) {
            outcomes[i] = {ErrorCode::not_controller, std::nullopt};
        } else if (count[name] > 1) {
            outcomes[i] = {ErrorCode::invalid_request,
                           "Create topics request from client `" + ctx.client_id.value_or("") +
                               "` contains multiple entries for the following topics: " + name};
        } else if (!may_create_any &&
                   !ctx.authorize(auth::AclOperation::create, auth::ResourceType::topic, name)) {
            outcomes[i] = {ErrorCode::topic_authorization_failed, "Authorization failed."};
        } else {
            to_create.push_back(i);
        }
    }
    auto& admin = *ctx.broker.admin;
    co_await net::run_on(ctx.broker.io_pool, [&] {
        for (size_t i : to_create) {
            outcomes[i] =
                admin.create_topic(to_new_topic(request.topics[i]), request.validate_only);
        }
    });
    std::set<std::string> created;
    for (size_t i : to_create) {
        if (outcomes[i].error == ErrorCode::none && !request.validate_only) {
            created.insert(request.topics[i].name);
        }
    }
    if (!created.empty() && request.timeout_ms > 0) {
        auto late = co_await await_metadata(*ctx.broker.metadata_cache, created, request.timeout_ms,
                                            has_leaders);
        for (size_t i : to_create) {
            if (late.contains(request.topics[i].name)) {
                outcomes[i] = {ErrorCode::request_timed_out,
                               "Timed out waiting for the topic's partitions to get leaders"};
            }
        }
    }

    protocol::CreateTopicsResponseData response;
    for (size_t i = 0; i < request.topics.size(); ++i) {
        Result r;
        r.name = request.topics[i].name;
        r.error_code = code(outcomes[i].error);
        r.error_message = outcomes[i].message;
        response.topics.push_back(std::move(r));
    }
    co_return ctx.respond(response);
}

HandlerResult handle_delete_topics(RequestContext& ctx, protocol::Reader& body) {
    protocol::DeleteTopicsRequestData request;
    request.decode(body, ctx.api_version);
    const bool is_controller = ctx.broker.controller->is_active();
    std::vector<TopicOutcome> outcomes(request.topic_names.size());
    std::vector<size_t> to_delete;
    for (size_t i = 0; i < request.topic_names.size(); ++i) {
        const auto& name = request.topic_names[i];
        if (!is_controller) {
            outcomes[i] = {ErrorCode::not_controller, std::nullopt};
        } else if (!ctx.authorize(auth::AclOperation::delete_, auth::ResourceType::topic, name)) {
            outcomes[i] = {ErrorCode::topic_authorization_failed, std::nullopt};
        } else {
            to_delete.push_back(i);
        }
    }
    auto& admin = *ctx.broker.admin;
    co_await net::run_on(ctx.broker.io_pool, [&] {
        for (size_t i : to_delete) {
            outcomes[i] = admin.delete_topic(request.topic_names[i]);
        }
    });
    std::set<std::string> marked;
    for (size_t i : to_delete) {
        if (outcomes[i].error == ErrorCode::none) {
            marked.insert(request.topic_names[i]);
        }
    }
    if (!marked.empty() && request.timeout_ms > 0) {
        auto late = co_await await_metadata(*ctx.broker.metadata_cache, marked, request.timeout_ms,
                                            is_gone);
        for (size_t i : to_delete) {
            if (late.contains(request.topic_names[i])) {
                outcomes[i] = {ErrorCode::request_timed_out, std::nullopt};
            }
        }
    }
    protocol::DeleteTopicsResponseData response;
    for (size_t i = 0; i < request.topic_names.size(); ++i) {
        protocol::DeleteTopicsResponseData::DeletableTopicResult r;
        r.name = request.topic_names[i];
        r.error_code = code(outcomes[i].error);
        response.responses.push_back(std::move(r));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
