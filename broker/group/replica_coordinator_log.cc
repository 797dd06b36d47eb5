#include "broker/group/replica_coordinator_log.h"

#include "broker/log/errc.h"
#include "broker/replica/replica_manager.h"
#include "common/logging.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>

namespace samsa::group {

namespace asio = boost::asio;

namespace {

auto& logger() {
    static auto l = get_logger("group");
    return *l;
}

ErrorCode to_error(const std::error_code& ec) {
    if (!ec) {
        return ErrorCode::none;
    }
    if (ec.category() == protocol::kafka_category()) {
        return static_cast<ErrorCode>(ec.value());
    }
    if (ec.category() == log::log_category()) {
        switch (static_cast<log::Errc>(ec.value())) {
            case log::Errc::log_closed:
                return ErrorCode::not_leader_or_follower;
            case log::Errc::message_too_large:
                return ErrorCode::message_too_large;
            case log::Errc::record_list_too_large:
                return ErrorCode::record_list_too_large;
            case log::Errc::storage_error:
                return ErrorCode::kafka_storage_error;
            default:
                break;
        }
    }
    return ErrorCode::unknown_server_error;
}

// Waits (on a strand, as Waiter needs) until the HW passes `last_offset`.
asio::awaitable<void> await_replicated(std::shared_ptr<replica::Partition> partition,
                                       int64_t last_offset, int32_t timeout_ms,
                                       const replica::ReplicaManager* replicas,
                                       CoordinatorLog::Done done) {
    auto waiter = std::make_shared<replica::Waiter>(co_await asio::this_coro::executor);
    partition->add_watcher(waiter);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    const int32_t min_isr = partition->log()->config().min_insync_replicas;
    for (;;) {
        auto replicated = partition->is_replicated(last_offset, min_isr);
        if (!replicated) {
            done(to_error(replicated.error()));
            co_return;
        }
        if (replicated.value()) {
            done(ErrorCode::none);
            co_return;
        }
        if (replicas->shutting_down() || !co_await waiter->wait_until(deadline)) {
            auto last = partition->is_replicated(last_offset, min_isr);
            done(!last          ? to_error(last.error())
                 : last.value() ? ErrorCode::none
                                : ErrorCode::request_timed_out);
            co_return;
        }
    }
}

}  // namespace

ReplicaCoordinatorLog::ReplicaCoordinatorLog(replica::ReplicaManager& replicas,
                                             asio::any_io_executor io_pool)
    : replicas_(replicas), io_pool_(std::move(io_pool)) {}

void ReplicaCoordinatorLog::append(int32_t partition_id, Bytes batch, int16_t acks,
                                   int32_t timeout_ms, Done done) {
    asio::post(io_pool_, [this, partition_id, batch = std::move(batch), acks, timeout_ms,
                          done = std::move(done)]() mutable {
        auto partition = replicas_.get_partition(TopicPartition{kOffsetsTopic, partition_id});
        if (!partition) {
            done(ErrorCode::not_leader_or_follower);
            return;
        }
        const int32_t min_isr = partition->log()->config().min_insync_replicas;
        auto appended = partition->append_records_to_leader(batch, acks, min_isr);
        // Kafka's appendToLocalLog counts the coordinator's own appends like a client's.
        partition->stats().produce_request();
        if (!appended) {
            partition->stats().failed_produce_request();
            done(to_error(appended.error()));
            return;
        }
        partition->stats().messages_in(static_cast<uint64_t>(appended.value().record_count),
                                       batch.size());
        if (acks != -1) {
            done(ErrorCode::none);
            return;
        }
        asio::co_spawn(asio::make_strand(io_pool_),
                       await_replicated(partition, appended.value().last_offset, timeout_ms,
                                        &replicas_, std::move(done)),
                       asio::detached);
    });
}

void ReplicaCoordinatorLog::read(int32_t partition_id, int32_t max_bytes,
                                 std::function<void(std::span<const uint8_t>)> on_chunk,
                                 Done done) {
    asio::post(io_pool_, [this, partition_id, max_bytes, on_chunk = std::move(on_chunk),
                          done = std::move(done)] {
        const TopicPartition tp{kOffsetsTopic, partition_id};
        auto partition = replicas_.get_partition(tp);
        if (!partition) {
            done(ErrorCode::not_leader_or_follower);
            return;
        }
        // To the log end, not the high watermark, as Kafka's loader does: a new leader's HW
        // may still lag what it holds, and its log is the one that counts from now on.
        int64_t offset = partition->log()->log_start_offset();
        const int64_t end = partition->log()->log_end_offset();
        std::vector<uint8_t> buffer;
        while (offset < end) {
            auto read = partition->read(offset, max_bytes, -1, replica::FetchIsolation::log_end,
                                        true, false);
            if (!read) {
                logger().warn("{}: loading stopped at offset {}: {}", tp, offset,
                              read.error().message());
                done(to_error(read.error()));
                return;
            }
            buffer.clear();
            if (!read.value().records.materialize(buffer) || buffer.empty()) {
                break;
            }
            protocol::RecordBatchIterator batches(buffer);
            int64_t next = offset;
            while (auto batch = batches.next()) {
                next = batch->last_offset() + 1;
            }
            if (next <= offset) {
                break;  // nothing whole could be read: do not spin
            }
            on_chunk(std::span<const uint8_t>(buffer.data(), batches.position()));
            offset = next;
        }
        done(ErrorCode::none);
    });
}

}  // namespace samsa::group
