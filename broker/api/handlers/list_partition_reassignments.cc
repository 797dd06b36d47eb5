// ListPartitionReassignments (KIP-455; Kafka's handleListPartitionReassignmentsRequest): the
// partitions being moved — all of them, or those asked about — with their full replica list
// (targets first, then the replicas leaving), the replicas being added and those being removed.
// Version 0, flexible. It needs DESCRIBE on the cluster. Answered by the active controller's
// event (KafkaController::list_partition_reassignments); any other broker answers
// NOT_CONTROLLER.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/protocol/generated/list_partition_reassignments_request.h"
#include "broker/protocol/generated/list_partition_reassignments_response.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <memory>
#include <set>
#include <utility>

namespace samsa::api {

namespace {

namespace asio = boost::asio;
using controller::ListReassignmentsResult;
using protocol::ErrorCode;
using protocol::ListPartitionReassignmentsRequestData;
using protocol::ListPartitionReassignmentsResponseData;

auto await_list_reassignments(controller::KafkaController& controller,
                              std::optional<std::set<TopicPartition>> partitions) {
    auto init = [&controller, partitions = std::move(partitions)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        controller.list_partition_reassignments(
            std::move(partitions), [shared](ListReassignmentsResult result) {
                auto home = asio::get_associated_executor(*shared);
                asio::post(home, [shared, result = std::move(result)]() mutable {
                    std::move (*shared)(std::move(result));
                });
            });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(ListReassignmentsResult)>(
        std::move(init), asio::use_awaitable);
}

std::optional<std::set<TopicPartition>> requested_partitions(
    const ListPartitionReassignmentsRequestData& request) {
    if (!request.topics) {
        return std::nullopt;
    }
    std::set<TopicPartition> out;
    for (const auto& t : *request.topics) {
        for (int32_t p : t.partition_indexes) {
            out.insert(TopicPartition{t.name, p});
        }
    }
    return out;
}

ListPartitionReassignmentsResponseData to_response(const ListReassignmentsResult& result) {
    ListPartitionReassignmentsResponseData response;
    std::map<std::string, ListPartitionReassignmentsResponseData::OngoingTopicReassignment>
        by_topic;
    for (const auto& [tp, assignment] : result.partitions) {
        auto& topic = by_topic[tp.topic];
        topic.name = tp.topic;
        ListPartitionReassignmentsResponseData::OngoingPartitionReassignment p;
        p.partition_index = tp.partition;
        p.replicas = assignment.replicas;
        p.adding_replicas = assignment.adding;
        p.removing_replicas = assignment.removing;
        topic.partitions.push_back(std::move(p));
    }
    for (auto& [name, topic] : by_topic) {
        response.topics.push_back(std::move(topic));
    }
    return response;
}

}  // namespace

HandlerResult handle_list_partition_reassignments(RequestContext& ctx, protocol::Reader& body) {
    ListPartitionReassignmentsRequestData request;
    request.decode(body, ctx.api_version);
    ListPartitionReassignmentsResponseData response;
    if (!ctx.authorize(auth::AclOperation::describe, auth::ResourceType::cluster,
                       "kafka-cluster")) {
        response.error_code = code(ErrorCode::cluster_authorization_failed);
        response.error_message = "Cluster authorization failed.";
        co_return ctx.respond(response);
    }
    ListReassignmentsResult result{ErrorCode::not_controller, {}};
    if (ctx.broker.controller != nullptr) {
        result = co_await await_list_reassignments(*ctx.broker.controller,
                                                   requested_partitions(request));
    }
    if (result.error != ErrorCode::none) {
        response.error_code = code(result.error);
        response.error_message = "This is not the correct controller for this cluster.";
        co_return ctx.respond(response);
    }
    co_return ctx.respond(to_response(result));
}

}  // namespace samsa::api
