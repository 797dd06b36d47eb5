#include "broker/api/admin_manager.h"

#include <set>

#include <gtest/gtest.h>

namespace samsa::api {
namespace {

using Assignment = std::map<int32_t, std::vector<int32_t>>;

// Kafka's AdminUtils places replicas this way for brokers 0..4, 10 partitions, RF 3 and a
// fixed start index and shift of 0 (the example of its own AdminUtilsTest).
TEST(AdminManagerTest, ReplicaPlacementMatchesKafkasRackUnawareAssignment) {
    Assignment expected{{0, {0, 1, 2}}, {1, {1, 2, 3}}, {2, {2, 3, 4}}, {3, {3, 4, 0}},
                        {4, {4, 0, 1}}, {5, {0, 2, 3}}, {6, {1, 3, 4}}, {7, {2, 4, 0}},
                        {8, {3, 0, 1}}, {9, {4, 1, 2}}};
    EXPECT_EQ(AdminManager::assign_replicas({0, 1, 2, 3, 4}, 10, 3, 0, 0), expected);
}

TEST(AdminManagerTest, SingleBrokerGetsEveryPartition) {
    Assignment expected{{0, {7}}, {1, {7}}, {2, {7}}};
    EXPECT_EQ(AdminManager::assign_replicas({7}, 3, 1, 0, 0), expected);
}

TEST(AdminManagerTest, EveryPartitionHasDistinctReplicasWhateverTheStart) {
    for (int32_t start = 0; start < 3; ++start) {
        for (int32_t shift = 0; shift < 3; ++shift) {
            for (const auto& [p, replicas] : AdminManager::assign_replicas({1, 2, 3}, 7, 3, start, shift)) {
                std::set<int32_t> unique(replicas.begin(), replicas.end());
                EXPECT_EQ(unique.size(), 3u) << "partition " << p;
            }
        }
    }
}

TEST(AdminManagerTest, TopicNamesFollowKafkasRules) {
    EXPECT_TRUE(AdminManager::valid_topic_name("orders.v1_A-2"));
    EXPECT_TRUE(AdminManager::valid_topic_name(std::string(249, 'a')));
    EXPECT_FALSE(AdminManager::valid_topic_name(std::string(250, 'a')));
    EXPECT_FALSE(AdminManager::valid_topic_name(""));
    EXPECT_FALSE(AdminManager::valid_topic_name("."));
    EXPECT_FALSE(AdminManager::valid_topic_name(".."));
    std::string why;
    EXPECT_FALSE(AdminManager::valid_topic_name("a b", &why));
    EXPECT_NE(why.find("illegal"), std::string::npos);
    EXPECT_FALSE(AdminManager::valid_topic_name("a/b"));
}

}  // namespace
}  // namespace samsa::api
