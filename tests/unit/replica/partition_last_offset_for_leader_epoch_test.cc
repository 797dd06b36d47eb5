// Partition::last_offset_for_leader_epoch, the leader's side of OffsetsForLeaderEpoch (Kafka's
// Partition.lastOffsetForLeaderEpoch): the epoch cache's answer, behind KIP-320 fencing and
// the leader-only rule.

#include "broker/log/leader_epoch_file_cache.h"
#include "broker/protocol/error_code.h"
#include "broker/replica/partition.h"
#include "tests/unit/log/test_util.h"
#include "tests/unit/replica/partition_fixture.h"

#include <gtest/gtest.h>

namespace samsa::replica {
namespace {

using log::EpochEndOffset;
using protocol::ErrorCode;

class LastOffsetForLeaderEpochTestBase : public test::PartitionFixture {
  protected:
    static PartitionRole role(int32_t leader, int32_t epoch) {
        PartitionRole r;
        r.controller_epoch = 1;
        r.leader = leader;
        r.leader_epoch = epoch;
        r.isr = {leader};
        r.replicas = {kLocal, 2};
        return r;
    }

    void append(int records) {
        auto a = PartitionFixture::append(records);
        ASSERT_TRUE(a) << a.error().message();
    }

    // The answer for `epoch` asked without a fencing epoch, from a follower or a consumer.
    result<EpochEndOffset> ask(int32_t epoch, int32_t current_leader_epoch = -1) const {
        return partition_->last_offset_for_leader_epoch(current_leader_epoch, epoch, true);
    }
};

using LastOffsetForLeaderEpochTest = LastOffsetForLeaderEpochTestBase;

TEST_F(LastOffsetForLeaderEpochTest, LatestEpochEndsAtTheLogEndOffset) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 2)));
    append(3);
    append(4);
    EXPECT_EQ(ask(2).value(), (EpochEndOffset{2, 7}));
}

TEST_F(LastOffsetForLeaderEpochTest, EarlierEpochsEndWhereTheNextOneStarted) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1)));
    append(3);
    ASSERT_TRUE(partition_->make_follower(role(2, 2)));
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 4)));
    append(2);
    EXPECT_EQ(ask(1).value(), (EpochEndOffset{1, 3}));
    // Epochs this log never saw between known ones: the largest known below, and its end.
    EXPECT_EQ(ask(3).value(), (EpochEndOffset{1, 3}));
    // Below every known epoch: the requested epoch, ending where the first known one starts.
    EXPECT_EQ(ask(0).value(), (EpochEndOffset{0, 0}));
    EXPECT_EQ(ask(4).value(), (EpochEndOffset{4, 5}));
}

TEST_F(LastOffsetForLeaderEpochTest, UnknownHigherAndUndefinedEpochsAreMinusOne) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 2)));
    append(1);
    EXPECT_EQ(ask(9).value(), (EpochEndOffset{-1, -1}));
    EXPECT_EQ(ask(-1).value(), (EpochEndOffset{-1, -1}));
}

TEST_F(LastOffsetForLeaderEpochTest, StaleOrFutureCurrentLeaderEpochIsFenced) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 5)));
    EXPECT_EQ(ask(5, 4).error(), ErrorCode::fenced_leader_epoch);
    EXPECT_EQ(ask(5, 6).error(), ErrorCode::unknown_leader_epoch);
    EXPECT_EQ(ask(5, 5).value(), (EpochEndOffset{5, 0}));
}

TEST_F(LastOffsetForLeaderEpochTest, FollowerAnswersOnlyWhenLeadershipIsNotRequired) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1)));
    append(2);
    ASSERT_TRUE(partition_->make_follower(role(2, 3)));
    EXPECT_EQ(ask(1).error(), ErrorCode::not_leader_or_follower);
    EXPECT_EQ(partition_->last_offset_for_leader_epoch(-1, 1, false).value(),
              (EpochEndOffset{1, 2}));
}

TEST_F(LastOffsetForLeaderEpochTest, FencingIsCheckedBeforeLeadership) {
    ASSERT_TRUE(partition_->make_follower(role(2, 3)));
    EXPECT_EQ(ask(3, 2).error(), ErrorCode::fenced_leader_epoch);
    EXPECT_EQ(ask(3, 3).error(), ErrorCode::not_leader_or_follower);
}

}  // namespace
}  // namespace samsa::replica

namespace samsa::replica {
namespace {

using log::EpochEndOffset;

// Fetch v12 (KIP-595): the same answer given in the fetch itself when the fetcher says the
// epoch of its last record.
class DivergingEpochTest : public LastOffsetForLeaderEpochTestBase {};

TEST_F(DivergingEpochTest, FetchWithLastFetchedEpochLearnsWhereTheLogsDiverge) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1)));
    append(3);  // epoch 1: offsets 0-2
    ASSERT_TRUE(partition_->make_follower(role(2, 2)));
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 4)));
    append(2);  // epoch 4: offsets 3-4

    auto read = [&](int64_t offset, int32_t last_epoch) {
        return partition_->read(offset, 1 << 20, 4, FetchIsolation::log_end, true, true,
                                log::ReadMode::may_block, last_epoch);
    };
    // A follower that wrote offsets 3-5 in epoch 2 (never committed here): its epoch ended
    // at 3 on this log, below its fetch offset 6.
    auto diverged = read(6, 2);
    ASSERT_TRUE(diverged) << diverged.error().message();
    ASSERT_TRUE(diverged.value().diverging_epoch);
    EXPECT_EQ(*diverged.value().diverging_epoch, (EpochEndOffset{1, 3}));
    EXPECT_EQ(diverged.value().records.size_bytes(), 0);
    EXPECT_EQ(diverged.value().high_watermark, partition_->high_watermark());

    // A follower in step (epoch 1 ended at 3, it fetches from 3): records, no divergence.
    auto in_step = read(3, 1);
    ASSERT_TRUE(in_step);
    EXPECT_FALSE(in_step.value().diverging_epoch);
    EXPECT_GT(in_step.value().records.size_bytes(), 0);
    // Still fetching inside epoch 1 (from 2): no divergence either.
    EXPECT_FALSE(read(2, 1).value().diverging_epoch);
    // Without a last fetched epoch (v11 and before) nothing is checked.
    EXPECT_FALSE(read(3, -1).value().diverging_epoch);
}

}  // namespace
}  // namespace samsa::replica
