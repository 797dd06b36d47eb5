#include "broker/replica/broker_topic_stats.h"

#include "broker/metrics/metrics.h"

#include <map>
#include <memory>
#include <mutex>

namespace samsa::replica {

namespace {

constexpr std::string_view kPrefix = "kafka_server_brokertopicmetrics_";

metrics::Counter& meter(std::string_view name, std::string_view help, const std::string& topic) {
    metrics::Labels labels;
    if (!topic.empty()) {
        labels.emplace_back("topic", topic);
    }
    return metrics::registry().counter(std::string(kPrefix) + std::string(name), help, labels);
}

metrics::Counter& replication_bytes_in_meter() {
    static metrics::Counter& c =
        meter("replicationbytesin", "Bytes appended by follower replicas from their leaders", "");
    return c;
}

metrics::Counter& replication_bytes_out_meter() {
    static metrics::Counter& c =
        meter("replicationbytesout", "Record bytes sent to follower replicas", "");
    return c;
}

}  // namespace

TopicStats::TopicStats(const std::string& topic)
    : all_(topic.empty() ? nullptr : &all_topics_stats()),
      messages_in_(meter("messagesin", "Records appended by leaders from client produce", topic)),
      bytes_in_(meter("bytesin", "Record bytes appended by leaders from client produce", topic)),
      bytes_out_(meter("bytesout", "Record bytes sent to consumers in fetch responses", topic)),
      total_produce_(
          meter("totalproducerequests", "Produce requests per partition appended to", topic)),
      failed_produce_(
          meter("failedproducerequests", "Produce requests per partition that failed", topic)),
      total_fetch_(meter("totalfetchrequests", "Fetch requests per partition read", topic)),
      failed_fetch_(
          meter("failedfetchrequests", "Fetch requests per partition that failed", topic)) {}

void TopicStats::produce_request() const {
    total_produce_.add();
    if (all_ != nullptr) {
        all_->produce_request();
    }
}

void TopicStats::failed_produce_request() const {
    failed_produce_.add();
    if (all_ != nullptr) {
        all_->failed_produce_request();
    }
}

void TopicStats::messages_in(uint64_t records, uint64_t bytes) const {
    messages_in_.add(records);
    bytes_in_.add(bytes);
    if (all_ != nullptr) {
        all_->messages_in(records, bytes);
    }
}

void TopicStats::fetch_request() const {
    total_fetch_.add();
    if (all_ != nullptr) {
        all_->fetch_request();
    }
}

void TopicStats::failed_fetch_request() const {
    failed_fetch_.add();
    if (all_ != nullptr) {
        all_->failed_fetch_request();
    }
}

void TopicStats::bytes_out(uint64_t bytes, bool to_follower) const {
    if (to_follower) {
        replication_bytes_out_meter().add(bytes);
        return;
    }
    bytes_out_.add(bytes);
    if (all_ != nullptr) {
        all_->bytes_out(bytes, false);
    }
}

const TopicStats& all_topics_stats() {
    static const TopicStats all{std::string()};
    return all;
}

const TopicStats& topic_stats(const std::string& topic) {
    if (topic.empty()) {
        return all_topics_stats();
    }
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<TopicStats>> by_topic;
    std::lock_guard lock(mu);
    auto& slot = by_topic[topic];
    if (!slot) {
        slot = std::make_unique<TopicStats>(topic);
    }
    return *slot;
}

void replication_bytes_in(uint64_t bytes) {
    replication_bytes_in_meter().add(bytes);
}

void failed_produce_request_unknown_partition() {
    all_topics_stats().failed_produce_request();
}

void failed_fetch_request_unknown_partition() {
    all_topics_stats().failed_fetch_request();
}

}  // namespace samsa::replica
