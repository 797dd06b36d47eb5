// ElectLeaders (Kafka's handleElectReplicaLeader; KIP-183, KIP-460): elect the preferred
// replica — or, with ElectionType UNCLEAN, any live replica of a partition none of whose
// in-sync replicas is live — of the given partitions; null means every partition this broker's
// metadata cache knows. Versions 0-2 (v0 is always PREFERRED; v2 is flexible). It needs ALTER
// on the cluster.
//
// As in Kafka, the broker hands the partitions to its own controller (ReplicaManager.
// electLeaders → KafkaController.electLeaders): a broker that is not the active controller
// answers NOT_CONTROLLER for every partition and the admin client looks for the controller.
// The request's coroutine is suspended, not the network thread, while the controller event
// runs; then, as Kafka's DelayedElectLeader does, it waits until this broker's metadata cache
// shows each elected leader, up to TimeoutMs: REQUEST_TIMED_OUT for those still missing (the
// election itself has happened). Asked for every partition, the response leaves out those
// whose election was not needed.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/protocol/generated/elect_leaders_request.h"
#include "broker/protocol/generated/elect_leaders_response.h"
#include "broker/replica/metadata_cache.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <utility>

namespace samsa::api {

namespace {

namespace asio = boost::asio;
using controller::ElectionOutcome;
using controller::ElectionOutcomes;
using controller::ElectionType;
using protocol::ElectLeadersRequestData;
using protocol::ElectLeadersResponseData;
using protocol::ErrorCode;

// The controller's outcomes, resumed on the calling coroutine's executor (see
// controlled_shutdown.cc: the callback only posts).
auto await_elect_leaders(controller::KafkaController& controller,
                         std::set<TopicPartition> partitions, ElectionType type) {
    auto init = [&controller, partitions = std::move(partitions), type](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        controller.elect_leaders(std::move(partitions), type, [shared](ElectionOutcomes result) {
            auto home = asio::get_associated_executor(*shared);
            asio::post(home, [shared, result = std::move(result)]() mutable {
                std::move (*shared)(std::move(result));
            });
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(ElectionOutcomes)>(
        std::move(init), asio::use_awaitable);
}

// Kafka's DelayedElectLeader: waits until the metadata cache names each elected leader, or
// the deadline, which turns the ones still missing into REQUEST_TIMED_OUT.
asio::awaitable<void> await_leaders_in_metadata(replica::MetadataCache& cache,
                                                ElectionOutcomes& outcomes, int32_t timeout_ms) {
    std::map<TopicPartition, int32_t> waiting;
    for (const auto& [tp, o] : outcomes) {
        if (o.error == ErrorCode::none) {
            waiting[tp] = o.leader;
        }
    }
    if (waiting.empty()) {
        co_return;
    }
    auto waiter = std::make_shared<replica::Waiter>(co_await asio::this_coro::executor);
    cache.watchers().add(waiter);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
    for (;;) {
        auto snapshot = cache.snapshot();
        std::erase_if(waiting, [&](const auto& entry) {
            const auto* p = snapshot->partition(entry.first);
            return p != nullptr && p->leader == entry.second;
        });
        if (waiting.empty() || !co_await waiter->wait_until(deadline)) {
            break;
        }
    }
    for (const auto& [tp, leader] : waiting) {
        outcomes[tp] = ElectionOutcome{-1, ErrorCode::request_timed_out, std::nullopt};
    }
}

std::set<TopicPartition> requested_partitions(const ElectLeadersRequestData& request) {
    std::set<TopicPartition> out;
    if (request.topic_partitions) {
        for (const auto& t : *request.topic_partitions) {
            for (int32_t p : t.partition_id) {
                out.insert(TopicPartition{t.topic, p});
            }
        }
    }
    return out;
}

std::set<TopicPartition> all_partitions(const replica::MetadataSnapshot& snapshot) {
    std::set<TopicPartition> out;
    for (const auto& [topic, state] : snapshot.topics) {
        for (const auto& [p, s] : state.partitions) {
            out.insert(TopicPartition{topic, p});
        }
    }
    return out;
}

ElectLeadersResponseData to_response(ErrorCode error, const ElectionOutcomes& outcomes) {
    ElectLeadersResponseData response;
    response.error_code = code(error);
    std::map<std::string, ElectLeadersResponseData::ReplicaElectionResult> by_topic;
    for (const auto& [tp, o] : outcomes) {
        auto& topic = by_topic[tp.topic];
        topic.topic = tp.topic;
        ElectLeadersResponseData::PartitionResult p;
        p.partition_id = tp.partition;
        p.error_code = code(o.error);
        p.error_message = o.message;
        topic.partition_result.push_back(std::move(p));
    }
    for (auto& [name, topic] : by_topic) {
        response.replica_election_results.push_back(std::move(topic));
    }
    return response;
}

// What Kafka answers when the request cannot be served at all (its getErrorResponse): the error
// at the top and for every partition listed.
ElectLeadersResponseData error_response(const ElectLeadersRequestData& request, ErrorCode error,
                                        std::optional<std::string> message) {
    ElectionOutcomes outcomes;
    for (const auto& tp : requested_partitions(request)) {
        outcomes[tp] = ElectionOutcome{-1, error, message};
    }
    return to_response(error, outcomes);
}

}  // namespace

HandlerResult handle_elect_leaders(RequestContext& ctx, protocol::Reader& body) {
    ElectLeadersRequestData request;
    request.decode(body, ctx.api_version);
    if (!ctx.authorize(auth::AclOperation::alter, auth::ResourceType::cluster, "kafka-cluster")) {
        co_return ctx.respond(
            error_response(request, ErrorCode::cluster_authorization_failed, std::nullopt));
    }
    const int8_t type = ctx.api_version == 0 ? 0 : request.election_type;
    if (type != static_cast<int8_t>(ElectionType::preferred) &&
        type != static_cast<int8_t>(ElectionType::unclean)) {
        // Kafka's ElectionType.valueOf throws, which becomes UNKNOWN_SERVER_ERROR.
        co_return ctx.respond(error_response(
            request, ErrorCode::unknown_server_error,
            "The server experienced an unexpected error when processing the request."));
    }
    const bool all = !request.topic_partitions.has_value();
    auto partitions = all ? all_partitions(*ctx.broker.metadata_cache->snapshot())
                          : requested_partitions(request);
    if (ctx.broker.controller == nullptr) {
        ElectionOutcomes none;
        for (const auto& tp : partitions) {
            none[tp] = ElectionOutcome{-1, ErrorCode::not_controller, std::nullopt};
        }
        co_return ctx.respond(to_response(ErrorCode::none, none));
    }
    ElectionOutcomes outcomes = co_await await_elect_leaders(
        *ctx.broker.controller, std::move(partitions), static_cast<ElectionType>(type));
    co_await await_leaders_in_metadata(*ctx.broker.metadata_cache, outcomes, request.timeout_ms);
    if (all) {
        std::erase_if(outcomes, [](const auto& entry) {
            return entry.second.error == ErrorCode::election_not_needed;
        });
    }
    co_return ctx.respond(to_response(ErrorCode::none, outcomes));
}

}  // namespace samsa::api
