#include "broker/replica/metadata_cache.h"

#include "broker/protocol/generated/update_metadata_request.h"

#include <gtest/gtest.h>

namespace samsa::replica {
namespace {

using Request = protocol::UpdateMetadataRequestData;

Request update(int32_t leader, std::vector<int32_t> live = {1, 2}) {
    Request r;
    r.controller_id = 1;
    r.controller_epoch = 3;
    for (int32_t id : live) {
        Request::UpdateMetadataBroker b;
        b.id = id;
        Request::UpdateMetadataEndpoint e;
        e.host = "127.0.0.1";
        e.port = 9090 + id;
        e.listener = "PLAINTEXT";
        b.endpoints.push_back(e);
        r.live_brokers.push_back(b);
    }
    Request::UpdateMetadataTopicState t;
    t.topic_name = "orders";
    Request::UpdateMetadataPartitionState p;
    p.partition_index = 0;
    p.leader = leader;
    p.leader_epoch = 2;
    p.isr = {1, 2};
    p.replicas = {1, 2};
    t.partition_states.push_back(p);
    r.topic_states.push_back(t);
    return r;
}

TEST(MetadataCacheTest, UpdateMetadataFillsBrokersTopicsAndController) {
    MetadataCache cache;
    cache.update(update(2));
    auto s = cache.snapshot();
    EXPECT_EQ(s->controller_id, 1);
    ASSERT_EQ(s->brokers.size(), 2u);
    ASSERT_NE(s->brokers.at(2).endpoint("PLAINTEXT"), nullptr);
    EXPECT_EQ(s->brokers.at(2).endpoint("PLAINTEXT")->port, 9092);
    EXPECT_EQ(s->brokers.at(2).endpoint("SSL"), nullptr);
    const auto* p = s->partition(TopicPartition{"orders", 0});
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->leader, 2);
    EXPECT_EQ(p->leader_epoch, 2);
}

TEST(MetadataCacheTest, LeaderMinusTwoDeletesThePartitionAndEmptyTopic) {
    MetadataCache cache;
    cache.update(update(2));
    auto before = cache.snapshot();
    auto deleted = cache.update(update(MetadataCache::kLeaderDuringDelete));
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(deleted[0], (TopicPartition{"orders", 0}));
    EXPECT_FALSE(cache.snapshot()->topics.contains("orders"));
    // Earlier snapshots are immutable.
    EXPECT_TRUE(before->topics.contains("orders"));
}

TEST(MetadataCacheTest, LiveBrokerListIsReplacedByEachUpdate) {
    MetadataCache cache;
    cache.update(update(1, {1, 2}));
    cache.update(update(1, {1}));
    EXPECT_EQ(cache.snapshot()->brokers.size(), 1u);
}

}  // namespace
}  // namespace samsa::replica
