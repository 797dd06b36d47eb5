// DeleteRecords (Kafka's KafkaApis.handleDeleteRecordsRequest + Partition.
// deleteRecordsOnLeader): Delete on the topic; then, on the partition's leader, the log start
// offset moves up to the requested offset (-1 = the high watermark). Beyond the high watermark
// is OFFSET_OUT_OF_RANGE; a compact-only topic is POLICY_VIOLATION. The answer's low watermark
// is the leader's new log start offset: the leader answers once its own start has moved, and
// followers learn it from the log_start_offset of their fetch responses. The segments wholly
// below the new start go at the next retention check; the start itself is written to
// log-start-offset-checkpoint every log.flush.start.offset.checkpoint.interval.ms and at
// shutdown, as Kafka does.

#include "auth/acl.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/log/log.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/delete_records_request.h"
#include "broker/protocol/generated/delete_records_response.h"
#include "broker/replica/partition.h"
#include "broker/replica/replica_manager.h"
#include "common/logging.h"

#include <map>

namespace samsa::api {

namespace {

using protocol::DeleteRecordsResponseData;
using protocol::ErrorCode;

auto& logger() {
    static auto l = get_logger("api");
    return *l;
}

// DeleteRecordsRequest.HIGH_WATERMARK.
constexpr int64_t kHighWatermark = -1;

struct Outcome {
    int64_t low_watermark = -1;
    ErrorCode error = ErrorCode::none;
};

// On the I/O pool: the leader epoch cache's truncation writes its checkpoint file.
Outcome delete_on_leader(replica::ReplicaManager& replicas, const TopicPartition& tp,
                         int64_t offset) {
    auto partition = replicas.get_partition(tp);
    if (!partition) {
        return {-1, replicas.missing_partition_error(tp)};
    }
    if (!partition->is_leader()) {
        return {-1, ErrorCode::not_leader_or_follower};
    }
    log::Log& log = *partition->log();
    if (!log.config().cleanup_policy_delete) {
        return {-1, ErrorCode::policy_violation};
    }
    const int64_t target = offset == kHighWatermark ? log.high_watermark() : offset;
    if (target < 0) {
        return {-1, ErrorCode::offset_out_of_range};
    }
    if (auto moved = log.maybe_increment_log_start_offset(target); !moved) {
        return {-1, to_kafka(moved.error())};
    }
    return {log.log_start_offset(), ErrorCode::none};
}

}  // namespace

HandlerResult handle_delete_records(RequestContext& ctx, protocol::Reader& body) {
    protocol::DeleteRecordsRequestData request;
    request.decode(body, ctx.api_version);
    std::map<TopicPartition, int64_t> asked;
    std::map<TopicPartition, Outcome> outcomes;
    for (const auto& t : request.topics) {
        const bool allowed =
            ctx.authorize(auth::AclOperation::delete_, auth::ResourceType::topic, t.name);
        for (const auto& p : t.partitions) {
            const TopicPartition tp{t.name, p.partition_index};
            if (allowed) {
                asked[tp] = p.offset;
            } else {
                outcomes[tp] = {-1, ErrorCode::topic_authorization_failed};
            }
        }
    }
    if (!asked.empty()) {
        co_await net::run_on(ctx.broker.io_pool, [&] {
            auto& replicas = *ctx.broker.replica_manager;
            for (const auto& [tp, offset] : asked) {
                outcomes[tp] = delete_on_leader(replicas, tp, offset);
                if (outcomes[tp].error == ErrorCode::none) {
                    logger().info("{}: log start offset now {} (DeleteRecords)", tp.str(),
                                  outcomes[tp].low_watermark);
                }
            }
        });
    }
    DeleteRecordsResponseData response;
    for (const auto& t : request.topics) {
        auto& rt = response.topics.emplace_back();
        rt.name = t.name;
        for (const auto& p : t.partitions) {
            const Outcome& o = outcomes[TopicPartition{t.name, p.partition_index}];
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            rp.low_watermark = o.low_watermark;
            rp.error_code = code(o.error);
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
