#include "broker/replica/replica_fetcher_thread.h"

#include "broker/log/clock.h"
#include "broker/log/errc.h"
#include "broker/net/blocking_channel.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/protocol/generated/offset_for_leader_epoch_request.h"
#include "broker/replica/broker_topic_stats.h"
#include "broker/replica/partition.h"
#include "common/logging.h"

#include <algorithm>
#include <limits>

namespace samsa::replica {

namespace {

using protocol::ErrorCode;
using Clock = std::chrono::steady_clock;

auto& logger() {
    static auto l = get_logger("fetcher");
    return *l;
}

// IBP 2.8's versions, as far as this broker implements them: Fetch v11 (current leader epoch,
// rack id; v12's diverging epochs need flexible versions and KIP-595), ListOffsets v5,
// OffsetForLeaderEpoch v3 (replica id).
constexpr int16_t kFetchVersion = 11;
constexpr int16_t kListOffsetsVersion = 5;
constexpr int16_t kOffsetForLeaderEpochVersion = 3;
constexpr int64_t kLatestTimestamp = -1;

// The entry for `topic` at the end of a request's topic list, added if the last one is another
// topic (requests group consecutive partitions of one topic).
template <typename Topics>
auto& topic_entry(Topics& topics, const std::string& topic) {
    if (topics.empty() || topics.back().topic != topic) {
        topics.emplace_back();
        topics.back().topic = topic;
    }
    return topics.back();
}
constexpr int64_t kEarliestTimestamp = -2;

}  // namespace

ReplicaFetcherThread::ReplicaFetcherThread(std::string name, FetcherConfig config,
                                           SourceBroker source, PartitionLookup lookup)
    : name_(std::move(name)),
      config_(config),
      source_(std::move(source)),
      lookup_(std::move(lookup)),
      channel_(std::make_unique<net::BlockingChannel>(
          source_.host, source_.port, "broker-" + std::to_string(config.broker_id) + "-fetcher",
          std::chrono::milliseconds(config.socket_timeout_ms), config.security)) {
    thread_ = std::thread([this] { run(); });
}

ReplicaFetcherThread::~ReplicaFetcherThread() {
    shutdown();
}

void ReplicaFetcherThread::shutdown() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ReplicaFetcherThread::add_partitions(const std::map<TopicPartition, int32_t>& partitions) {
    {
        std::lock_guard lock(mu_);
        for (const auto& [tp, epoch] : partitions) {
            FetchState s;
            s.leader_epoch = epoch;
            s.state = State::truncating;
            partitions_[tp] = s;
        }
    }
    cv_.notify_all();
}

void ReplicaFetcherThread::remove_partitions(const std::set<TopicPartition>& partitions) {
    std::lock_guard lock(mu_);
    for (const auto& tp : partitions) {
        partitions_.erase(tp);
    }
}

size_t ReplicaFetcherThread::partition_count() const {
    std::lock_guard lock(mu_);
    return partitions_.size();
}

ReplicaFetcherThread::Round ReplicaFetcherThread::ready_locked(State state) const {
    Round round;
    const auto now = Clock::now();
    for (const auto& [tp, s] : partitions_) {
        if (s.state == state && s.delayed_until <= now) {
            round.emplace(tp, s);
        }
    }
    return round;
}

bool ReplicaFetcherThread::await_work() {
    std::unique_lock lock(mu_);
    for (;;) {
        if (stopping_) {
            return false;
        }
        auto next = Clock::time_point::max();
        const auto now = Clock::now();
        for (const auto& [tp, s] : partitions_) {
            if (s.delayed_until <= now) {
                return true;
            }
            next = std::min(next, s.delayed_until);
        }
        if (next == Clock::time_point::max()) {
            cv_.wait(lock);
        } else {
            cv_.wait_until(lock, next);
        }
    }
}

void ReplicaFetcherThread::run() {
    logger().info("[{}] starting, leader broker {} at {}:{}", name_, source_.id, source_.host,
                  source_.port);
    while (await_work()) {
        Round truncating;
        Round fetching;
        {
            std::lock_guard lock(mu_);
            truncating = ready_locked(State::truncating);
            fetching = ready_locked(State::fetching);
        }
        if (!truncating.empty()) {
            truncate(truncating);
            continue;  // the truncated partitions join this round's fetch
        }
        if (!fetching.empty()) {
            fetch(fetching);
        }
    }
    channel_->close();
    logger().info("[{}] stopped", name_);
}

void ReplicaFetcherThread::backoff() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(config_.backoff_ms), [&] { return stopping_; });
}

void ReplicaFetcherThread::delay(FetchState& s) {
    s.delayed_until = Clock::now() + std::chrono::milliseconds(config_.backoff_ms);
}

// ---- truncation ----

void ReplicaFetcherThread::truncate(const Round& round) {
    protocol::OffsetForLeaderEpochRequestData request;
    request.replica_id = config_.broker_id;
    for (const auto& [tp, s] : round) {
        auto partition = lookup_(tp);
        if (!partition) {
            std::lock_guard lock(mu_);
            partitions_.erase(tp);
            continue;
        }
        auto latest = partition->log()->latest_epoch();
        if (!latest) {
            // No epochs in our log (empty, or written before epochs): the high watermark is
            // the one offset known to be committed everywhere (Kafka does the same).
            truncate_partition(tp, s, partition->high_watermark(), true);
            continue;
        }
        protocol::OffsetForLeaderEpochRequestData::OffsetForLeaderPartition p;
        p.partition = tp.partition;
        p.current_leader_epoch = s.leader_epoch;
        p.leader_epoch = *latest;
        topic_entry(request.topics, tp.topic).partitions.push_back(p);
    }
    if (request.topics.empty()) {
        return;
    }
    auto response = channel_->send<protocol::OffsetForLeaderEpochResponseData>(
        request, kOffsetForLeaderEpochVersion);
    if (!response) {
        logger().warn("[{}] OffsetsForLeaderEpoch to broker {} failed: {}", name_, source_.id,
                      response.error().message());
        reset_session();
        backoff();
        return;
    }
    for (const auto& topic : response.value().topics) {
        for (const auto& answer : topic.partitions) {
            TopicPartition tp{topic.topic, answer.partition};
            auto asked = round.find(tp);
            if (asked != round.end()) {
                apply_epoch_end_offset(tp, asked->second, answer);
            }
        }
    }
}

void ReplicaFetcherThread::apply_epoch_end_offset(
    const TopicPartition& tp, const FetchState& s,
    const protocol::OffsetForLeaderEpochResponseData::EpochEndOffset& leader) {
    auto partition = lookup_(tp);
    if (!partition) {
        return;
    }
    const auto error = static_cast<ErrorCode>(leader.error_code);
    if (error != ErrorCode::none) {
        // The leader has not caught up with the controller yet (or we have not): retry.
        logger().debug("[{}] {}: OffsetsForLeaderEpoch answered {}", name_, tp,
                       protocol::error_name(error));
        std::lock_guard lock(mu_);
        if (auto it = partitions_.find(tp); it != partitions_.end()) {
            delay(it->second);
        }
        return;
    }
    const int64_t log_end = partition->log()->log_end_offset();
    if (leader.end_offset == log::kUndefinedEpochOffset) {
        // The leader knows nothing of our epochs: only the HW is safe.
        truncate_partition(tp, s, partition->high_watermark(), true);
        return;
    }
    if (leader.leader_epoch == log::kUndefinedEpoch) {
        truncate_partition(tp, s, std::min(leader.end_offset, log_end), true);
        return;
    }
    // Kafka's getOffsetTruncationState (KIP-279): where does the leader's epoch end in our log?
    auto ours = partition->log()->end_offset_for_epoch(leader.leader_epoch);
    if (ours.end_offset == log::kUndefinedEpochOffset) {
        truncate_partition(tp, s, std::min(leader.end_offset, log_end), true);
    } else if (ours.epoch != leader.leader_epoch) {
        // We never had the leader's epoch: cut back to where our last epoch before it ended,
        // then ask again with that epoch.
        truncate_partition(tp, s, std::min(ours.end_offset, log_end), false);
    } else {
        truncate_partition(tp, s, std::min(leader.end_offset, ours.end_offset), true);
    }
}

void ReplicaFetcherThread::truncate_partition(const TopicPartition& tp, const FetchState& s,
                                              int64_t offset, bool completed) {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(tp);
    if (it == partitions_.end() || it->second.leader_epoch != s.leader_epoch ||
        it->second.state != State::truncating) {
        return;  // removed or re-added meanwhile
    }
    auto partition = lookup_(tp);
    if (!partition) {
        partitions_.erase(it);
        return;
    }
    const int64_t end_before = partition->log()->log_end_offset();
    auto truncated = partition->truncate_to(std::min(offset, end_before), s.leader_epoch);
    if (!truncated) {
        logger().warn("[{}] {}: cannot truncate to {}: {}", name_, tp, offset,
                      truncated.error().message());
        delay(it->second);
        return;
    }
    if (truncated.value()) {
        logger().info("[{}] {}: truncated from {} to {} (leader epoch {})", name_, tp, end_before,
                      partition->log()->log_end_offset(), s.leader_epoch);
    }
    it->second.fetch_offset = partition->log()->log_end_offset();
    if (completed) {
        it->second.state = State::fetching;
    }
}

// ---- fetching ----

std::map<TopicPartition, ReplicaFetcherThread::SentPartition> ReplicaFetcherThread::build_request(
    const Round& round, protocol::FetchRequestData& request) {
    request.session_id = session_.id;
    request.session_epoch = session_.next_epoch;
    const bool full = session_.next_epoch == 0;
    std::vector<std::pair<TopicPartition, FetchState>> order(round.begin(), round.end());
    std::rotate(order.begin(), order.begin() + static_cast<ptrdiff_t>(rotation_ % order.size()),
                order.end());
    ++rotation_;
    std::map<TopicPartition, SentPartition> known;
    for (const auto& [tp, s] : order) {
        auto partition = lookup_(tp);
        SentPartition now{s.fetch_offset, s.leader_epoch,
                          partition ? partition->log()->log_start_offset() : -1};
        known[tp] = now;
        auto sent = session_.sent.find(tp);
        if (!full && sent != session_.sent.end() && sent->second == now) {
            continue;  // the leader's session already has it
        }
        protocol::FetchRequestData::FetchPartition p;
        p.partition = tp.partition;
        p.current_leader_epoch = now.leader_epoch;
        p.fetch_offset = now.fetch_offset;
        p.log_start_offset = now.log_start_offset;
        p.partition_max_bytes = config_.partition_max_bytes;
        topic_entry(request.topics, tp.topic).partitions.push_back(p);
    }
    if (!full) {
        for (const auto& [tp, sent] : session_.sent) {
            if (known.count(tp) == 0) {
                topic_entry(request.forgotten_topics_data, tp.topic)
                    .partitions.push_back(tp.partition);
            }
        }
    }
    return known;
}

void ReplicaFetcherThread::fetch(const Round& round) {
    protocol::FetchRequestData request;
    request.replica_id = config_.broker_id;
    request.max_wait_ms = config_.max_wait_ms;
    request.min_bytes = config_.min_bytes;
    request.max_bytes = config_.response_max_bytes;
    request.isolation_level = 0;
    auto known = build_request(round, request);
    auto response = channel_->send<protocol::FetchResponseData>(request, kFetchVersion);
    if (!response) {
        logger().warn("[{}] fetch from broker {} at {}:{} failed: {}", name_, source_.id,
                      source_.host, source_.port, response.error().message());
        reset_session();
        backoff();
        return;
    }
    const auto error = static_cast<ErrorCode>(response.value().error_code);
    if (error == ErrorCode::fetch_session_id_not_found ||
        error == ErrorCode::invalid_fetch_session_epoch) {
        // The leader lost or evicted our session (a restart, say): start a new one.
        logger().info("[{}] fetch session {} with broker {}: {}; opening a new one", name_,
                      session_.id, source_.id, protocol::error_name(error));
        reset_session();
        return;
    }
    if (error != ErrorCode::none) {
        logger().warn("[{}] fetch from broker {} answered {}", name_, source_.id,
                      protocol::error_name(error));
        reset_session();
        backoff();
        return;
    }
    if (request.session_epoch == 0) {
        session_.id = response.value().session_id;  // 0: the leader had no room; full again
        session_.next_epoch = session_.id == 0 ? 0 : 1;
    } else {
        session_.next_epoch = session_.next_epoch == std::numeric_limits<int32_t>::max()
                                  ? 1
                                  : session_.next_epoch + 1;
    }
    session_.sent = std::move(known);
    apply_fetch_response(round, response.value());
}

void ReplicaFetcherThread::apply_fetch_response(const Round& round,
                                                const protocol::FetchResponseData& response) {
    std::lock_guard lock(mu_);
    for (const auto& topic : response.responses) {
        for (const auto& p : topic.partition_responses) {
            TopicPartition tp{topic.topic, p.partition};
            auto asked = round.find(tp);
            auto it = partitions_.find(tp);
            // Only an answer to what we asked, for a partition still in that state.
            if (asked == round.end() || it == partitions_.end() ||
                it->second.leader_epoch != asked->second.leader_epoch ||
                it->second.state != State::fetching ||
                it->second.fetch_offset != asked->second.fetch_offset) {
                continue;
            }
            FetchState& s = it->second;
            auto partition = lookup_(tp);
            if (!partition) {
                partitions_.erase(it);
                continue;
            }
            const auto error = static_cast<ErrorCode>(p.error_code);
            if (error == ErrorCode::offset_out_of_range) {
                handle_out_of_range(tp, s);
                continue;
            }
            if (error != ErrorCode::none) {
                // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH: the leader and we
                // disagree on who leads; a LeaderAndIsr is on its way to one of us.
                logger().debug("[{}] {}: leader answered {}", name_, tp,
                               protocol::error_name(error));
                delay(s);
                continue;
            }
            if (!p.record_set.is_null() && p.record_set.size_bytes() > 0) {
                auto appended =
                    partition->append_records_to_follower(p.record_set.bytes(), s.leader_epoch);
                if (!appended) {
                    logger().warn("[{}] {}: cannot append the leader's records at {}: {}", name_,
                                  tp, s.fetch_offset, appended.error().message());
                    delay(s);
                    continue;
                }
                replication_bytes_in(p.record_set.size_bytes());
            }
            s.fetch_offset = partition->log()->log_end_offset();
            partition->update_follower_offsets(s.leader_epoch, p.high_watermark,
                                               p.log_start_offset);
        }
    }
}

void ReplicaFetcherThread::handle_out_of_range(const TopicPartition& tp, FetchState& s) {
    // Kafka's handleOutOfRangeError: our offset is above the leader's end (an unclean
    // election cut the leader's log) -> truncate to its end; below its start (retention
    // deleted what we need) -> start over at its start.
    auto partition = lookup_(tp);
    auto leader_end = leader_offset(tp, s.leader_epoch, kLatestTimestamp);
    if (!partition || !leader_end) {
        delay(s);
        return;
    }
    if (*leader_end < s.fetch_offset) {
        logger().warn("[{}] {}: fetch offset {} is above the leader's log end {}; truncating",
                      name_, tp, s.fetch_offset, *leader_end);
        if (auto r = partition->truncate_to(*leader_end, s.leader_epoch); !r) {
            delay(s);
            return;
        }
    } else {
        auto leader_start = leader_offset(tp, s.leader_epoch, kEarliestTimestamp);
        if (!leader_start) {
            delay(s);
            return;
        }
        logger().warn(
            "[{}] {}: fetch offset {} is below the leader's log start {}; starting "
            "over there",
            name_, tp, s.fetch_offset, *leader_start);
        if (auto r = partition->truncate_fully_and_start_at(*leader_start, s.leader_epoch); !r) {
            delay(s);
            return;
        }
    }
    s.fetch_offset = partition->log()->log_end_offset();
}

std::optional<int64_t> ReplicaFetcherThread::leader_offset(const TopicPartition& tp,
                                                           int32_t leader_epoch,
                                                           int64_t timestamp) {
    protocol::ListOffsetsRequestData request;
    request.replica_id = config_.broker_id;
    request.isolation_level = 0;
    request.topics.emplace_back();
    request.topics.back().name = tp.topic;
    protocol::ListOffsetsRequestData::ListOffsetsPartition p;
    p.partition_index = tp.partition;
    p.current_leader_epoch = leader_epoch;
    p.timestamp = timestamp;
    request.topics.back().partitions.push_back(p);
    auto response = channel_->send<protocol::ListOffsetsResponseData>(request, kListOffsetsVersion);
    if (!response || response.value().topics.empty() ||
        response.value().topics[0].partitions.empty()) {
        return std::nullopt;
    }
    const auto& answer = response.value().topics[0].partitions[0];
    if (answer.error_code != 0) {
        return std::nullopt;
    }
    return answer.offset;
}

}  // namespace samsa::replica
