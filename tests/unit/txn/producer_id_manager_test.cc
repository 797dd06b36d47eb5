// Producer id blocks: claimed in ZooKeeper's format, never handed out twice across brokers,
// lost races retried.
#include "broker/txn/producer_id_manager.h"

#include "zk/zk_data.h"

#include <gtest/gtest.h>

#include <set>

namespace samsa::txn {
namespace {

// An in-memory /latest_producer_id_block with zkVersion semantics.
struct FakeNode {
    std::optional<std::string> data;
    int32_t version = -2;
    int lost_races = 0;  // writes to fail as if another broker had written first

    ProducerIdManager::BlockStore store() {
        ProducerIdManager::BlockStore s;
        s.read = [this]() -> result<ProducerIdManager::StoredBlock> {
            return ProducerIdManager::StoredBlock{data, version};
        };
        s.write = [this](const std::string& d, int32_t expected) -> result<bool> {
            if (lost_races > 0) {
                --lost_races;
                return false;
            }
            if (expected != version) {
                return false;
            }
            data = d;
            version = version < 0 ? 0 : version + 1;
            return true;
        };
        return s;
    }
};

TEST(ProducerIdManagerTest, TheFirstBlockStartsAtZeroInKafkasFormat) {
    FakeNode node;
    ProducerIdManager ids(3, node.store());
    EXPECT_EQ(ids.generate().value(), 0);
    EXPECT_EQ(ids.generate().value(), 1);
    ASSERT_TRUE(node.data);
    auto block = zk::ProducerIdBlockZNode::decode(*node.data);
    ASSERT_TRUE(block);
    EXPECT_EQ(block.value().broker, 3);
    EXPECT_EQ(block.value().block_start, 0);
    EXPECT_EQ(block.value().block_end, 999);
    EXPECT_NE(node.data->find("\"block_start\":\"0\""), std::string::npos) << *node.data;
}

TEST(ProducerIdManagerTest, TwoBrokersNeverShareAnId) {
    FakeNode node;
    ProducerIdManager a(1, node.store());
    ProducerIdManager b(2, node.store());
    std::set<int64_t> seen;
    for (int i = 0; i < 2500; ++i) {
        EXPECT_TRUE(seen.insert(a.generate().value()).second);
        EXPECT_TRUE(seen.insert(b.generate().value()).second);
    }
    auto block = zk::ProducerIdBlockZNode::decode(*node.data);
    EXPECT_EQ(block.value().block_end, 5999);  // six blocks claimed in all
}

TEST(ProducerIdManagerTest, ARestartedBrokerClaimsAFreshBlock) {
    FakeNode node;
    {
        ProducerIdManager before(1, node.store());
        EXPECT_EQ(before.generate().value(), 0);
    }
    ProducerIdManager after(1, node.store());
    EXPECT_EQ(after.generate().value(), 1000);
}

TEST(ProducerIdManagerTest, ALostRaceIsRetried) {
    FakeNode node;
    node.lost_races = 3;
    ProducerIdManager ids(1, node.store());
    EXPECT_EQ(ids.generate().value(), 0);
}

TEST(ProducerIdManagerTest, AnUnreadableBlockIsAnError) {
    FakeNode node;
    node.data = "not json";
    node.version = 4;
    ProducerIdManager ids(1, node.store());
    EXPECT_FALSE(ids.generate());
}

}  // namespace
}  // namespace samsa::txn
