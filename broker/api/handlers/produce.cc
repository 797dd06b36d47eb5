// Produce: append each partition's records to its leader log (Kafka's handleProduceRequest and
// ReplicaManager.appendRecords).
//
//  - acks must be 0, 1 or -1 (INVALID_REQUIRED_ACKS);
//  - versions 0-2 carry message format v0/v1, which Samsa does not store: UNSUPPORTED_VERSION;
//  - records are appended straight from the request frame (the log patches offsets in place;
//    nothing is copied), on the network thread that read the request: writing to the page
//    cache costs less than handing the request to another thread. What may block goes to
//    the I/O pool instead: an append that must roll a segment or start a leader epoch, or
//    finds the log locked by a slow writer (log::Errc::would_block), batches of 64 KiB and
//    more, every append while the kernel is about to throttle writers
//    (log/write_pressure.h), and the flushes that flush.messages asks for before the response;
//  - acks=-1 waits until the high watermark passes every appended batch or timeout_ms;
//  - acks=0 gets no response, and any error closes the connection so the producer notices.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/log/write_pressure.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/replica/replica_manager.h"
#include "common/logging.h"

#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::ProduceRequestData;
using Response = protocol::ProduceResponseData;

constexpr int16_t kMinImplementedVersion = 3;

// Larger batches are appended on the I/O pool: copying them into the page cache takes tens of
// microseconds anyway, so the hop adds little, and they are the writes that fill the page
// cache fastest, so the ones the kernel throttles first. Small batches, where a hop would cost
// more than the append, stay on the network thread.
constexpr int64_t kInlineAppendMaxBytes = 64 * 1024;

// One partition of the request on its way through the handler.
struct PartitionAppend {
    TopicPartition tp;
    protocol::Records records;
    std::shared_ptr<replica::Partition> partition;
    ErrorCode error = ErrorCode::none;
    log::AppendInfo info;
    bool deferred = false;  // to be appended on the I/O pool
    bool appended = false;  // written to the log (the response may still be an error)
};

std::vector<PartitionAppend> collect(const Request& request) {
    std::vector<PartitionAppend> out;
    for (const auto& topic : request.topic_data) {
        for (const auto& p : topic.partition_data) {
            out.push_back(PartitionAppend{TopicPartition{topic.name, p.index}, p.records});
        }
    }
    return out;
}

ErrorCode request_level_error(const RequestContext& ctx, const Request& request) {
    if (ctx.api_version < kMinImplementedVersion) {
        return ErrorCode::unsupported_version;
    }
    if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
        return ErrorCode::invalid_required_acks;
    }
    if (request.transactional_id) {
        return ErrorCode::transactional_id_authorization_failed;  // no transactions yet
    }
    return ErrorCode::none;
}

// Finds each partition and checks what can be checked before appending. False if the
// partition cannot take the append (a.error says why).
bool prepare_append(PartitionAppend& a, replica::ReplicaManager& replicas) {
    if (a.error != ErrorCode::none) {
        return false;
    }
    a.partition = replicas.get_partition(a.tp);
    if (!a.partition) {
        a.error = replicas.missing_partition_error(a.tp);
        return false;
    }
    if (a.records.is_null() || a.records.size_bytes() == 0) {
        a.error = ErrorCode::invalid_record;
        return false;
    }
    return true;
}

result<log::AppendInfo> append_one(PartitionAppend& a, int16_t acks, log::AppendMode mode) {
    // min.insync.replicas is a topic config (the broker's value unless overridden).
    int32_t min_isr = a.partition->log()->config().min_insync_replicas;
    return a.partition->append_records_to_leader(a.records.mutable_bytes(), acks, min_isr, mode);
}

void record(PartitionAppend& a, const result<log::AppendInfo>& appended) {
    if (appended) {
        a.info = appended.value();
        a.appended = true;
    } else {
        a.error = to_kafka(appended.error());
    }
}

// On the network thread: every append that need not block. Returns whether any partition is
// left for the I/O pool (deferred, or a flush due).
bool append_inline(std::vector<PartitionAppend>& appends, replica::ReplicaManager& replicas,
                   log::WritePressure& pressure, int16_t acks) {
    bool pool_work = false;
    for (auto& a : appends) {
        if (!prepare_append(a, replicas)) {
            continue;
        }
        if (pressure.high() || a.records.size_bytes() >= kInlineAppendMaxBytes) {
            a.deferred = pool_work = true;
            continue;
        }
        auto appended = [&] {
            log::WritePressure::WriteProbe probe(pressure);
            return append_one(a, acks, log::AppendMode::non_blocking);
        }();
        if (!appended && appended.error() == log::Errc::would_block) {
            a.deferred = pool_work = true;
            continue;
        }
        record(a, appended);
        if (appended) {
            pressure.wrote(appended.value().valid_bytes);
            pool_work = pool_work || appended.value().flush_due;
        }
    }
    return pool_work;
}

// On the I/O pool: the deferred appends, then the flushes the flush policy asks for before
// the producer is answered (as Kafka flushes inside its append).
void append_on_pool(std::vector<PartitionAppend>& appends, int16_t acks,
                    log::WritePressure& pressure) {
    for (auto& a : appends) {
        if (a.deferred) {
            log::WritePressure::PoolWriteProbe probe(pressure);
            record(a, append_one(a, acks, log::AppendMode::may_block));
        } else if (a.error == ErrorCode::none && a.info.flush_due) {
            if (auto flushed = a.partition->log()->flush(); !flushed) {
                a.error = to_kafka(flushed.error());
            }
        }
    }
}

// Re-checks the partitions still waiting for replication; records errors (leadership lost)
// as it meets them. Returns whether any partition is still waiting.
bool still_replicating(std::vector<PartitionAppend>& appends, bool give_up) {
    bool pending = false;
    for (auto& a : appends) {
        if (a.error != ErrorCode::none) {
            continue;
        }
        auto done = a.partition->is_replicated(a.info.last_offset,
                                               a.partition->log()->config().min_insync_replicas);
        if (!done) {
            a.error = to_kafka(done.error());
        } else if (!done.value()) {
            if (give_up) {
                a.error = ErrorCode::request_timed_out;
            }
            pending = true;
        }
    }
    return pending;
}

// acks=-1: waits until every appended partition's high watermark passes its last offset, or
// the request's timeout (Kafka's DelayedProduce).
boost::asio::awaitable<void> await_replication(std::vector<PartitionAppend>& appends,
                                               int32_t timeout_ms,
                                               const replica::ReplicaManager& replicas) {
    auto waiter = std::make_shared<replica::Waiter>(co_await boost::asio::this_coro::executor);
    for (auto& a : appends) {
        if (a.error == ErrorCode::none) {
            a.partition->add_watcher(waiter);
        }
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (still_replicating(appends, false)) {
        // Shutting down: what is not replicated yet is answered REQUEST_TIMED_OUT now.
        if (replicas.shutting_down() || !co_await waiter->wait_until(deadline)) {
            still_replicating(appends, true);
            co_return;
        }
    }
}

// Kafka's BrokerTopicMetrics for the partitions appended to (ReplicaManager.appendToLocalLog:
// a retried batch an idempotent producer had already written counts no messages), and the
// request's errors.
void record_metrics(const std::vector<PartitionAppend>& appends) {
    for (const auto& a : appends) {
        if (a.partition) {
            const auto& stats = a.partition->stats();
            stats.produce_request();
            if (a.appended && !a.info.duplicate) {
                stats.messages_in(static_cast<uint64_t>(a.info.record_count),
                                  static_cast<uint64_t>(a.records.size_bytes()));
            }
            if (a.error != ErrorCode::none) {
                stats.failed_produce_request();
            }
        } else if (a.error != ErrorCode::none) {
            replica::failed_produce_request_unknown_partition();
        }
        record_error(protocol::ApiKey::produce, a.error);
    }
}

Response make_response(const Request& request, const std::vector<PartitionAppend>& appends) {
    Response response;
    size_t i = 0;
    for (const auto& topic : request.topic_data) {
        Response::TopicProduceResponse t;
        t.name = topic.name;
        for (size_t k = 0; k < topic.partition_data.size(); ++k, ++i) {
            const auto& a = appends[i];
            Response::PartitionProduceResponse p;
            p.index = a.tp.partition;
            p.error_code = code(a.error);
            if (a.error == ErrorCode::none) {
                p.base_offset = a.info.first_offset;
                p.log_append_time_ms = a.info.log_append_time;
                p.log_start_offset = a.info.log_start_offset;
            } else {
                p.base_offset = -1;
            }
            t.partition_responses.push_back(std::move(p));
        }
        response.responses.push_back(std::move(t));
    }
    return response;
}

}  // namespace

HandlerResult handle_produce(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    auto appends = collect(request);

    ErrorCode request_error = request_level_error(ctx, request);
    // Kafka asks once per topic; a topic's partitions are consecutive here.
    const std::string* last_topic = nullptr;
    bool last_writable = false;
    for (auto& a : appends) {
        if (request_error != ErrorCode::none) {
            a.error = request_error;
            continue;
        }
        if (last_topic == nullptr || *last_topic != a.tp.topic) {
            last_topic = &a.tp.topic;
            last_writable =
                ctx.authorize(auth::AclOperation::write, auth::ResourceType::topic, a.tp.topic);
        }
        if (!last_writable) {
            a.error = ErrorCode::topic_authorization_failed;
        }
    }
    if (request_error == ErrorCode::none) {
        auto& replicas = *ctx.broker.replica_manager;
        if (append_inline(appends, replicas, *ctx.broker.write_pressure, request.acks)) {
            co_await net::run_on(ctx.broker.io_pool, [&] {
                append_on_pool(appends, request.acks, *ctx.broker.write_pressure);
            });
        }
        if (request.acks == -1) {
            co_await await_replication(appends, request.timeout_ms, replicas);
        }
    }
    record_metrics(appends);

    if (request.acks == 0) {
        net::HandlerOutcome none;
        for (const auto& a : appends) {
            if (a.error != ErrorCode::none) {
                // The producer reads no response; closing is how it learns (Kafka does this).
                get_logger("api")->info("closing acks=0 producer connection from {}: {} on {}",
                                        ctx.session.client_host, protocol::error_name(a.error),
                                        a.tp);
                none.close_connection = true;
                break;
            }
        }
        co_return none;
    }
    co_return ctx.respond(make_response(request, appends));
}

}  // namespace samsa::api
