// FindCoordinator (v0-2; v3 is flexible and not advertised). The coordinator of a group is the
// leader of its __consumer_offsets partition (GroupCoordinator::partition_for); the answer is
// that broker's endpoint on the listener the request came in on.
//
//  - The first request of a cluster creates __consumer_offsets, as Kafka does, with
//    offsets.topic.num.partitions, offsets.topic.replication.factor (creation fails while fewer
//    brokers are alive), cleanup.policy=compact, compression.type=producer and
//    segment.bytes=offsets.topic.segment.bytes; the client is told COORDINATOR_NOT_AVAILABLE
//    and retries.
//  - No leader yet, or this broker is the leader in the metadata but has not become it yet:
//    COORDINATOR_NOT_AVAILABLE.
//  - Transactions are not implemented: a transactional id gets COORDINATOR_NOT_AVAILABLE.
//
// FindCoordinator v0 must stay advertised anyway: librdkafka enables LZ4 and its group
// consumer only when it is (rdkafka_feature.c).

#include "broker/api/admin_manager.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/group/group_coordinator.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/find_coordinator_request.h"
#include "broker/protocol/generated/find_coordinator_response.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "broker/server/kafka_config.h"
#include "common/logging.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Response = protocol::FindCoordinatorResponseData;

Response error_response(ErrorCode error, std::string message) {
    Response r;
    r.node_id = -1;
    r.port = -1;
    r.error_code = code(error);
    r.error_message = std::move(message);
    return r;
}

NewTopic offsets_topic(const server::KafkaConfig& config) {
    NewTopic t;
    t.name = group::kOffsetsTopic;
    t.num_partitions = config.offsets_topic_num_partitions;
    t.replication_factor = config.offsets_topic_replication_factor;
    t.configs["cleanup.policy"] = "compact";
    t.configs["compression.type"] = "producer";
    t.configs["segment.bytes"] = std::to_string(config.offsets_topic_segment_bytes);
    return t;
}

// On the I/O pool (ZooKeeper). Another broker creating it at the same time is fine.
void create_offsets_topic(BrokerServices& broker) {
    auto outcome = broker.admin->create_topic(offsets_topic(*broker.config), false);
    if (outcome.error != ErrorCode::none && outcome.error != ErrorCode::topic_already_exists) {
        get_logger("api")->warn("cannot create {} yet: {} {}", group::kOffsetsTopic,
                                protocol::error_name(outcome.error), outcome.message.value_or(""));
    } else if (outcome.error == ErrorCode::none) {
        get_logger("api")->info("created {}", group::kOffsetsTopic);
    }
}

}  // namespace

HandlerResult handle_find_coordinator(RequestContext& ctx, protocol::Reader& body) {
    protocol::FindCoordinatorRequestData request;
    request.decode(body, ctx.api_version);
    if (ctx.api_version > 2) {
        co_return ctx.respond(error_response(ErrorCode::unsupported_version, "unsupported"));
    }
    // Kafka checks Describe on the group (key type 0) or the transactional id (1) first.
    if (request.key_type == 0 &&
        !ctx.authorize(auth::AclOperation::describe, auth::ResourceType::group, request.key)) {
        co_return ctx.respond(
            error_response(ErrorCode::group_authorization_failed, "Group authorization failed."));
    }
    if (request.key_type == 1 &&
        !ctx.authorize(auth::AclOperation::describe, auth::ResourceType::transactional_id,
                       request.key)) {
        co_return ctx.respond(error_response(ErrorCode::transactional_id_authorization_failed,
                                             "Transactional Id authorization failed."));
    }
    if (request.key_type == 1) {
        co_return ctx.respond(error_response(ErrorCode::coordinator_not_available,
                                             "Transactions are not supported."));
    }
    if (request.key_type != 0) {
        co_return ctx.respond(error_response(ErrorCode::invalid_request, "Unknown key type."));
    }

    const int32_t partition = ctx.broker.group_coordinator->partition_for(request.key);
    auto snapshot = ctx.broker.metadata_cache->snapshot();
    if (!snapshot->topics.contains(group::kOffsetsTopic)) {
        co_await net::run_on(ctx.broker.io_pool, [&] { create_offsets_topic(ctx.broker); });
        co_return ctx.respond(error_response(ErrorCode::coordinator_not_available,
                                             "The coordinator is not available."));
    }
    const TopicPartition tp{group::kOffsetsTopic, partition};
    const auto* state = snapshot->partition(tp);
    if (state == nullptr || state->leader < 0) {
        co_return ctx.respond(error_response(ErrorCode::coordinator_not_available,
                                             "The coordinator is not available."));
    }
    if (state->leader == ctx.broker.broker_id) {
        auto local = ctx.broker.replica_manager->get_partition(tp);
        if (!local || !local->is_leader()) {
            co_return ctx.respond(error_response(ErrorCode::coordinator_not_available,
                                                 "The coordinator is not available."));
        }
    }
    auto broker = snapshot->brokers.find(state->leader);
    const auto* endpoint = broker == snapshot->brokers.end()
                               ? nullptr
                               : broker->second.endpoint(ctx.session.listener_name);
    if (endpoint == nullptr) {
        co_return ctx.respond(error_response(ErrorCode::coordinator_not_available,
                                             "The coordinator is not available."));
    }
    Response response;
    response.node_id = state->leader;
    response.host = endpoint->host;
    response.port = endpoint->port;
    response.error_message = std::nullopt;
    co_return ctx.respond(response);
}

}  // namespace samsa::api
