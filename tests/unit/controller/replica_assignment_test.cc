#include "broker/controller/replica_assignment.h"

#include <gtest/gtest.h>

#include <set>

namespace samsa::controller {
namespace {

using protocol::ErrorCode;
using Ids = std::vector<int32_t>;

std::function<bool(int32_t)> live(std::set<int32_t> brokers) {
    return [brokers](int32_t b) { return brokers.contains(b); };
}

TEST(ReplicaAssignmentTest, MoveListsTargetsFirstThenTheLeavingOriginals) {
    auto moving = (ReplicaAssignment{{1, 2}, {}, {}}).reassign_to({2, 3});
    EXPECT_EQ(moving, (ReplicaAssignment{{2, 3, 1}, {3}, {1}}));
    EXPECT_TRUE(moving.is_being_reassigned());
    EXPECT_EQ(moving.origin_replicas(), (Ids{2, 1}));
    EXPECT_EQ(moving.target_replicas(), (Ids{2, 3}));
}

TEST(ReplicaAssignmentTest, MoveOfASingleReplicaAddsOneAndRemovesOne) {
    EXPECT_EQ((ReplicaAssignment{{1}, {}, {}}.reassign_to({3})),
              (ReplicaAssignment{{3, 1}, {3}, {1}}));
}

TEST(ReplicaAssignmentTest, ReorderingIsNoMove) {
    auto reordered = (ReplicaAssignment{{1, 2}, {}, {}}).reassign_to({2, 1});
    EXPECT_EQ(reordered, (ReplicaAssignment{{2, 1}, {}, {}}));
    EXPECT_FALSE(reordered.is_being_reassigned());
}

TEST(ReplicaAssignmentTest, ANewMoveStartsFromTheOriginalsNotFromTheMoveInProgress) {
    ReplicaAssignment moving{{2, 3, 1}, {3}, {1}};  // [1,2] -> [2,3]
    EXPECT_EQ(moving.reassign_to({4, 1}), (ReplicaAssignment{{4, 1, 2}, {4}, {2}}));
}

TEST(ReplicaAssignmentTest, MovingBackToTheOriginalsCancels) {
    ReplicaAssignment moving{{2, 3, 1}, {3}, {1}};
    auto cancelled = moving.reassign_to(moving.origin_replicas());
    EXPECT_FALSE(cancelled.is_being_reassigned());
    EXPECT_EQ(cancelled.replicas, (Ids{2, 1}));
}

TEST(ReplicaAssignmentTest, ValidationRefusesEmptyDuplicateAndNegativeLists) {
    ReplicaAssignment current{{1, 2}, {}, {}};
    auto all = live({1, 2, 3});
    for (const Ids& bad : {Ids{}, Ids{2, 2}, Ids{1, -1}}) {
        auto error = validate_reassignment(current, bad, all);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->error, ErrorCode::invalid_replica_assignment);
        EXPECT_TRUE(error->message.has_value());
    }
    EXPECT_FALSE(validate_reassignment(current, {2, 3}, all));
}

TEST(ReplicaAssignmentTest, ValidationNeedsOnlyTheAddedReplicasAlive) {
    ReplicaAssignment current{{1, 2}, {}, {}};
    // Broker 1 is dead but already a replica: shrinking onto [1] is allowed.
    EXPECT_FALSE(validate_reassignment(current, {1}, live({2, 3})));
    auto error = validate_reassignment(current, {2, 4}, live({1, 2, 3}));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error, ErrorCode::invalid_replica_assignment);
}

}  // namespace
}  // namespace samsa::controller
