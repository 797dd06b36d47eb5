// AlterPartitionReassignments (KIP-455; Kafka's handleAlterPartitionReassignmentsRequest): move
// partitions to new replica lists, or cancel moves in progress (null replicas). Version 0,
// flexible. It needs ALTER on the cluster.
//
// The broker hands the request to its own controller (KafkaController::
// alter_partition_reassignments), whose event answers NOT_CONTROLLER at the top unless it is
// the active controller; the admin client then looks for the controller. The answer comes once
// each move has started (or failed validation): the moves themselves go on afterwards, and
// ListPartitionReassignments shows them until they complete. TimeoutMs is not used, as in Kafka.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/protocol/generated/alter_partition_reassignments_request.h"
#include "broker/protocol/generated/alter_partition_reassignments_response.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <memory>
#include <utility>

namespace samsa::api {

namespace {

namespace asio = boost::asio;
using controller::AlterReassignmentsResult;
using controller::ApiError;
using protocol::AlterPartitionReassignmentsRequestData;
using protocol::AlterPartitionReassignmentsResponseData;
using protocol::ErrorCode;

// The controller's answer, resumed on the calling coroutine's executor (see
// controlled_shutdown.cc: the callback only posts).
auto await_alter_reassignments(controller::KafkaController& controller,
                               controller::ReassignmentTargets targets) {
    auto init = [&controller, targets = std::move(targets)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        controller.alter_partition_reassignments(
            std::move(targets), [shared](AlterReassignmentsResult result) {
                auto home = asio::get_associated_executor(*shared);
                asio::post(home, [shared, result = std::move(result)]() mutable {
                    std::move (*shared)(std::move(result));
                });
            });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(AlterReassignmentsResult)>(
        std::move(init), asio::use_awaitable);
}

controller::ReassignmentTargets requested_targets(
    const AlterPartitionReassignmentsRequestData& request) {
    controller::ReassignmentTargets targets;
    for (const auto& topic : request.topics) {
        for (const auto& p : topic.partitions) {
            targets[TopicPartition{topic.name, p.partition_index}] = p.replicas;
        }
    }
    return targets;
}

AlterPartitionReassignmentsResponseData to_response(
    const std::map<TopicPartition, ApiError>& results) {
    AlterPartitionReassignmentsResponseData response;
    std::map<std::string, AlterPartitionReassignmentsResponseData::ReassignableTopicResponse>
        by_topic;
    for (const auto& [tp, result] : results) {
        auto& topic = by_topic[tp.topic];
        topic.name = tp.topic;
        AlterPartitionReassignmentsResponseData::ReassignablePartitionResponse p;
        p.partition_index = tp.partition;
        p.error_code = code(result.error);
        p.error_message = result.message;
        topic.partitions.push_back(std::move(p));
    }
    for (auto& [name, topic] : by_topic) {
        response.responses.push_back(std::move(topic));
    }
    return response;
}

// Kafka's getErrorResponse: the error at the top and for every partition asked about.
AlterPartitionReassignmentsResponseData error_response(
    const AlterPartitionReassignmentsRequestData& request, ErrorCode error,
    std::optional<std::string> message) {
    std::map<TopicPartition, ApiError> results;
    for (const auto& [tp, target] : requested_targets(request)) {
        results[tp] = ApiError{error, message};
    }
    auto response = to_response(results);
    response.error_code = code(error);
    response.error_message = std::move(message);
    return response;
}

}  // namespace

HandlerResult handle_alter_partition_reassignments(RequestContext& ctx, protocol::Reader& body) {
    AlterPartitionReassignmentsRequestData request;
    request.decode(body, ctx.api_version);
    if (!ctx.authorize(auth::AclOperation::alter, auth::ResourceType::cluster, "kafka-cluster")) {
        co_return ctx.respond(error_response(request, ErrorCode::cluster_authorization_failed,
                                             "Cluster authorization failed."));
    }
    AlterReassignmentsResult result{ErrorCode::not_controller, {}};
    if (ctx.broker.controller != nullptr) {
        result =
            co_await await_alter_reassignments(*ctx.broker.controller, requested_targets(request));
    }
    if (result.error != ErrorCode::none) {
        // Kafka answers a top-level error (NOT_CONTROLLER) with no partitions.
        AlterPartitionReassignmentsResponseData response;
        response.error_code = code(result.error);
        response.error_message = "This is not the correct controller for this cluster.";
        co_return ctx.respond(response);
    }
    co_return ctx.respond(to_response(result.partitions));
}

}  // namespace samsa::api
