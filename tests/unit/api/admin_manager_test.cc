#include "broker/api/admin_manager.h"

#include <gtest/gtest.h>

namespace samsa::api {
namespace {

using protocol::ErrorCode;
using Replicas = std::map<int32_t, std::vector<int32_t>>;

std::vector<BrokerPlacement> brokers(std::vector<int32_t> ids) {
    std::vector<BrokerPlacement> out;
    for (int32_t id : ids) {
        out.push_back({id, std::nullopt});
    }
    return out;
}

NewPartitions grow(int32_t count,
                   std::optional<std::vector<std::vector<int32_t>>> lists = std::nullopt) {
    return NewPartitions{"t", count, std::move(lists)};
}

// A 2-partition RF-2 topic on brokers 1..3.
const Replicas kExisting{{0, {2, 3}}, {1, {3, 1}}};

TopicOutcome add(const NewPartitions& n, Replicas& added, const Replicas& existing = kExisting) {
    return AdminManager::assign_new_partitions(n, existing, brokers({1, 2, 3}), added);
}

TEST(AdminManagerTest, AddedPartitionsFollowKafkasPlacementFromPartitionZerosLeader) {
    // Kafka: start index = position of the first broker >= partition 0's leader (2 -> index
    // 1), used as both start and shift, numbering from the existing count.
    Replicas added;
    ASSERT_EQ(add(grow(5), added).error, ErrorCode::none);
    const auto expected = assign_replicas_to_brokers(brokers({1, 2, 3}), 3, 2, {1, 1}, 2);
    EXPECT_EQ(added, expected.assignment);
    EXPECT_EQ(added, (Replicas{{2, {1, 3}}, {3, {2, 3}}, {4, {3, 1}}}));
}

TEST(AdminManagerTest, TheCountMustGrow) {
    Replicas added;
    auto same = add(grow(2), added);
    EXPECT_EQ(same.error, ErrorCode::invalid_partitions);
    EXPECT_EQ(same.message, "Topic already has 2 partitions.");
    auto fewer = add(grow(1), added);
    EXPECT_EQ(fewer.error, ErrorCode::invalid_partitions);
    EXPECT_EQ(fewer.message,
              "Topic currently has 2 partitions, which is higher than the requested 1.");
    EXPECT_TRUE(added.empty());
}

TEST(AdminManagerTest, ManualAssignmentsAreCheckedInKafkasOrder) {
    struct Case {
        std::vector<std::vector<int32_t>> lists;
        int32_t count;
        std::string message;
    };
    const std::vector<Case> cases{
        {{{1, 9}, {2, 1}, {7}}, 5, "Unknown broker(s) in replica assignment: 7, 9."},
        {{{1, 2}}, 4, "Increasing the number of partitions by 2 but 1 assignments provided."},
        {{{}}, 3, "Cannot have replication factor of 0 for partition id 2."},
        {{{1, 1}},
         3,
         "Duplicate brokers not allowed in replica assignment: 1, 1 for partition id 2."},
        {{{1}, {1, 2}, {1, 2, 3}},
         5,
         "Inconsistent replication factor between partitions, partition 0 has 2 while "
         "partitions [2, 4] have replication factors [1, 3], respectively."},
    };
    for (const auto& c : cases) {
        Replicas added;
        auto out = add(grow(c.count, c.lists), added);
        EXPECT_EQ(out.error, ErrorCode::invalid_replica_assignment) << c.message;
        EXPECT_EQ(out.message, c.message);
    }
}

TEST(AdminManagerTest, AValidManualAssignmentIsTakenAsGiven) {
    Replicas added;
    ASSERT_EQ(add(grow(4, {{{3, 1}, {2, 3}}}), added).error, ErrorCode::none);
    EXPECT_EQ(added, (Replicas{{2, {3, 1}}, {3, {2, 3}}}));
}

TEST(AdminManagerTest, AReplicationFactorAboveTheBrokersLeftIsInvalid) {
    Replicas added;
    auto out = AdminManager::assign_new_partitions(grow(3), Replicas{{0, {1, 2, 3}}},
                                                   brokers({1, 2}), added);
    EXPECT_EQ(out.error, ErrorCode::invalid_replication_factor);
    EXPECT_EQ(out.message, "Replication factor: 3 larger than available brokers: 2.");
}

TEST(AdminManagerTest, ATopicWithoutPartitionZeroCannotGrow) {
    Replicas added;
    auto out = add(grow(3), added, Replicas{{1, {1, 2}}});
    EXPECT_EQ(out.error, ErrorCode::unknown_server_error);
    EXPECT_FALSE(out.message.has_value());
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
