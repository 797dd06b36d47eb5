#pragma once
// BrokerTopicStats: Kafka's BrokerTopicMetrics meters, per topic and for all topics
// (kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec[,topic=T] and friends, which the
// Prometheus JMX exporter renders kafka_server_brokertopicmetrics_messagesin_total{topic="T"}).
//
// A topic's meters are looked up once, when this broker first hosts one of its partitions
// (the Partition keeps the reference); every update then adds to the topic's counters and the
// all-topics ones, each a per-thread shard: no lock, no map lookup per request or record.
// Like Kafka's, a topic's meters stay registered after the topic is gone.

#include <cstdint>
#include <string>

namespace samsa::metrics {
class Counter;
}

namespace samsa::replica {

class TopicStats {
  public:
    // Registers (or finds) the meters of `topic`; the empty name gives the all-topics meters.
    explicit TopicStats(const std::string& topic);

    // The leader appended a client's produce (ReplicaManager.appendToLocalLog).
    void produce_request() const;
    void failed_produce_request() const;
    void messages_in(uint64_t records, uint64_t bytes) const;
    // A fetch read this partition (consumers and followers alike, as Kafka's readFromLocalLog).
    void fetch_request() const;
    void failed_fetch_request() const;
    // Record bytes sent in a fetch response: a consumer's count in BytesOut (topic and all
    // topics), a follower's in ReplicationBytesOut only (all topics), as Kafka's
    // BrokerTopicStats.updateBytesOut does.
    void bytes_out(uint64_t bytes, bool to_follower) const;

  private:
    const TopicStats* all_;  // null for the all-topics stats themselves
    metrics::Counter& messages_in_;
    metrics::Counter& bytes_in_;
    metrics::Counter& bytes_out_;
    metrics::Counter& total_produce_;
    metrics::Counter& failed_produce_;
    metrics::Counter& total_fetch_;
    metrics::Counter& failed_fetch_;
};

// The all-topics meters, and those with a label for `topic` (a registry lookup: call it when a
// partition is created, not per request). References live as long as the process.
const TopicStats& all_topics_stats();
const TopicStats& topic_stats(const std::string& topic);

// A follower appended what it fetched from its leader (ReplicationBytesInPerSec, all topics).
void replication_bytes_in(uint64_t bytes);
// Produce requests for partitions this broker does not host (all topics only: a label per
// unknown name a client sends would grow without bound).
void failed_produce_request_unknown_partition();
void failed_fetch_request_unknown_partition();

}  // namespace samsa::replica
