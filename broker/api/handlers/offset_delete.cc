// OffsetDelete (v0, KIP-496): Group Delete, then Topic Read per topic; the coordinator deletes
// the offsets unless the group is live and subscribes to the topic.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/offset_delete_request.h"
#include "broker/protocol/generated/offset_delete_response.h"
#include "broker/replica/metadata_cache.h"

namespace samsa::api {

using protocol::ErrorCode;
using Response = protocol::OffsetDeleteResponseData;

HandlerResult handle_offset_delete(RequestContext& ctx, protocol::Reader& body) {
    protocol::OffsetDeleteRequestData request;
    request.decode(body, ctx.api_version);
    Response response;
    if (auto error = group_request_gate(ctx, 0, 0, auth::AclOperation::delete_, request.group_id);
        error != ErrorCode::none) {
        response.error_code = code(error);
        co_return ctx.respond(response);
    }
    std::map<TopicPartition, ErrorCode> results;
    std::vector<TopicPartition> deletable;
    const auto snapshot = ctx.broker.metadata_cache->snapshot();
    for (const auto& topic : request.topics) {
        const bool readable =
            ctx.authorize(auth::AclOperation::read, auth::ResourceType::topic, topic.name);
        for (const auto& p : topic.partitions) {
            TopicPartition tp{topic.name, p.partition_index};
            if (!readable) {
                results[tp] = ErrorCode::topic_authorization_failed;
            } else if (snapshot->partition(tp) == nullptr) {
                results[tp] = ErrorCode::unknown_topic_or_partition;
            } else {
                deletable.push_back(tp);
            }
        }
    }
    auto deleted = ctx.broker.group_coordinator->delete_offsets(request.group_id, deletable);
    response.error_code = code(deleted.error);
    if (deleted.error == ErrorCode::none) {
        results.merge(deleted.partitions);
        for (const auto& topic : request.topics) {
            Response::OffsetDeleteResponseTopic t;
            t.name = topic.name;
            for (const auto& p : topic.partitions) {
                Response::OffsetDeleteResponsePartition r;
                r.partition_index = p.partition_index;
                r.error_code = code(results[TopicPartition{topic.name, p.partition_index}]);
                t.partitions.push_back(std::move(r));
            }
            response.topics.push_back(std::move(t));
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
