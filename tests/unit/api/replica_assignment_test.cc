// Replica placement against Kafka's AdminUtils: the layouts its own tests pin, and the
// properties its rack-aware tests check (even leaders and replicas per broker, one replica per
// rack while racks last) for fixed and for every start.

#include "broker/api/replica_assignment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace samsa::api {
namespace {

using protocol::ErrorCode;

std::vector<BrokerPlacement> no_racks(std::vector<int32_t> ids) {
    std::vector<BrokerPlacement> out;
    for (int32_t id : ids) {
        out.push_back({id, std::nullopt});
    }
    return out;
}

std::vector<BrokerPlacement> with_racks(const std::map<int32_t, std::string>& racks) {
    std::vector<BrokerPlacement> out;
    for (const auto& [id, rack] : racks) {
        out.push_back({id, rack});
    }
    return out;
}

ReplicaMap place(const std::vector<BrokerPlacement>& brokers, int32_t partitions, int32_t rf,
                 int32_t fixed_start, int32_t first_partition = 0) {
    auto out = assign_replicas_to_brokers(
        brokers, partitions, rf, AssignmentStart{fixed_start, fixed_start}, first_partition);
    EXPECT_EQ(out.error, ErrorCode::none) << out.message.value_or("");
    return out.assignment;
}

// Kafka's RackAwareTest.checkReplicaDistribution, as assertions: how many partitions each
// broker leads and holds, and how many racks each partition spans.
struct Distribution {
    std::map<int32_t, int> leaders;
    std::map<int32_t, int> replicas;
    std::map<int32_t, size_t> racks_per_partition;
};

Distribution distribution(const ReplicaMap& assignment,
                          const std::map<int32_t, std::string>& rack_of) {
    Distribution d;
    for (const auto& [p, replicas] : assignment) {
        ++d.leaders[replicas.front()];
        std::set<std::string> racks;
        for (int32_t b : replicas) {
            ++d.replicas[b];
            racks.insert(rack_of.at(b));
        }
        d.racks_per_partition[p] = racks.size();
    }
    return d;
}

void expect_rack_aware(const ReplicaMap& assignment, const std::map<int32_t, std::string>& rack_of,
                       size_t rf) {
    std::set<std::string> all_racks;
    for (const auto& [id, rack] : rack_of) {
        all_racks.insert(rack);
    }
    for (const auto& [p, racks] : distribution(assignment, rack_of).racks_per_partition) {
        EXPECT_EQ(racks, std::min(rf, all_racks.size())) << "partition " << p;
    }
    for (const auto& [p, replicas] : assignment) {
        EXPECT_EQ(std::set<int32_t>(replicas.begin(), replicas.end()).size(), rf)
            << "partition " << p << " reuses a broker";
    }
}

void expect_even(const std::map<int32_t, int>& per_broker, size_t brokers, int each,
                 const char* what) {
    EXPECT_EQ(per_broker.size(), brokers) << what;
    for (const auto& [b, n] : per_broker) {
        EXPECT_EQ(n, each) << what << " of broker " << b;
    }
}

// ---- Kafka's pinned layouts ------------------------------------------------------------------

// AdminUtilsTest: brokers 0..4, 10 partitions, RF 3, start and shift 0.
TEST(ReplicaAssignmentTest, RackUnawareLayoutIsKafkas) {
    ReplicaMap expected{{0, {0, 1, 2}}, {1, {1, 2, 3}}, {2, {2, 3, 4}}, {3, {3, 4, 0}},
                        {4, {4, 0, 1}}, {5, {0, 2, 3}}, {6, {1, 3, 4}}, {7, {2, 4, 0}},
                        {8, {3, 0, 1}}, {9, {4, 1, 2}}};
    EXPECT_EQ(place(no_racks({0, 1, 2, 3, 4}), 10, 3, 0), expected);
}

TEST(ReplicaAssignmentTest, BrokersArePlacedInIdOrderWhateverTheInputOrder) {
    EXPECT_EQ(place(no_racks({4, 2, 0, 3, 1}), 10, 3, 0),
              place(no_racks({0, 1, 2, 3, 4}), 10, 3, 0));
}

TEST(ReplicaAssignmentTest, RackAlternatedListTakesOneBrokerPerRackInTurn) {
    const std::map<int32_t, std::string> racks{{0, "rack1"}, {1, "rack3"}, {2, "rack3"},
                                               {3, "rack2"}, {4, "rack2"}, {5, "rack1"}};
    EXPECT_EQ(rack_alternated_broker_list(with_racks(racks)),
              (std::vector<int32_t>{0, 3, 1, 5, 4, 2}));
    auto without5 = racks;
    without5.erase(5);
    EXPECT_EQ(rack_alternated_broker_list(with_racks(without5)),
              (std::vector<int32_t>{0, 3, 1, 4, 2}));
}

// AdminRackAwareTest.testGetRackAlternatedBrokerListAndAssignReplicasToBrokers.
TEST(ReplicaAssignmentTest, RackAwareLayoutIsKafkas) {
    const std::map<int32_t, std::string> racks{{0, "rack1"}, {1, "rack3"}, {2, "rack3"},
                                               {3, "rack2"}, {4, "rack2"}, {5, "rack1"}};
    ReplicaMap expected{{0, {0, 3, 1}}, {1, {3, 1, 5}}, {2, {1, 5, 4}}, {3, {5, 4, 2}},
                        {4, {4, 2, 0}}, {5, {2, 0, 3}}, {6, {0, 4, 2}}};
    EXPECT_EQ(place(with_racks(racks), 7, 3, 0), expected);
}

// Partitions added later continue the numbering, so leadership goes on rotating where it
// would have; the follower shift restarts from the fixed value (Kafka counts its increments
// only over the partitions being placed).
TEST(ReplicaAssignmentTest, AddedPartitionsContinueTheLeaderRotation) {
    const auto brokers = no_racks({0, 1, 2, 3, 4});
    const auto all = place(brokers, 10, 3, 0);
    const auto tail = place(brokers, 4, 3, 0, 6);
    ASSERT_EQ(tail.size(), 4u);
    for (const auto& [p, replicas] : tail) {
        EXPECT_EQ(replicas.front(), all.at(p).front()) << "partition " << p;
    }
    EXPECT_EQ(tail.begin()->first, 6);
    EXPECT_EQ(tail.at(6), (std::vector<int32_t>{1, 2, 3}));  // shift 0, not the full run's 1
}

// ---- Kafka's rack-aware properties -------------------------------------------------------------

const std::map<int32_t, std::string> kSixBrokersThreeRacks{
    {0, "rack1"}, {1, "rack2"}, {2, "rack2"}, {3, "rack3"}, {4, "rack3"}, {5, "rack1"}};

TEST(ReplicaAssignmentTest, RackAwareSpreadsLeadersAndReplicasEvenlyForEveryStart) {
    for (int32_t start = 0; start < 6; ++start) {
        SCOPED_TRACE("start " + std::to_string(start));
        const auto a = place(with_racks(kSixBrokersThreeRacks), 6, 3, start);
        expect_rack_aware(a, kSixBrokersThreeRacks, 3);
        const auto d = distribution(a, kSixBrokersThreeRacks);
        expect_even(d.leaders, 6, 1, "leaders");
        expect_even(d.replicas, 6, 3, "replicas");
    }
}

TEST(ReplicaAssignmentTest, TwoReplicasLandOnTwoRacksAndSpreadEvenly) {
    const auto a = place(with_racks(kSixBrokersThreeRacks), 12, 2, 0);
    expect_rack_aware(a, kSixBrokersThreeRacks, 2);
    const auto d = distribution(a, kSixBrokersThreeRacks);
    expect_even(d.leaders, 6, 2, "leaders");
    expect_even(d.replicas, 6, 4, "replicas");
}

TEST(ReplicaAssignmentTest, ExpansionFromPartitionTwelveStaysRackAwareAndEven) {
    const auto a = place(with_racks(kSixBrokersThreeRacks), 12, 2, 0, 12);
    EXPECT_EQ(a.begin()->first, 12);
    expect_rack_aware(a, kSixBrokersThreeRacks, 2);
    const auto d = distribution(a, kSixBrokersThreeRacks);
    expect_even(d.leaders, 6, 2, "leaders");
    expect_even(d.replicas, 6, 4, "replicas");
}

TEST(ReplicaAssignmentTest, ThreeBrokersOnThreeRacks) {
    const std::map<int32_t, std::string> racks{{0, "a"}, {1, "b"}, {2, "c"}};
    for (int32_t start = 0; start < 3; ++start) {
        for (int32_t rf : {2, 3}) {
            const auto a = place(with_racks(racks), 6, rf, start);
            expect_rack_aware(a, racks, rf);
            const auto d = distribution(a, racks);
            expect_even(d.leaders, 3, 2, "leaders");
            expect_even(d.replicas, 3, 2 * rf, "replicas");
        }
    }
}

TEST(ReplicaAssignmentTest, UnevenRacksStillGiveEveryPartitionThreeRacksAndEvenLeaders) {
    const std::map<int32_t, std::string> racks{{0, "rack1"}, {1, "rack1"}, {2, "rack2"},
                                               {3, "rack3"}, {4, "rack3"}, {5, "rack1"}};
    const auto a = place(with_racks(racks), 12, 3, 0);
    expect_rack_aware(a, racks, 3);
    expect_even(distribution(a, racks).leaders, 6, 2, "leaders");
}

TEST(ReplicaAssignmentTest, MoreReplicasThanRacksCoverEveryRackWithoutReusingBrokers) {
    const auto a = place(with_racks(kSixBrokersThreeRacks), 6, 5, 0);
    expect_rack_aware(a, kSixBrokersThreeRacks, 5);
}

// AdminRackAwareTest.testLargeNumberPartitionsAssignment's cluster.
TEST(ReplicaAssignmentTest, TwelveBrokersOnThreeRacks) {
    const std::map<int32_t, std::string> racks{
        {0, "rack1"}, {1, "rack2"}, {2, "rack2"}, {3, "rack3"}, {4, "rack3"},  {5, "rack1"},
        {6, "rack1"}, {7, "rack2"}, {8, "rack2"}, {9, "rack3"}, {10, "rack1"}, {11, "rack3"}};
    const auto a = place(with_racks(racks), 96, 3, 0);
    expect_rack_aware(a, racks, 3);
    const auto d = distribution(a, racks);
    expect_even(d.leaders, 12, 8, "leaders");
    expect_even(d.replicas, 12, 24, "replicas");
}

TEST(ReplicaAssignmentTest, OneRackBehavesLikeNoRacksForBalance) {
    const std::map<int32_t, std::string> racks{{0, "r"}, {1, "r"}, {2, "r"},
                                               {3, "r"}, {4, "r"}, {5, "r"}};
    const auto a = place(with_racks(racks), 6, 3, 0);
    expect_rack_aware(a, racks, 3);
    const auto d = distribution(a, racks);
    expect_even(d.leaders, 6, 1, "leaders");
    expect_even(d.replicas, 6, 3, "replicas");
}

TEST(ReplicaAssignmentTest, RandomStartsStayWithinTheBrokers) {
    for (int i = 0; i < 200; ++i) {
        const auto s = random_assignment_start(3);
        ASSERT_GE(s.start_index, 0);
        ASSERT_LT(s.start_index, 3);
        ASSERT_GE(s.replica_shift, 0);
        ASSERT_LT(s.replica_shift, 3);
    }
}

// ---- Refusals --------------------------------------------------------------------------------

TEST(ReplicaAssignmentTest, ReplicationFactorAboveTheBrokerCountIsInvalid) {
    auto out = assign_replicas_to_brokers(no_racks({0, 1, 2}), 3, 4, {});
    EXPECT_EQ(out.error, ErrorCode::invalid_replication_factor);
    EXPECT_EQ(out.message, "Replication factor: 4 larger than available brokers: 3.");
    EXPECT_TRUE(out.assignment.empty());
}

TEST(ReplicaAssignmentTest, NonPositiveCountsAreInvalid) {
    EXPECT_EQ(assign_replicas_to_brokers(no_racks({0, 1}), 0, 1, {}).error,
              ErrorCode::invalid_partitions);
    EXPECT_EQ(assign_replicas_to_brokers(no_racks({0, 1}), 2, 0, {}).error,
              ErrorCode::invalid_replication_factor);
}

TEST(ReplicaAssignmentTest, SomeBrokersWithoutARackAreRefusedAsKafkaDoes) {
    std::vector<BrokerPlacement> brokers{{0, "a"}, {1, std::nullopt}, {2, "b"}};
    EXPECT_TRUE(has_mixed_racks(brokers));
    auto out = assign_replicas_to_brokers(brokers, 3, 2, {});
    EXPECT_EQ(out.error, ErrorCode::unknown_server_error);
    EXPECT_FALSE(out.message.has_value());
    EXPECT_FALSE(has_mixed_racks(no_racks({0, 1})));
    EXPECT_FALSE(has_mixed_racks(with_racks({{0, "a"}, {1, "a"}})));
}

}  // namespace
}  // namespace samsa::api
