// OffsetFetch (v1-7; advertised 0-7; v6+ flexible). Kafka's handleOffsetFetchRequest: Group
// Describe; with a topic list, topics the caller may not Describe get
// TOPIC_AUTHORIZATION_FAILED; with none (v2+: null), every committed offset of the topics
// the caller may Describe. Partitions without a committed offset answer -1.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/offset_fetch_request.h"
#include "broker/protocol/generated/offset_fetch_response.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::OffsetFetchRequestData;
using Response = protocol::OffsetFetchResponseData;

Response::OffsetFetchResponsePartition partition_entry(int32_t index,
                                                       const group::OffsetAndMetadata* offset,
                                                       ErrorCode error) {
    Response::OffsetFetchResponsePartition p;
    p.partition_index = index;
    p.committed_offset = offset ? offset->offset : -1;
    p.committed_leader_epoch = offset ? offset->leader_epoch : -1;
    p.metadata = offset ? offset->metadata : "";
    p.error_code = code(error);
    return p;
}

// Every requested partition with `error` (and the top-level error from v2).
Response error_response(const RequestContext& ctx, const Request& request, ErrorCode error) {
    Response response;
    if (ctx.api_version >= 2) {
        response.error_code = code(error);
    }
    if (request.topics) {
        for (const auto& topic : *request.topics) {
            Response::OffsetFetchResponseTopic t;
            t.name = topic.name;
            for (int32_t index : topic.partition_indexes) {
                t.partitions.push_back(partition_entry(index, nullptr, error));
            }
            response.topics.push_back(std::move(t));
        }
    }
    return response;
}

}  // namespace

HandlerResult handle_offset_fetch(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    if (auto error = group_request_gate(ctx, 1, 7, auth::AclOperation::describe, request.group_id);
        error != ErrorCode::none) {
        co_return ctx.respond(error_response(ctx, request, error));
    }
    auto& coordinator = *ctx.broker.group_coordinator;
    auto may_describe = [&](const std::string& topic) {
        return ctx.authorize(auth::AclOperation::describe, auth::ResourceType::topic, topic);
    };

    if (!request.topics) {
        auto fetched = coordinator.fetch_offsets(request.group_id, std::nullopt);
        if (fetched.error != ErrorCode::none) {
            co_return ctx.respond(error_response(ctx, request, fetched.error));
        }
        Response response;
        std::map<std::string, bool> allowed;
        for (const auto& [tp, offset] : fetched.offsets) {
            auto [it, fresh] = allowed.try_emplace(tp.topic, false);
            if (fresh) {
                it->second = may_describe(tp.topic);
            }
            if (!it->second) {
                continue;
            }
            if (response.topics.empty() || response.topics.back().name != tp.topic) {
                response.topics.emplace_back().name = tp.topic;
            }
            response.topics.back().partitions.push_back(
                partition_entry(tp.partition, &offset, ErrorCode::none));
        }
        co_return ctx.respond(response);
    }

    std::vector<TopicPartition> wanted;
    std::set<std::string> denied;
    for (const auto& topic : *request.topics) {
        if (!may_describe(topic.name)) {
            denied.insert(topic.name);
            continue;
        }
        for (int32_t index : topic.partition_indexes) {
            wanted.push_back(TopicPartition{topic.name, index});
        }
    }
    auto fetched = coordinator.fetch_offsets(request.group_id, wanted);
    if (fetched.error != ErrorCode::none) {
        co_return ctx.respond(error_response(ctx, request, fetched.error));
    }
    Response response;
    for (const auto& topic : *request.topics) {
        Response::OffsetFetchResponseTopic t;
        t.name = topic.name;
        for (int32_t index : topic.partition_indexes) {
            if (denied.contains(topic.name)) {
                t.partitions.push_back(
                    partition_entry(index, nullptr, ErrorCode::topic_authorization_failed));
                continue;
            }
            auto it = fetched.offsets.find(TopicPartition{topic.name, index});
            t.partitions.push_back(partition_entry(
                index, it == fetched.offsets.end() ? nullptr : &it->second, ErrorCode::none));
        }
        response.topics.push_back(std::move(t));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
