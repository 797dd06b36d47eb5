#pragma once
// Producer: the small Kafka producer behind samsa-console-producer and samsa-producer-perf-test,
// as Kafka's KafkaProducer behaves for them: records are partitioned (client_partitioner.h),
// collected into one RecordBatch v2 per partition (record_batch_builder.h, compressed with the
// broker's own codecs), and sent to each partition's leader in one Produce request per broker
// when a batch is full, when it has waited linger.ms, or on flush(). A batch that fails with a
// retriable error (the leader moved, a timeout, too few in-sync replicas) is sent again, up to
// `retries` times, after the metadata is refreshed.
//
// Single-threaded and synchronous: send() and poll() do the network work on the caller's thread
// (a request at a time), so callbacks run inside them.

#include "broker/protocol/record_batch.h"
#include "tools/admin/client_partitioner.h"
#include "tools/admin/tool_support.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::client {

struct ProducerConfig {
    admin::AdminClientConfig client;  // bootstrap.servers, client.id, security
    int16_t acks = 1;
    protocol::CompressionType compression = protocol::CompressionType::none;
    int32_t batch_size = 16384;  // batch.size: bytes of records per partition batch
    int64_t linger_ms = 0;
    int32_t retries = 3;
    int64_t retry_backoff_ms = 100;
    int32_t request_timeout_ms = 30000;  // the Produce request's TimeoutMs
    int64_t max_block_ms = 60000;        // how long to wait for a topic's metadata
};

struct RecordMetadata {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;     // of this record, when acks != 0
    int16_t error_code = 0;  // 0: written
    std::string error;       // the message when error_code != 0
};

using SendCallback = std::function<void(const RecordMetadata&)>;

class Producer {
  public:
    explicit Producer(ProducerConfig config);

    // Adds a record to its partition's batch (the partition from the key, or the sticky one);
    // sends the batch once it reaches batch.size. Throws admin::ToolError when the topic's
    // metadata cannot be had within max.block.ms.
    void send(const std::string& topic, const std::optional<std::string>& key,
              const std::string& value, SendCallback callback = {});
    // Sends the batches that have waited linger.ms. The caller polls when it would otherwise
    // wait (for input, or to keep a throughput), as Java's sender thread works meanwhile.
    void poll();
    // Sends every batch and waits for the answers.
    void flush();
    // Milliseconds until the oldest batch's linger.ms runs out (nullopt: no batch waits).
    std::optional<int64_t> time_to_next_send() const;

  private:
    using TopicPartition = std::pair<std::string, int32_t>;
    using Clock = std::chrono::steady_clock;

    struct Pending {
        int64_t timestamp;
        std::optional<std::string> key;
        std::string value;
        SendCallback callback;
    };
    struct Batch {
        std::vector<Pending> records;
        int32_t bytes = 0;
        Clock::time_point created;
    };
    // A built batch on its way, with what its records' callbacks need.
    struct InFlight {
        TopicPartition tp;
        std::vector<uint8_t> bytes;
        std::vector<SendCallback> callbacks;
        int attempts = 0;
    };

    const admin::TopicInfo& topic_metadata(const std::string& topic);
    // False when no broker answered (the old metadata is kept).
    bool refresh_metadata();
    std::vector<int32_t> available_partitions(const admin::TopicInfo& topic) const;
    InFlight build(const TopicPartition& tp, Batch batch);
    void send_batches(std::vector<TopicPartition> partitions);
    // One Produce per leader; what failed retriably comes back to be sent again.
    std::vector<InFlight> produce(std::vector<InFlight> batches);
    void complete(InFlight& batch, int64_t base_offset, int16_t error, const std::string& why);

    ProducerConfig config_;
    admin::AdminClient client_;
    admin::ClusterMetadata metadata_;
    StickyPartitioner sticky_;
    std::map<TopicPartition, Batch> batches_;
};

// Kafka's producer error text for a failed send (ErrorLoggingCallback), e.g. "Error when
// sending message to topic t with key: 3 bytes, value: 5 bytes with error: ...".
std::string send_error_line(const std::string& topic, std::optional<std::size_t> key_bytes,
                            std::size_t value_bytes, const std::string& error);

// compression.type / --compression-codec names: none, gzip, snappy, lz4, zstd.
std::optional<protocol::CompressionType> parse_compression(const std::string& name);

}  // namespace samsa::client
