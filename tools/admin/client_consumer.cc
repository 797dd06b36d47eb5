#include "tools/admin/client_consumer.h"

#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"

#include <algorithm>
#include <thread>

namespace samsa::client {

using protocol::ErrorCode;

namespace {

constexpr int16_t kFetchVersion = 11;
constexpr int16_t kListOffsetsVersion = 3;  // isolation level from v2; no epoch fencing needed
constexpr int64_t kEarliest = -2;
constexpr int64_t kLatest = -1;

int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

}  // namespace

Consumer::Consumer(ConsumerConfig config) : config_(std::move(config)), client_(config_.client) {
    if (config_.group_id) {
        config_.group.group_id = *config_.group_id;
        member_ = std::make_unique<GroupMember>(client_, config_.group);
    }
    last_commit_ = std::chrono::steady_clock::now();
}

Consumer::~Consumer() {
    try {
        close();
    } catch (const admin::ToolError&) {
        // Closing is best effort, as KafkaConsumer.close on a dead cluster.
    }
}

void Consumer::refresh_metadata() {
    std::vector<std::string> topics = subscription_;
    for (const auto& [t, p] : assignment_) {
        if (std::find(topics.begin(), topics.end(), t) == topics.end()) {
            topics.push_back(t);
        }
    }
    metadata_ = admin::fetch_metadata(client_, topics);
}

void Consumer::subscribe(const std::vector<std::string>& topics) {
    if (!member_) {
        throw admin::ToolError{
            "To use the group management or offset commit APIs, you must "
            "provide a valid group.id in the consumer configuration."};
    }
    subscription_ = topics;
    needs_join_ = true;
}

void Consumer::assign(const std::vector<TopicPartition>& partitions) {
    assignment_ = partitions;
    refresh_metadata();
}

void Consumer::seek(const TopicPartition& tp, int64_t offset_or_special) {
    if (offset_or_special >= 0) {
        positions_[tp] = offset_or_special;
        pending_seeks_.erase(tp);
        return;
    }
    positions_.erase(tp);
    pending_seeks_[tp] = offset_or_special;
}

void Consumer::ensure_joined() {
    if (!needs_join_) {
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    if (config_.enable_auto_commit && member_->joined()) {
        commit_sync();  // what onPartitionsRevoked does with auto-commit
    }
    refresh_metadata();
    std::map<std::string, int32_t> counts;
    for (const auto& t : subscription_) {
        const auto it = metadata_.topics.find(t);
        if (it != metadata_.topics.end() && it->second.error_code == 0) {
            counts[t] = static_cast<int32_t>(it->second.partitions.size());
        }
    }
    assignment_ = member_->join(subscription_, counts);
    positions_.clear();
    last_committed_.clear();
    needs_join_ = false;
    rebalance_time_ms_ += elapsed_ms(start);
}

std::map<TopicPartition, int64_t> Consumer::list_offsets(const std::vector<TopicPartition>& tps,
                                                         int64_t timestamp) {
    std::map<int32_t, protocol::ListOffsetsRequestData> by_leader;
    for (const auto& [topic, partition] : tps) {
        for (const auto& p : metadata_.topics[topic].partitions) {
            if (p.partition != partition || p.leader < 0) {
                continue;
            }
            auto& request = by_leader[p.leader];
            request.replica_id = -1;
            request.isolation_level = config_.isolation_level;
            auto t = std::find_if(request.topics.begin(), request.topics.end(),
                                  [&](const auto& x) { return x.name == topic; });
            if (t == request.topics.end()) {
                request.topics.emplace_back();
                t = std::prev(request.topics.end());
                t->name = topic;
            }
            protocol::ListOffsetsRequestData::ListOffsetsPartition lp;
            lp.partition_index = partition;
            lp.timestamp = timestamp;
            t->partitions.push_back(lp);
        }
    }
    std::map<TopicPartition, int64_t> out;
    for (const auto& [leader, request] : by_leader) {
        for (const auto& b : metadata_.brokers) {
            if (b.id != leader) {
                continue;
            }
            auto response = client_.send_to_node<protocol::ListOffsetsResponseData>(
                b.id, b.host, b.port, request, kListOffsetsVersion);
            if (!response) {
                continue;
            }
            for (const auto& t : response.value().topics) {
                for (const auto& p : t.partitions) {
                    if (p.error_code == 0 && p.offset >= 0) {
                        out[{t.name, p.partition_index}] = p.offset;
                    }
                }
            }
        }
    }
    return out;
}

void Consumer::resolve_positions() {
    std::vector<TopicPartition> missing;
    for (const auto& tp : assignment_) {
        if (!positions_.count(tp)) {
            missing.push_back(tp);
        }
    }
    if (missing.empty()) {
        return;
    }
    std::vector<TopicPartition> to_reset;
    std::map<TopicPartition, int64_t> committed;
    if (member_) {
        std::vector<TopicPartition> unseeked;
        for (const auto& tp : missing) {
            if (!pending_seeks_.count(tp)) {
                unseeked.push_back(tp);
            }
        }
        if (!unseeked.empty()) {
            committed = member_->committed(unseeked);
        }
    }
    std::map<int64_t, std::vector<TopicPartition>> by_timestamp;
    for (const auto& tp : missing) {
        const auto seek = pending_seeks_.find(tp);
        if (seek != pending_seeks_.end() && seek->second >= 0) {
            positions_[tp] = seek->second;
        } else if (seek != pending_seeks_.end()) {
            by_timestamp[seek->second].push_back(tp);
        } else if (committed.count(tp)) {
            positions_[tp] = committed[tp];
        } else if (config_.auto_offset_reset == "none") {
            throw admin::ToolError{"Undefined offset with no reset policy for partitions: [" +
                                   tp.first + "-" + std::to_string(tp.second) + "]"};
        } else {
            by_timestamp[config_.auto_offset_reset == "earliest" ? kEarliest : kLatest].push_back(
                tp);
        }
    }
    for (const auto& [timestamp, tps] : by_timestamp) {
        for (const auto& [tp, offset] : list_offsets(tps, timestamp)) {
            positions_[tp] = offset;
            pending_seeks_.erase(tp);
        }
    }
    for (const auto& [tp, offset] : positions_) {
        pending_seeks_.erase(tp);
    }
}

std::vector<ConsumerRecord> Consumer::fetch(std::chrono::milliseconds max_wait) {
    std::map<int32_t, protocol::FetchRequestData> by_leader;
    for (const auto& tp : assignment_) {
        const auto pos = positions_.find(tp);
        if (pos == positions_.end()) {
            continue;
        }
        for (const auto& p : metadata_.topics[tp.first].partitions) {
            if (p.partition != tp.second || p.leader < 0) {
                continue;
            }
            auto& request = by_leader[p.leader];
            request.replica_id = -1;
            request.min_bytes = 1;
            request.max_bytes = config_.fetch_max_bytes;
            request.isolation_level = config_.isolation_level;
            auto t = std::find_if(request.topics.begin(), request.topics.end(),
                                  [&](const auto& x) { return x.topic == tp.first; });
            if (t == request.topics.end()) {
                request.topics.emplace_back();
                t = std::prev(request.topics.end());
                t->topic = tp.first;
            }
            protocol::FetchRequestData::FetchPartition fp;
            fp.partition = tp.second;
            fp.fetch_offset = pos->second;
            fp.partition_max_bytes = config_.max_partition_fetch_bytes;
            t->partitions.push_back(fp);
        }
    }
    std::vector<ConsumerRecord> out;
    bool stale_metadata = false;
    // The wait is shared among the leaders asked in turn, so one poll stays within its timeout.
    const auto wait =
        static_cast<int32_t>(max_wait.count() / std::max<std::size_t>(1, by_leader.size()));
    for (auto& [leader, request] : by_leader) {
        request.max_wait_ms = out.empty() ? wait : 0;
        const auto b = std::find_if(metadata_.brokers.begin(), metadata_.brokers.end(),
                                    [&](const admin::BrokerNode& n) { return n.id == leader; });
        if (b == metadata_.brokers.end()) {
            stale_metadata = true;
            continue;
        }
        auto response = client_.send_to_node<protocol::FetchResponseData>(b->id, b->host, b->port,
                                                                          request, kFetchVersion);
        if (!response) {
            stale_metadata = true;
            continue;
        }
        for (const auto& t : response.value().responses) {
            for (const auto& p : t.partition_responses) {
                const TopicPartition tp{t.topic, p.partition};
                const auto code = static_cast<ErrorCode>(p.error_code);
                if (code == ErrorCode::offset_out_of_range) {
                    positions_.erase(tp);  // auto.offset.reset decides again
                    continue;
                }
                if (code != ErrorCode::none) {
                    stale_metadata = true;
                    continue;
                }
                std::vector<uint8_t> bytes;
                if (p.record_set.is_null() || !p.record_set.materialize(bytes)) {
                    continue;
                }
                std::optional<std::vector<AbortedTransaction>> aborted;
                if (p.aborted_transactions) {
                    aborted.emplace();
                    for (const auto& a : *p.aborted_transactions) {
                        aborted->push_back(AbortedTransaction{a.producer_id, a.first_offset});
                    }
                }
                auto decoded = decode_records(bytes, tp.first, tp.second, positions_[tp], aborted);
                if (decoded.corrupt && decoded.records.empty()) {
                    throw admin::ToolError{"Record batch for partition " + tp.first + "-" +
                                           std::to_string(tp.second) + " at offset " +
                                           std::to_string(positions_[tp]) + " is invalid"};
                }
                positions_[tp] = decoded.next_offset;
                for (auto& r : decoded.records) {
                    out.push_back(std::move(r));
                }
            }
        }
    }
    if (stale_metadata) {
        try {
            refresh_metadata();
        } catch (const admin::ToolError&) {
            // No broker answered: the next poll fetches (and refreshes) again, as Kafka's
            // consumer keeps trying while a leader restarts.
        }
    }
    return out;
}

void Consumer::maybe_auto_commit() {
    if (!member_ || !config_.enable_auto_commit ||
        elapsed_ms(last_commit_) < config_.auto_commit_interval_ms) {
        return;
    }
    commit_sync();
}

void Consumer::commit_sync() {
    last_commit_ = std::chrono::steady_clock::now();
    if (!member_) {
        return;
    }
    std::map<TopicPartition, int64_t> changed;
    for (const auto& [tp, offset] : positions_) {
        const auto last = last_committed_.find(tp);
        if (last == last_committed_.end() || last->second != offset) {
            changed[tp] = offset;
        }
    }
    if (!changed.empty() && member_->commit(changed) == 0) {
        for (const auto& [tp, offset] : changed) {
            last_committed_[tp] = offset;
        }
    }
}

std::vector<ConsumerRecord> Consumer::poll(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!subscription_.empty()) {
            if (!needs_join_ && !member_->heartbeat_if_due()) {
                needs_join_ = true;
            }
            ensure_joined();
        }
        maybe_auto_commit();
        resolve_positions();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const auto wait = std::clamp(left, std::chrono::milliseconds(0),
                                     std::chrono::milliseconds(config_.fetch_max_wait_ms));
        if (positions_.empty()) {
            std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(100)));
        } else {
            auto records = fetch(wait);
            if (!records.empty()) {
                return records;
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return {};
        }
    }
}

void Consumer::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    if (member_) {
        if (config_.enable_auto_commit) {
            commit_sync();
        }
        if (!subscription_.empty()) {
            member_->leave();
        }
    }
}

}  // namespace samsa::client
