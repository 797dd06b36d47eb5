// OffsetCommit (v2-7; advertised 0-7). Kafka's handleOffsetCommitRequest: Group Read for the
// request, Topic Read per topic (TOPIC_AUTHORIZATION_FAILED), partitions the cluster does not
// know get UNKNOWN_TOPIC_OR_PARTITION, and the rest go to the coordinator, which answers once
// the offsets are replicated in __consumer_offsets.

#include "broker/api/errors.h"
#include "broker/api/handlers/group_await.h"
#include "broker/api/handlers/group_common.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/group/group_coordinator.h"
#include "broker/protocol/generated/offset_commit_request.h"
#include "broker/protocol/generated/offset_commit_response.h"
#include "broker/replica/metadata_cache.h"

#include <chrono>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::OffsetCommitRequestData;
using Response = protocol::OffsetCommitResponseData;
using Results = std::map<TopicPartition, ErrorCode>;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Response make_response(const Request& request, const Results& results) {
    Response response;
    for (const auto& topic : request.topics) {
        Response::OffsetCommitResponseTopic t;
        t.name = topic.name;
        for (const auto& p : topic.partitions) {
            auto it = results.find(TopicPartition{topic.name, p.partition_index});
            Response::OffsetCommitResponsePartition r;
            r.partition_index = p.partition_index;
            const ErrorCode error =
                it == results.end() ? ErrorCode::unknown_server_error : it->second;
            record_error(protocol::ApiKey::offset_commit, error);
            r.error_code = code(error);
            t.partitions.push_back(std::move(r));
        }
        response.topics.push_back(std::move(t));
    }
    return response;
}

Results fail_all(const Request& request, ErrorCode error) {
    Results out;
    for (const auto& topic : request.topics) {
        for (const auto& p : topic.partitions) {
            out[TopicPartition{topic.name, p.partition_index}] = error;
        }
    }
    return out;
}

}  // namespace

HandlerResult handle_offset_commit(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    if (auto error = group_request_gate(ctx, 2, 7, auth::AclOperation::read, request.group_id);
        error != ErrorCode::none) {
        co_return ctx.respond(make_response(request, fail_all(request, error)));
    }
    Results results;
    std::map<TopicPartition, group::OffsetAndMetadata> offsets;
    const auto snapshot = ctx.broker.metadata_cache->snapshot();
    const int64_t now = now_ms();
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
                group::OffsetAndMetadata o;
                o.offset = p.committed_offset;
                o.leader_epoch = p.committed_leader_epoch;
                o.metadata = p.committed_metadata.value_or("");
                o.commit_timestamp_ms = now;
                // v2-4 may ask for their own retention.
                if (ctx.api_version <= 4 && request.retention_time_ms != -1) {
                    o.expire_timestamp_ms = now + request.retention_time_ms;
                }
                offsets[tp] = std::move(o);
            }
        }
    }
    if (!offsets.empty()) {
        auto& coordinator = *ctx.broker.group_coordinator;
        auto stored = co_await await_group<Results>([&](auto done) {
            coordinator.commit_offsets(request.group_id, request.member_id,
                                       request.group_instance_id, request.generation_id,
                                       std::move(offsets), std::move(done));
        });
        results.merge(stored);
    }
    co_return ctx.respond(make_response(request, results));
}

}  // namespace samsa::api
