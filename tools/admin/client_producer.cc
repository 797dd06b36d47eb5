#include "tools/admin/client_producer.h"

#include "broker/protocol/compression.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/protocol/record_batch_builder.h"
#include "broker/protocol/records.h"

#include <algorithm>
#include <thread>

namespace samsa::client {

using protocol::ErrorCode;

namespace {

constexpr int16_t kProduceVersion = 7;
// A v2 record's framing beyond its key and value (length, attributes, deltas, lengths,
// header count): batch.size is counted in bytes as the Java producer estimates them.
constexpr int32_t kRecordOverhead = 21;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The errors after which Kafka's producer retries (RetriableException subclasses) and, for the
// leadership ones, refreshes its metadata first.
bool retriable(int16_t code) {
    switch (static_cast<ErrorCode>(code)) {
        case ErrorCode::unknown_topic_or_partition:
        case ErrorCode::leader_not_available:
        case ErrorCode::not_leader_or_follower:
        case ErrorCode::request_timed_out:
        case ErrorCode::network_exception:
        case ErrorCode::not_enough_replicas:
        case ErrorCode::not_enough_replicas_after_append:
        case ErrorCode::broker_not_available:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string send_error_line(const std::string& topic, std::optional<std::size_t> key_bytes,
                            std::size_t value_bytes, const std::string& error) {
    const std::string key = key_bytes ? std::to_string(*key_bytes) + " bytes" : "null";
    return "Error when sending message to topic " + topic + " with key: " + key +
           ", value: " + std::to_string(value_bytes) + " bytes with error: " + error;
}

std::optional<protocol::CompressionType> parse_compression(const std::string& name) {
    using protocol::CompressionType;
    if (name == "none")
        return CompressionType::none;
    if (name == "gzip")
        return CompressionType::gzip;
    if (name == "snappy")
        return CompressionType::snappy;
    if (name == "lz4")
        return CompressionType::lz4;
    if (name == "zstd")
        return CompressionType::zstd;
    return std::nullopt;
}

Producer::Producer(ProducerConfig config) : config_(std::move(config)), client_(config_.client) {}

bool Producer::refresh_metadata() {
    std::vector<std::string> topics;
    for (const auto& [name, info] : metadata_.topics) {
        topics.push_back(name);
    }
    try {
        metadata_ = admin::fetch_metadata(client_, topics);
        return true;
    } catch (const admin::ToolError&) {
        // No broker answered (one restarting, say): the old metadata stays, the send that
        // needed the new one fails and is retried after the backoff, as in Kafka's producer.
        return false;
    }
}

const admin::TopicInfo& Producer::topic_metadata(const std::string& topic) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(config_.max_block_ms);
    for (;;) {
        const auto it = metadata_.topics.find(topic);
        if (it != metadata_.topics.end() && it->second.error_code == 0 &&
            !it->second.partitions.empty()) {
            return it->second;
        }
        if (Clock::now() >= deadline) {
            throw admin::ToolError{"Topic " + topic + " not present in metadata after " +
                                   std::to_string(config_.max_block_ms) + " ms."};
        }
        metadata_.topics[topic];  // ask for it from now on
        const bool answered = refresh_metadata();
        const auto again = metadata_.topics.find(topic);
        if (!answered || again == metadata_.topics.end() || again->second.error_code != 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(config_.retry_backoff_ms));
        }
    }
}

std::vector<int32_t> Producer::available_partitions(const admin::TopicInfo& topic) const {
    std::vector<int32_t> out;
    for (const auto& p : topic.partitions) {
        if (p.leader >= 0) {
            out.push_back(p.partition);
        }
    }
    return out;
}

void Producer::send(const std::string& topic, const std::optional<std::string>& key,
                    const std::string& value, SendCallback callback) {
    const auto& info = topic_metadata(topic);
    const auto count = static_cast<int32_t>(info.partitions.size());
    int32_t partition = 0;
    if (key) {
        partition = partition_for_key(
            std::span(reinterpret_cast<const uint8_t*>(key->data()), key->size()), count);
    } else {
        partition = sticky_.partition(topic, count, available_partitions(info));
    }
    const TopicPartition tp{topic, partition};
    const auto size =
        static_cast<int32_t>(value.size() + (key ? key->size() : 0)) + kRecordOverhead;
    auto& batch = batches_[tp];
    if (!batch.records.empty() && batch.bytes + size > config_.batch_size) {
        send_batches({tp});
    }
    auto& current = batches_[tp];
    if (current.records.empty()) {
        current.created = Clock::now();
    }
    current.records.push_back(Pending{now_ms(), key, value, std::move(callback)});
    current.bytes += size;
    if (current.bytes >= config_.batch_size) {
        send_batches({tp});
    }
}

std::optional<int64_t> Producer::time_to_next_send() const {
    std::optional<int64_t> out;
    const auto now = Clock::now();
    for (const auto& [tp, batch] : batches_) {
        if (batch.records.empty()) {
            continue;
        }
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - batch.created).count();
        const int64_t left = std::max<int64_t>(0, config_.linger_ms - waited);
        out = out ? std::min(*out, left) : left;
    }
    return out;
}

void Producer::poll() {
    std::vector<TopicPartition> ready;
    const auto now = Clock::now();
    for (const auto& [tp, batch] : batches_) {
        if (!batch.records.empty() &&
            now - batch.created >= std::chrono::milliseconds(config_.linger_ms)) {
            ready.push_back(tp);
        }
    }
    if (!ready.empty()) {
        send_batches(std::move(ready));
    }
}

void Producer::flush() {
    std::vector<TopicPartition> all;
    for (const auto& [tp, batch] : batches_) {
        if (!batch.records.empty()) {
            all.push_back(tp);
        }
    }
    if (!all.empty()) {
        send_batches(std::move(all));
    }
}

Producer::InFlight Producer::build(const TopicPartition& tp, Batch batch) {
    protocol::RecordBatchBuilder builder;
    InFlight out{tp, {}, {}, 0};
    for (auto& r : batch.records) {
        builder.append(r.timestamp, r.key, r.value);
        out.callbacks.push_back(std::move(r.callback));
    }
    out.bytes = builder.build();
    if (config_.compression != protocol::CompressionType::none) {
        auto compressed = protocol::compress_batch(out.bytes, config_.compression);
        if (compressed) {
            out.bytes = std::move(compressed).value();
        }
    }
    return out;
}

void Producer::send_batches(std::vector<TopicPartition> partitions) {
    std::vector<InFlight> batches;
    for (const auto& tp : partitions) {
        auto node = batches_.extract(tp);
        if (node.empty() || node.mapped().records.empty()) {
            continue;
        }
        batches.push_back(build(tp, std::move(node.mapped())));
        // A new batch for a null-key record goes to another partition (KIP-480).
        const auto& info = metadata_.topics[tp.first];
        sticky_.on_new_batch(tp.first, static_cast<int32_t>(info.partitions.size()),
                             available_partitions(info), tp.second);
    }
    while (!batches.empty()) {
        batches = produce(std::move(batches));
        if (!batches.empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(config_.retry_backoff_ms));
            refresh_metadata();
        }
    }
}

void Producer::complete(InFlight& batch, int64_t base_offset, int16_t error,
                        const std::string& why) {
    for (std::size_t i = 0; i < batch.callbacks.size(); ++i) {
        if (!batch.callbacks[i]) {
            continue;
        }
        RecordMetadata md{batch.tp.first, batch.tp.second, -1, error, why};
        if (error == 0 && base_offset >= 0) {
            md.offset = base_offset + static_cast<int64_t>(i);
        }
        batch.callbacks[i](md);
    }
}

std::vector<Producer::InFlight> Producer::produce(std::vector<InFlight> batches) {
    std::vector<InFlight> retry;
    auto fail_or_retry = [&](InFlight& b, int16_t code, const std::string& why) {
        if (retriable(code) && ++b.attempts <= config_.retries) {
            retry.push_back(std::move(b));
        } else {
            complete(b, -1, code, why);
        }
    };
    std::map<int32_t, std::vector<InFlight>> by_leader;
    for (auto& b : batches) {
        int32_t leader = -1;
        for (const auto& p : metadata_.topics[b.tp.first].partitions) {
            if (p.partition == b.tp.second) {
                leader = p.leader;
            }
        }
        if (leader < 0) {
            fail_or_retry(b, static_cast<int16_t>(ErrorCode::leader_not_available),
                          admin::error_message(5, std::nullopt));
        } else {
            by_leader[leader].push_back(std::move(b));
        }
    }
    for (auto& [leader, group] : by_leader) {
        const auto node = std::find_if(metadata_.brokers.begin(), metadata_.brokers.end(),
                                       [&](const admin::BrokerNode& n) { return n.id == leader; });
        protocol::ProduceRequestData request;
        request.acks = config_.acks;
        request.timeout_ms = config_.request_timeout_ms;
        for (const auto& b : group) {
            auto t = std::find_if(request.topic_data.begin(), request.topic_data.end(),
                                  [&](const auto& td) { return td.name == b.tp.first; });
            if (t == request.topic_data.end()) {
                request.topic_data.emplace_back();
                t = std::prev(request.topic_data.end());
                t->name = b.tp.first;
            }
            protocol::ProduceRequestData::PartitionProduceData pd;
            pd.index = b.tp.second;
            pd.records = protocol::Records::from_bytes(b.bytes, nullptr);
            t->partition_data.push_back(std::move(pd));
        }
        if (node == metadata_.brokers.end()) {
            for (auto& b : group) {
                fail_or_retry(b, static_cast<int16_t>(ErrorCode::broker_not_available),
                              admin::error_message(8, std::nullopt));
            }
            continue;
        }
        if (config_.acks == 0) {
            auto sent =
                client_.send_oneway(node->id, node->host, node->port, request, kProduceVersion);
            for (auto& b : group) {
                if (sent) {
                    complete(b, -1, 0, "");
                } else {
                    fail_or_retry(b, static_cast<int16_t>(ErrorCode::network_exception),
                                  sent.error().message());
                }
            }
            continue;
        }
        auto response = client_.send_to_node<protocol::ProduceResponseData>(
            node->id, node->host, node->port, request, kProduceVersion);
        if (!response) {
            for (auto& b : group) {
                fail_or_retry(b, static_cast<int16_t>(ErrorCode::network_exception),
                              "Disconnected from node " + std::to_string(leader) + ": " +
                                  response.error().message());
            }
            continue;
        }
        for (auto& b : group) {
            int16_t code = static_cast<int16_t>(ErrorCode::unknown_server_error);
            int64_t base = -1;
            std::optional<std::string> message;
            for (const auto& t : response.value().responses) {
                for (const auto& p : t.partition_responses) {
                    if (t.name == b.tp.first && p.index == b.tp.second) {
                        code = p.error_code;
                        base = p.base_offset;
                        message = p.error_message;
                    }
                }
            }
            if (code == 0) {
                complete(b, base, 0, "");
            } else {
                fail_or_retry(b, code, admin::error_message(code, message));
            }
        }
    }
    return retry;
}

}  // namespace samsa::client
