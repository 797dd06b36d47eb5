// CreatePartitions (Kafka's handleCreatePartitionsRequest): served by the active controller
// only. Duplicated topics, topics the client may not ALTER and topics queued for deletion are
// answered at once; the others go to the AdminManager, which rewrites each topic's znode. The
// controller's watch on that znode creates the partitions; like Kafka's DelayedCreatePartitions
// the answer waits, up to the request's timeout, until every partition of each grown topic has
// a leader in this broker's metadata. A timeout (and, as in Kafka, a timeout of 0) answers
// REQUEST_TIMED_OUT; the partitions are still created.

#include "broker/api/admin_manager.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/await_metadata.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/create_partitions_request.h"
#include "broker/protocol/generated/create_partitions_response.h"
#include "broker/replica/metadata_cache.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::CreatePartitionsRequestData;

NewPartitions to_new_partitions(const Request::CreatePartitionsTopic& t) {
    NewPartitions n;
    n.name = t.name;
    n.count = t.count;
    if (t.assignments) {
        n.assignments.emplace();
        for (const auto& a : *t.assignments) {
            n.assignments->push_back(a.broker_ids);
        }
    }
    return n;
}

// The ZooKeeper half, on the I/O pool: the registered brokers once, then each valid topic.
// A failure to read the brokers (or brokers with and without racks) fails the whole request
// with UNKNOWN_SERVER_ERROR, as the exception from Kafka's getBrokerMetadatas does.
void create_on_io_pool(AdminManager& admin, const Request& request,
                       const std::vector<size_t>& valid, std::vector<TopicOutcome>& outcomes) {
    auto brokers = admin.registered_brokers();
    if (!brokers || has_mixed_racks(*brokers)) {
        std::fill(outcomes.begin(), outcomes.end(),
                  TopicOutcome{ErrorCode::unknown_server_error, std::nullopt});
        return;
    }
    for (size_t i : valid) {
        outcomes[i] = admin.create_partitions(to_new_partitions(request.topics[i]),
                                              request.validate_only, *brokers);
    }
}

// Every partition below `count` has a leader (Kafka's DelayedCreatePartitions.isMissingLeader).
bool all_have_leaders(const replica::MetadataSnapshot& s, const std::string& topic, int32_t count) {
    auto it = s.topics.find(topic);
    if (it == s.topics.end()) {
        return false;
    }
    for (int32_t p = 0; p < count; ++p) {
        auto part = it->second.partitions.find(p);
        if (part == it->second.partitions.end() || part->second.leader < 0) {
            return false;
        }
    }
    return true;
}

}  // namespace

HandlerResult handle_create_partitions(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    std::map<std::string, int> count;
    for (const auto& t : request.topics) {
        ++count[t.name];
    }
    const bool is_controller = ctx.broker.controller->is_active();
    std::vector<TopicOutcome> outcomes(request.topics.size());
    std::vector<size_t> valid;
    for (size_t i = 0; i < request.topics.size(); ++i) {
        const auto& name = request.topics[i].name;
        if (!is_controller) {
            outcomes[i] = {ErrorCode::not_controller, std::nullopt};
        } else if (count[name] > 1) {
            outcomes[i] = {ErrorCode::invalid_request, "Duplicate topic in request."};
        } else if (!ctx.authorize(auth::AclOperation::alter, auth::ResourceType::topic, name)) {
            outcomes[i] = {ErrorCode::topic_authorization_failed,
                           "The topic authorization is failed."};
        } else {
            valid.push_back(i);
        }
    }
    if (!valid.empty()) {
        co_await net::run_on(ctx.broker.io_pool, [&] {
            create_on_io_pool(*ctx.broker.admin, request, valid, outcomes);
        });
    }

    std::map<std::string, int32_t> grown;  // topic -> new partition count
    for (size_t i : valid) {
        if (outcomes[i].error == ErrorCode::none && !request.validate_only) {
            grown[request.topics[i].name] = request.topics[i].count;
        }
    }
    std::set<std::string> late;
    if (!grown.empty() && request.timeout_ms > 0) {
        std::set<std::string> pending;
        for (const auto& [name, n] : grown) {
            pending.insert(name);
        }
        late = co_await await_metadata(
            *ctx.broker.metadata_cache, std::move(pending), request.timeout_ms,
            [&grown](const replica::MetadataSnapshot& s, const std::string& topic) {
                return all_have_leaders(s, topic, grown.at(topic));
            });
    } else {
        for (const auto& [name, n] : grown) {
            late.insert(name);
        }
    }

    protocol::CreatePartitionsResponseData response;
    std::set<std::string> answered;
    for (size_t i = 0; i < request.topics.size(); ++i) {
        const auto& name = request.topics[i].name;
        if (!answered.insert(name).second) {
            continue;  // Kafka answers a duplicated topic once
        }
        protocol::CreatePartitionsResponseData::CreatePartitionsTopicResult r;
        r.name = name;
        if (late.contains(name)) {
            outcomes[i] = {ErrorCode::request_timed_out, std::nullopt};
        }
        r.error_code = code(outcomes[i].error);
        r.error_message = outcomes[i].message;
        response.results.push_back(std::move(r));
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
