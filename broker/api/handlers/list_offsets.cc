// ListOffsets: earliest (-2), latest (-1) or by timestamp (Kafka's handleListOffsetRequest).
//
// v0 answers with old_style_offsets: [offset] when there is one (Kafka's v0 returned segment
// base offsets for a timestamp; every client we serve asks v0 only for -1/-2, where the answer
// is the same). Latest is the high watermark for consumers, the log end for brokers.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/replica/replica_manager.h"

#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::ListOffsetsRequestData;
using Response = protocol::ListOffsetsResponseData;
using PartitionResponse = Response::ListOffsetsPartitionResponse;

PartitionResponse lookup_partition(const RequestContext& ctx, const Request& request,
                                   const std::string& topic, const Request::ListOffsetsPartition& p,
                                   replica::ReplicaManager& replicas) {
    PartitionResponse out;
    out.partition_index = p.partition_index;
    TopicPartition tp{topic, p.partition_index};
    if (!ctx.authorize(auth::AclOperation::describe, auth::ResourceType::topic, topic)) {
        out.error_code = code(ErrorCode::topic_authorization_failed);
        return out;
    }
    auto partition = replicas.get_partition(tp);
    if (!partition) {
        out.error_code = code(replicas.missing_partition_error(tp));
        return out;
    }
    auto isolation = request.replica_id >= 0        ? replica::FetchIsolation::log_end
                     : request.isolation_level == 1 ? replica::FetchIsolation::txn_committed
                                                    : replica::FetchIsolation::high_watermark;
    auto found =
        partition->fetch_offset_for_timestamp(p.timestamp, p.current_leader_epoch, isolation);
    if (!found) {
        ErrorCode error = to_kafka(found.error());
        // Kafka's handleListOffsetRequestV1AndAbove: only v5 and newer know OFFSET_NOT_AVAILABLE;
        // older clients retry on LEADER_NOT_AVAILABLE.
        if (error == ErrorCode::offset_not_available && ctx.api_version < 5) {
            error = ErrorCode::leader_not_available;
        }
        out.error_code = code(error);
        return out;
    }
    if (ctx.api_version == 0) {
        if (found.value().offset >= 0) {
            out.old_style_offsets.push_back(found.value().offset);
        }
        return out;
    }
    out.timestamp = found.value().timestamp;
    out.offset = found.value().offset;
    out.leader_epoch = found.value().leader_epoch;
    return out;
}

// Earliest and latest are answered from memory; a timestamp is looked up in the time index
// and the segment, which may not be in the page cache.
bool needs_disk(const Request& request) {
    for (const auto& topic : request.topics) {
        for (const auto& p : topic.partitions) {
            if (p.timestamp >= 0) {
                return true;
            }
        }
    }
    return false;
}

PartitionResponse lookup(const RequestContext& ctx, const Request& request,
                         const std::string& topic, const Request::ListOffsetsPartition& p,
                         replica::ReplicaManager& replicas) {
    PartitionResponse out = lookup_partition(ctx, request, topic, p, replicas);
    record_error(protocol::ApiKey::list_offsets, static_cast<ErrorCode>(out.error_code));
    return out;
}

}  // namespace

HandlerResult handle_list_offsets(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    Response response;
    auto& replicas = *ctx.broker.replica_manager;
    auto look_up_all = [&] {
        for (const auto& topic : request.topics) {
            Response::ListOffsetsTopicResponse t;
            t.name = topic.name;
            for (const auto& p : topic.partitions) {
                t.partitions.push_back(lookup(ctx, request, topic.name, p, replicas));
            }
            response.topics.push_back(std::move(t));
        }
    };
    if (needs_disk(request)) {
        co_await net::run_on(ctx.broker.io_pool, look_up_all);
    } else {
        look_up_all();
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
