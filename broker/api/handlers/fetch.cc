// Fetch: read from partition logs, long-polling until min_bytes or max_wait_ms (Kafka's
// handleFetchRequest, ReplicaManager.fetchMessages and DelayedFetch).
//
//  - versions 0-3 (message format v0/v1 only) answer UNSUPPORTED_VERSION per partition;
//  - a follower's fetch (replica_id >= 0, ClusterAction) first records how far that follower
//    has come (ReplicaManager::update_follower_fetch_state: the HW may rise, acks=all
//    produces complete, the ISR may expand), then reads like any other;
//  - consumers read up to the high watermark (READ_UNCOMMITTED) or the last stable offset;
//    brokers (replica_id >= 0) up to the log end;
//  - the first partition that has data may return one whole batch beyond the byte limits
//    (KIP-74), so a batch larger than max_bytes still makes progress;
//  - record bytes are never copied: responses carry file slices that the connection sendfiles;
//  - reads run on the network thread that read the request (locating a slice is index and
//    page-cache work). When a log's lock is held by a slow writer, or the data is not in the
//    page cache (a consumer catching up on old segments), the read moves to the I/O pool,
//    which also loads the slices into the page cache: the network thread never waits for the
//    disk, neither here nor in the sendfile that follows;
//  - incremental fetch sessions (KIP-227, fetch_session.h): an incremental request names only
//    what changed, and its response carries only the partitions with something new;
//  - v12 (flexible, KIP-595): a fetcher that says the epoch of its last record is told where its
//    log diverges from the leader's (DivergingEpoch) instead of getting records.

#include "broker/api/errors.h"
#include "broker/api/fetch_session.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/log/file_util.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/replica/replica_manager.h"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::FetchRequestData;
using Response = protocol::FetchResponseData;

constexpr int16_t kMinImplementedVersion = 4;

struct PartitionFetch {
    TopicPartition tp;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    int32_t current_leader_epoch = -1;
    int32_t last_fetched_epoch = -1;
    std::shared_ptr<replica::Partition> partition;
    ErrorCode error = ErrorCode::none;
    replica::PartitionRead read;
};

struct FetchPlan {
    std::vector<PartitionFetch> partitions;
    replica::FetchIsolation isolation = replica::FetchIsolation::high_watermark;
    bool from_follower = false;
    int32_t max_bytes = 0;
};

// The request's partitions and forgotten partitions, in request order.
std::vector<FetchPartitionData> requested_partitions(const Request& request) {
    std::vector<FetchPartitionData> out;
    for (const auto& topic : request.topics) {
        for (const auto& part : topic.partitions) {
            FetchPartitionData d;
            d.tp = TopicPartition{topic.topic, part.partition};
            d.fetch_offset = part.fetch_offset;
            d.max_bytes = part.partition_max_bytes;
            d.current_leader_epoch = part.current_leader_epoch;
            d.log_start_offset = part.log_start_offset;
            d.last_fetched_epoch = part.last_fetched_epoch;
            out.push_back(std::move(d));
        }
    }
    return out;
}

std::vector<TopicPartition> forgotten_partitions(const Request& request) {
    std::vector<TopicPartition> out;
    for (const auto& topic : request.forgotten_topics_data) {
        for (int32_t p : topic.partitions) {
            out.push_back(TopicPartition{topic.topic, p});
        }
    }
    return out;
}

FetchPlan plan(const RequestContext& ctx, const Request& request,
               const std::vector<FetchPartitionData>& partitions) {
    FetchPlan p;
    p.from_follower = request.replica_id >= 0;
    p.isolation = p.from_follower                ? replica::FetchIsolation::log_end
                  : request.isolation_level == 1 ? replica::FetchIsolation::txn_committed
                                                 : replica::FetchIsolation::high_watermark;
    p.max_bytes = request.max_bytes;
    const bool follower_authorized =
        p.from_follower && ctx.authorize(auth::AclOperation::cluster_action,
                                         auth::ResourceType::cluster, "kafka-cluster");
    // Kafka asks once per topic; consecutive partitions of one topic share the answer.
    const std::string* last_topic = nullptr;
    bool last_readable = false;
    auto readable = [&](const std::string& topic) {
        if (last_topic == nullptr || *last_topic != topic) {
            last_topic = &topic;
            last_readable =
                ctx.authorize(auth::AclOperation::read, auth::ResourceType::topic, topic);
        }
        return last_readable;
    };
    for (const auto& part : partitions) {
        PartitionFetch f;
        f.tp = part.tp;
        f.fetch_offset = part.fetch_offset;
        f.max_bytes = part.max_bytes;
        f.current_leader_epoch = part.current_leader_epoch;
        f.last_fetched_epoch = part.last_fetched_epoch;
        if (ctx.api_version < kMinImplementedVersion) {
            f.error = ErrorCode::unsupported_version;
        } else if (p.from_follower && !follower_authorized) {
            f.error = ErrorCode::topic_authorization_failed;  // as Kafka answers it
        } else if (!p.from_follower && !readable(part.tp.topic)) {
            f.error = ErrorCode::topic_authorization_failed;
        }
        p.partitions.push_back(std::move(f));
    }
    return p;
}

// Returns the number of record bytes read; nullopt (ReadMode::non_blocking only) when a log
// was busy for longer than a moment, and the whole read must be done again where waiting is
// fine (reads change nothing, and the byte budgets depend on the partitions before).
std::optional<int64_t> read_all(FetchPlan& plan, replica::ReplicaManager& replicas,
                                log::ReadMode mode) {
    int64_t total = 0;
    for (auto& f : plan.partitions) {
        if (f.error != ErrorCode::none && f.error != ErrorCode::not_leader_or_follower &&
            f.error != ErrorCode::unknown_topic_or_partition) {
            continue;
        }
        f.error = ErrorCode::none;
        f.read = {};
        if (!f.partition) {
            f.partition = replicas.get_partition(f.tp);
        }
        if (!f.partition) {
            f.error = replicas.missing_partition_error(f.tp);
            continue;
        }
        const int32_t budget =
            static_cast<int32_t>(std::clamp<int64_t>(plan.max_bytes - total, 0, f.max_bytes));
        auto read = f.partition->read(f.fetch_offset, budget, f.current_leader_epoch,
                                      plan.isolation, /*min_one_batch=*/total == 0,
                                      /*fetch_only_from_leader=*/true, mode, f.last_fetched_epoch);
        if (!read && read.error() == log::Errc::would_block) {
            return std::nullopt;
        }
        if (!read) {
            f.error = to_kafka(read.error());
            continue;
        }
        f.read = std::move(read).value();
        total += f.read.records.size_bytes();
    }
    return total;
}

// On the I/O pool, when a read on the network thread would have waited: the read itself, then
// the slices it returned are read into the page cache, so that the connection's sendfile on
// the network thread finds them there (Kafka sends whatever the fetch returned from its
// network threads, cold or not: KAFKA-7504).
int64_t read_all_and_load(FetchPlan& plan, replica::ReplicaManager& replicas) {
    int64_t bytes = *read_all(plan, replicas, log::ReadMode::may_block);
    for (const auto& f : plan.partitions) {
        for (const auto& slice : f.read.records.slices()) {
            // A failure here is the disk's, and the sendfile will report it to this client.
            (void)log::load_into_page_cache(slice.file->fd(), slice.position, slice.size,
                                            slice.file->path());
        }
    }
    return bytes;
}

// Kafka's updateFollowerFetchState, before the read: the HW the response carries then already
// counts this follower's progress.
void record_follower_progress(FetchPlan& plan, int32_t replica, replica::ReplicaManager& replicas) {
    for (auto& f : plan.partitions) {
        if (f.error != ErrorCode::none) {
            continue;
        }
        if (!f.partition) {
            f.partition = replicas.get_partition(f.tp);
        }
        if (f.partition) {
            // NOT_LEADER_OR_FOLLOWER and the epoch errors are what the read answers too.
            (void)replicas.update_follower_fetch_state(f.partition, replica, f.fetch_offset,
                                                       f.current_leader_epoch);
        }
    }
}

bool has_error(const FetchPlan& plan) {
    return std::any_of(plan.partitions.begin(), plan.partitions.end(),
                       [](const auto& f) { return f.error != ErrorCode::none; });
}

// Kafka's BrokerTopicMetrics for the partitions read (readFromLocalLog) and the bytes sent
// (updateBytesOut), and the response's errors.
void record_metrics(const FetchPlan& plan) {
    for (const auto& f : plan.partitions) {
        if (f.partition) {
            const auto& stats = f.partition->stats();
            stats.fetch_request();
            if (f.error != ErrorCode::none) {
                stats.failed_fetch_request();
            } else if (const auto bytes = f.read.records.size_bytes(); bytes > 0) {
                stats.bytes_out(static_cast<uint64_t>(bytes), plan.from_follower);
            }
        } else if (f.error != ErrorCode::none) {
            replica::failed_fetch_request_unknown_partition();
        }
        record_error(protocol::ApiKey::fetch, f.error, plan.from_follower);
    }
}

Response make_response(const FetchPlan& plan, FetchContext& session) {
    Response response;
    response.session_id = session.session_id();
    const std::string* current_topic = nullptr;
    for (const auto& f : plan.partitions) {
        PartitionAnswer answer;
        answer.has_error = f.error != ErrorCode::none;
        if (!answer.has_error) {
            answer.high_watermark = f.read.high_watermark;
            answer.last_stable_offset = f.read.last_stable_offset;
            answer.log_start_offset = f.read.log_start_offset;
            answer.has_records = f.read.records.size_bytes() > 0;
            answer.has_diverging_epoch = f.read.diverging_epoch.has_value();
        }
        if (!session.include(f.tp, answer)) {
            continue;  // incremental: nothing new for this partition
        }
        if (!current_topic || *current_topic != f.tp.topic) {
            response.responses.emplace_back();
            response.responses.back().topic = f.tp.topic;
            current_topic = &f.tp.topic;
        }
        Response::FetchablePartitionResponse p;
        p.partition = f.tp.partition;
        p.error_code = code(f.error);
        if (f.error == ErrorCode::none) {
            p.high_watermark = f.read.high_watermark;
            p.last_stable_offset = f.read.last_stable_offset;
            p.log_start_offset = f.read.log_start_offset;
            p.record_set = f.read.records;
            if (f.read.diverging_epoch) {
                p.diverging_epoch.epoch = f.read.diverging_epoch->epoch;
                p.diverging_epoch.end_offset = f.read.diverging_epoch->end_offset;
            }
        } else {
            p.high_watermark = -1;
            p.record_set = protocol::Records();
        }
        response.responses.back().partition_responses.push_back(std::move(p));
    }
    return response;
}

}  // namespace

HandlerResult handle_fetch(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    // Before v7 there are no sessions: the defaults (0, -1) ask for none.
    FetchContext session = ctx.broker.fetch_sessions->new_context(
        request.session_id, request.session_epoch, request.replica_id >= 0,
        requested_partitions(request), forgotten_partitions(request));
    if (session.error != ErrorCode::none) {
        Response response;
        response.error_code = code(session.error);
        response.session_id = 0;
        co_return ctx.respond(response);
    }

    ctx.follower_fetch = request.replica_id >= 0;
    FetchPlan fetch = plan(ctx, request, session.partitions);
    auto& replicas = *ctx.broker.replica_manager;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(request.max_wait_ms);

    // Watch before the first read, so an append between the read and the wait is not missed.
    std::shared_ptr<replica::Waiter> waiter;
    if (request.max_wait_ms > 0) {
        waiter = std::make_shared<replica::Waiter>(co_await boost::asio::this_coro::executor);
        for (auto& f : fetch.partitions) {
            f.partition = replicas.get_partition(f.tp);
            if (f.partition) {
                f.partition->add_watcher(waiter);
            }
        }
    }
    if (fetch.from_follower) {
        record_follower_progress(fetch, request.replica_id, replicas);
    }
    for (;;) {
        // On the network thread: reads locate file slices through the indexes and the page
        // cache; the record bytes themselves are sendfile'd later by the connection.
        auto bytes = read_all(fetch, replicas, log::ReadMode::non_blocking);
        if (!bytes) {
            bytes = co_await net::run_on(ctx.broker.io_pool,
                                         [&] { return read_all_and_load(fetch, replicas); });
        }
        if (!waiter || *bytes >= request.min_bytes || has_error(fetch) ||
            fetch.partitions.empty() || replicas.shutting_down()) {
            break;
        }
        if (!co_await waiter->wait_until(deadline) || replicas.shutting_down()) {
            break;  // timed out: answer with what there is, which read_all just read
        }
    }
    record_metrics(fetch);
    co_return ctx.respond(make_response(fetch, session));
}

}  // namespace samsa::api
