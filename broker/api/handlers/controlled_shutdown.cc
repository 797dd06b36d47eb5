// ControlledShutdown (Kafka's handleControlledShutdownRequest): a broker about to stop asks the
// controller to move its partitions' leadership elsewhere. Versions 0-3; v2+ carry the broker
// epoch (KIP-380), v3 is flexible. It needs ClusterAction on the cluster.
//
// The work is a controller event (KafkaController::controlled_shutdown), which writes state
// znodes and may take a while; the request's coroutine is suspended until the event thread
// hands the result back, so the network thread serves its other connections meanwhile. A
// broker that is not the active controller answers NOT_CONTROLLER and the sender looks again.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/protocol/generated/controlled_shutdown_request.h"
#include "broker/protocol/generated/controlled_shutdown_response.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <utility>

namespace samsa::api {

namespace {

namespace asio = boost::asio;
using controller::ControlledShutdownResult;

// The controller's answer, resumed on the calling coroutine's executor. The controller calls
// back exactly once, from its event thread (or wherever it drops the event), and the callback
// only posts: no controller work runs on the network thread, no network work on the controller's.
auto await_controlled_shutdown(controller::KafkaController& controller, int32_t broker_id,
                               int64_t broker_epoch) {
    auto init = [&controller, broker_id, broker_epoch](auto handler) {
        // The controller keeps callbacks in a std::function, which must be copyable.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        controller.controlled_shutdown(
            broker_id, broker_epoch, [shared](ControlledShutdownResult result) {
                auto home = asio::get_associated_executor(*shared);
                asio::post(home, [shared, result = std::move(result)]() mutable {
                    std::move (*shared)(std::move(result));
                });
            });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(ControlledShutdownResult)>(
        std::move(init), asio::use_awaitable);
}

}  // namespace

HandlerResult handle_controlled_shutdown(RequestContext& ctx, protocol::Reader& body) {
    protocol::ControlledShutdownRequestData request;
    request.decode(body, ctx.api_version);
    protocol::ControlledShutdownResponseData response;
    if (!ctx.authorize(auth::AclOperation::cluster_action, auth::ResourceType::cluster,
                       "kafka-cluster")) {
        response.error_code = code(protocol::ErrorCode::cluster_authorization_failed);
        co_return ctx.respond(response);
    }
    if (ctx.broker.controller == nullptr) {
        response.error_code = code(protocol::ErrorCode::not_controller);
        co_return ctx.respond(response);
    }
    ControlledShutdownResult result = co_await await_controlled_shutdown(
        *ctx.broker.controller, request.broker_id, request.broker_epoch);
    response.error_code = code(result.error);
    for (const auto& tp : result.remaining_partitions) {
        protocol::ControlledShutdownResponseData::RemainingPartition p;
        p.topic_name = tp.topic;
        p.partition_index = tp.partition;
        response.remaining_partitions.push_back(std::move(p));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
