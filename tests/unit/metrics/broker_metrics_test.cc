// The broker's metric families as the process-wide registry renders them: BrokerTopicMetrics
// per topic and for all topics, and the per-API request metrics (FetchConsumer/FetchFollower).

#include "broker/api/request_metrics.h"
#include "broker/metrics/metrics.h"
#include "broker/replica/broker_topic_stats.h"

#include <gtest/gtest.h>

#include <string>

namespace samsa {
namespace {

class BrokerMetricsTest : public ::testing::Test {
  protected:
    void SetUp() override { metrics::set_enabled(true); }
    void TearDown() override { metrics::set_enabled(false); }

    static bool has(const std::string& line) {
        return metrics::registry().render().find(line + "\n") != std::string::npos;
    }
};

TEST_F(BrokerMetricsTest, TopicStatsCountForTheTopicAndAllTopics) {
    const auto& a = replica::topic_stats("unit-a");
    const auto& b = replica::topic_stats("unit-b");
    EXPECT_EQ(&a, &replica::topic_stats("unit-a"));
    a.messages_in(3, 300);
    b.messages_in(2, 200);
    a.bytes_out(50, /*to_follower=*/false);
    b.bytes_out(70, /*to_follower=*/true);
    a.failed_produce_request();
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_messagesin_total{topic=\"unit-a\"} 3"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_messagesin_total{topic=\"unit-b\"} 2"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_messagesin_total 5"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_bytesin_total 500"));
    // A follower's bytes are replication bytes only (Kafka's updateBytesOut).
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_bytesout_total 50"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_bytesout_total{topic=\"unit-b\"} 0"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_replicationbytesout_total 70"));
    EXPECT_TRUE(
        has("kafka_server_brokertopicmetrics_failedproducerequests_total{topic=\"unit-a\"} 1"));
    EXPECT_TRUE(has("kafka_server_brokertopicmetrics_failedproducerequests_total 1"));
}

TEST_F(BrokerMetricsTest, RequestMetricsPerApiVersionAndError) {
    using protocol::ApiKey;
    api::record_request(ApiKey::produce, 7, false, 1500);
    api::record_request(ApiKey::produce, 7, false, 1500);
    api::record_request(ApiKey::fetch, 11, false, 100);
    api::record_request(ApiKey::fetch, 12, true, 100);
    api::record_error(ApiKey::produce, protocol::ErrorCode::not_leader_or_follower);
    api::record_error(ApiKey::produce, protocol::ErrorCode::none);  // not counted
    EXPECT_TRUE(
        has("kafka_network_requestmetrics_requests_total{request=\"Produce\",version=\"7\"} 2"));
    EXPECT_TRUE(has(
        "kafka_network_requestmetrics_requests_total{request=\"FetchConsumer\",version=\"11\"} 1"));
    EXPECT_TRUE(has(
        "kafka_network_requestmetrics_requests_total{request=\"FetchFollower\",version=\"12\"} 1"));
    EXPECT_TRUE(has("kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"} 2"));
    EXPECT_TRUE(has("kafka_network_requestmetrics_totaltimems_sum{request=\"Produce\"} 3"));
    EXPECT_TRUE(
        has("kafka_network_requestmetrics_errors_total{request=\"Produce\",error=\"NOT_"
            "LEADER_OR_FOLLOWER\"} 1"));
    EXPECT_EQ(metrics::registry().render().find("error=\"NONE\""), std::string::npos);
}

TEST_F(BrokerMetricsTest, NothingIsRegisteredOrCountedWhileOff) {
    metrics::set_enabled(false);
    api::record_request(protocol::ApiKey::describe_groups, 3, false, 10);
    EXPECT_EQ(metrics::registry().render().find("DescribeGroups"), std::string::npos);
}

}  // namespace
}  // namespace samsa
