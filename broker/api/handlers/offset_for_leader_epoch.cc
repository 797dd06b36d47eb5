// OffsetForLeaderEpoch: where each requested leader epoch ended in the leader's log (Kafka's
// handleOffsetForLeaderEpochRequest and ReplicaManager.lastOffsetForLeaderEpoch). Followers
// ask before truncating (KIP-101), KIP-320 consumers after a leader change.
//
// Authorization as Kafka 2.8: ClusterAction on the cluster admits every topic (the
// inter-broker use); otherwise each topic needs Describe (KIP-320's consumers), else
// TOPIC_AUTHORIZATION_FAILED. ReplicaId does not enter into it, and every caller, follower or
// consumer, must ask the leader (Kafka 2.8 passes fetchOnlyFromLeader = true).
//
// The lookups run on the I/O pool: the request is rare, and a partition's lookup waits for a
// role change in progress, which writes the leader-epoch-checkpoint (fsync).

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/offset_for_leader_epoch_request.h"
#include "broker/protocol/generated/offset_for_leader_epoch_response.h"
#include "broker/replica/replica_manager.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::OffsetForLeaderEpochRequestData;
using Response = protocol::OffsetForLeaderEpochResponseData;
using PartitionResult = Response::EpochEndOffset;

PartitionResult error_result(int32_t partition, ErrorCode error) {
    PartitionResult out;
    out.partition = partition;
    out.error_code = code(error);
    return out;
}

PartitionResult last_offset_for_leader_epoch(const replica::ReplicaManager& replicas,
                                             const std::string& topic,
                                             const Request::OffsetForLeaderPartition& p) {
    TopicPartition tp{topic, p.partition};
    auto partition = replicas.get_partition(tp);
    if (!partition) {
        return error_result(p.partition, replicas.missing_partition_error(tp));
    }
    auto found = partition->last_offset_for_leader_epoch(p.current_leader_epoch, p.leader_epoch,
                                                         /*fetch_only_from_leader=*/true);
    if (!found) {
        return error_result(p.partition, to_kafka(found.error()));
    }
    PartitionResult out;
    out.partition = p.partition;
    out.leader_epoch = found.value().epoch;
    out.end_offset = found.value().end_offset;
    return out;
}

Response::OffsetForLeaderTopicResult look_up_topic(const RequestContext& ctx,
                                                   const replica::ReplicaManager& replicas,
                                                   bool cluster_action,
                                                   const Request::OffsetForLeaderTopic& topic) {
    Response::OffsetForLeaderTopicResult out;
    out.topic = topic.topic;
    const bool authorized = cluster_action || ctx.authorize(auth::AclOperation::describe,
                                                            auth::ResourceType::topic, topic.topic);
    for (const auto& p : topic.partitions) {
        out.partitions.push_back(
            authorized ? last_offset_for_leader_epoch(replicas, topic.topic, p)
                       : error_result(p.partition, ErrorCode::topic_authorization_failed));
    }
    return out;
}

}  // namespace

HandlerResult handle_offset_for_leader_epoch(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    const bool cluster_action = ctx.authorize(auth::AclOperation::cluster_action,
                                              auth::ResourceType::cluster, "kafka-cluster");
    const auto& replicas = *ctx.broker.replica_manager;
    Response response = co_await net::run_on(ctx.broker.io_pool, [&] {
        Response r;
        for (const auto& topic : request.topics) {
            r.topics.push_back(look_up_topic(ctx, replicas, cluster_action, topic));
        }
        return r;
    });
    co_return ctx.respond(response);
}

}  // namespace samsa::api
