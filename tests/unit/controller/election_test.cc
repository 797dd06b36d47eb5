#include "broker/controller/election.h"

#include <gtest/gtest.h>

#include <set>

namespace samsa::controller {
namespace {

IsLive live(std::set<int32_t> brokers) {
    return [brokers](int32_t b) { return brokers.contains(b); };
}

TEST(ElectionTest, InitialLeaderIsFirstLiveReplicaAndIsrIsAllLive) {
    auto r = initial_leader({3, 1, 2}, live({1, 2}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 1);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{1, 2}));
}

TEST(ElectionTest, InitialLeaderNeedsALiveReplica) {
    EXPECT_FALSE(initial_leader({1, 2}, live({3})));
}

TEST(ElectionTest, OfflineElectionPicksFirstLiveInSyncReplicaInAssignmentOrder) {
    auto r = offline_partition_leader({1, 2, 3}, {3, 2}, live({2, 3}), false);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 2);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{3, 2}));
}

TEST(ElectionTest, OfflineElectionDropsDeadReplicasFromIsr) {
    auto r = offline_partition_leader({1, 2, 3}, {1, 2, 3}, live({2, 3}), false);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 2);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{2, 3}));
}

TEST(ElectionTest, OfflineElectionFailsWithoutLiveInSyncReplicaWhenUncleanIsOff) {
    EXPECT_FALSE(offline_partition_leader({1, 2}, {1}, live({2}), false));
}

TEST(ElectionTest, UncleanElectionTakesAnyLiveReplicaAsSoleIsrMember) {
    auto r = offline_partition_leader({1, 2}, {1}, live({2}), true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 2);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{2}));
}

TEST(ElectionTest, PreferredElectionOnlyElectsTheFirstAssignedReplica) {
    auto r = preferred_replica_leader({2, 1}, {1, 2}, live({1, 2}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 2);
    EXPECT_FALSE(preferred_replica_leader({2, 1}, {1}, live({1, 2})));
    EXPECT_FALSE(preferred_replica_leader({2, 1}, {1, 2}, live({1})));
}

TEST(ElectionTest, ControlledShutdownMovesLeadershipOffTheStoppingBroker) {
    auto r = controlled_shutdown_leader({1, 2, 3}, {1, 2, 3}, live({1, 2, 3}),
                                        [](int32_t b) { return b == 1; });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 2);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{2, 3}));
}

TEST(ElectionTest, ControlledShutdownSkipsDeadAndOutOfSyncReplicasInAssignmentOrder) {
    auto shutting_down = [](int32_t b) { return b == 1; };
    // 2 is dead, 4 is not in the ISR: 3 leads, the ISR keeps only what is not shutting down.
    auto r = controlled_shutdown_leader({1, 2, 4, 3}, {3, 1, 2}, live({1, 3, 4}), shutting_down);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 3);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{3, 2}));
}

TEST(ElectionTest, ControlledShutdownFailsWhenOnlyShuttingDownBrokersAreInSync) {
    EXPECT_FALSE(
        controlled_shutdown_leader({1, 2}, {1}, live({1, 2}), [](int32_t b) { return b == 1; }));
    // Two brokers stopping at once: neither may lead.
    EXPECT_FALSE(controlled_shutdown_leader({1, 2, 3}, {1, 2}, live({1, 2, 3}),
                                            [](int32_t b) { return b != 3; }));
}

TEST(ElectionTest, PreferredElectionKeepsTheIsr) {
    auto r = preferred_replica_leader({2, 1, 3}, {1, 3, 2}, live({1, 2, 3}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{1, 3, 2}));
}

TEST(ElectionTest, UncleanElectionPrefersALiveInSyncReplicaWhenThereIsOne) {
    auto r = offline_partition_leader({1, 2, 3}, {3}, live({2, 3}), true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 3);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{3}));
}

TEST(ElectionTest, UncleanElectionNeedsALiveReplica) {
    EXPECT_FALSE(offline_partition_leader({1, 2}, {1}, live({3}), true));
}

// ---- Auto leader rebalance -----------------------------------------------------------------

TopicPartition tp(int32_t p) {
    return TopicPartition{"t", p};
}

TEST(LeaderImbalanceTest, BalancedClusterNeedsNoElection) {
    std::map<TopicPartition, std::vector<int32_t>> a{{tp(0), {1, 2}}, {tp(1), {2, 1}}};
    std::map<TopicPartition, int32_t> leaders{{tp(0), 1}, {tp(1), 2}};
    EXPECT_TRUE(imbalanced_partitions(a, leaders, 10).empty());
}

TEST(LeaderImbalanceTest, BrokerOverThePercentageGetsItsPartitionsBack) {
    // Broker 1 is preferred for 3 partitions and leads 1 of them: 2/3 > 10%.
    std::map<TopicPartition, std::vector<int32_t>> a{
        {tp(0), {1, 2}}, {tp(1), {1, 2}}, {tp(2), {1, 2}}, {tp(3), {2, 1}}};
    std::map<TopicPartition, int32_t> leaders{{tp(0), 2}, {tp(1), 1}, {tp(2), 2}, {tp(3), 2}};
    auto r = imbalanced_partitions(a, leaders, 10);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r.at(1), (std::vector<TopicPartition>{tp(0), tp(2)}));
}

TEST(LeaderImbalanceTest, RatioMustExceedThePercentageNotJustReachIt) {
    // 1 of 4 partitions preferred on broker 1 is led elsewhere: 25%.
    std::map<TopicPartition, std::vector<int32_t>> a{
        {tp(0), {1, 2}}, {tp(1), {1, 2}}, {tp(2), {1, 2}}, {tp(3), {1, 2}}};
    std::map<TopicPartition, int32_t> leaders{{tp(0), 2}, {tp(1), 1}, {tp(2), 1}, {tp(3), 1}};
    EXPECT_TRUE(imbalanced_partitions(a, leaders, 25).empty());
    EXPECT_EQ(imbalanced_partitions(a, leaders, 24).at(1), (std::vector<TopicPartition>{tp(0)}));
}

TEST(LeaderImbalanceTest, PartitionWithoutKnownLeaderCountsOnlyInTheTotal) {
    // Broker 1: partition 0 led by 2, partition 1 unknown: 1/2 = 50%.
    std::map<TopicPartition, std::vector<int32_t>> a{{tp(0), {1, 2}}, {tp(1), {1, 2}}};
    std::map<TopicPartition, int32_t> leaders{{tp(0), 2}};
    EXPECT_TRUE(imbalanced_partitions(a, leaders, 50).empty());
    EXPECT_EQ(imbalanced_partitions(a, leaders, 49).at(1), (std::vector<TopicPartition>{tp(0)}));
}

TEST(LeaderImbalanceTest, LeaderlessPartitionCountsAsNotLedByThePreferredReplica) {
    std::map<TopicPartition, std::vector<int32_t>> a{{tp(0), {1, 2}}};
    std::map<TopicPartition, int32_t> leaders{{tp(0), -1}};
    EXPECT_EQ(imbalanced_partitions(a, leaders, 10).at(1), (std::vector<TopicPartition>{tp(0)}));
}

TEST(ElectionTest, ReassignElectionPicksFirstLiveInSyncTargetAndKeepsTheIsr) {
    auto r = reassign_partition_leader({3, 2}, {1, 2, 3}, live({1, 2, 3}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->leader, 3);
    EXPECT_EQ(r->isr, (std::vector<int32_t>{1, 2, 3}));
    // A dead or out-of-sync target is skipped; none eligible, no leader.
    EXPECT_EQ(reassign_partition_leader({3, 2}, {1, 2, 3}, live({1, 2}))->leader, 2);
    EXPECT_FALSE(reassign_partition_leader({3}, {1, 2}, live({1, 2, 3})));
}

}  // namespace
}  // namespace samsa::controller
