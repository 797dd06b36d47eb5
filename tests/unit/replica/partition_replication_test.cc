// Partition's replication rules on a real Log: the high watermark from the ISR's log end
// offsets, ISR expansion and shrink proposals, and the follower's epoch-checked appends.

#include "broker/log/log.h"
#include "broker/protocol/error_code.h"
#include "broker/replica/partition.h"
#include "tests/unit/log/test_util.h"
#include "tests/unit/replica/partition_fixture.h"

#include <gtest/gtest.h>

namespace samsa::replica {
namespace {

using log::test::make_simple_batch;
using protocol::ErrorCode;

constexpr int32_t kFollower = 2;
constexpr int32_t kOther = 3;
constexpr int64_t kLagMs = 10'000;

class PartitionReplicationTest : public test::PartitionFixture {
  protected:
    static PartitionRole role(int32_t leader, int32_t epoch, std::vector<int32_t> isr) {
        PartitionRole r;
        r.controller_epoch = 1;
        r.leader = leader;
        r.leader_epoch = epoch;
        r.isr = std::move(isr);
        r.zk_version = 4;
        r.replicas = {kLocal, kFollower, kOther};
        return r;
    }

    void append(int records) {
        auto a = PartitionFixture::append(records);
        ASSERT_TRUE(a) << a.error().message();
    }

    int64_t now() const { return log::system_now_ms(); }
};

TEST_F(PartitionReplicationTest, HighWatermarkIsTheSmallestIsrLogEnd) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower, kOther})));
    append(10);
    EXPECT_EQ(partition_->high_watermark(), 0);
    ASSERT_TRUE(partition_->update_follower_fetch_state(kFollower, 10, now()));
    EXPECT_EQ(partition_->high_watermark(), 0);  // kOther has not fetched yet
    ASSERT_TRUE(partition_->update_follower_fetch_state(kOther, 4, now()));
    EXPECT_EQ(partition_->high_watermark(), 4);
    EXPECT_TRUE(partition_->is_replicated(3, 2).value());
    EXPECT_FALSE(partition_->is_replicated(4, 2).value());
    ASSERT_TRUE(partition_->update_follower_fetch_state(kOther, 10, now()));
    EXPECT_EQ(partition_->high_watermark(), 10);
}

TEST_F(PartitionReplicationTest, FollowerOutsideTheIsrDoesNotHoldTheHighWatermark) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower})));
    append(5);
    auto join = partition_->update_follower_fetch_state(kFollower, 5, now());
    ASSERT_TRUE(join);
    EXPECT_FALSE(join.value());  // already in the ISR
    EXPECT_EQ(partition_->high_watermark(), 5);
    // kOther is assigned but not in the ISR: it lags without holding anything back.
    auto other = partition_->update_follower_fetch_state(kOther, 0, now());
    ASSERT_TRUE(other);
    EXPECT_FALSE(other.value());  // not caught up to the HW: may not join
    EXPECT_EQ(partition_->high_watermark(), 5);
}

TEST_F(PartitionReplicationTest, CaughtUpFollowerIsProposedForTheIsr) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower})));
    append(5);
    ASSERT_TRUE(partition_->update_follower_fetch_state(kFollower, 5, now()));
    EXPECT_FALSE(partition_->propose_isr_expand());
    auto join = partition_->update_follower_fetch_state(kOther, 5, now());
    ASSERT_TRUE(join);
    EXPECT_TRUE(join.value());
    auto change = partition_->propose_isr_expand();
    ASSERT_TRUE(change);
    EXPECT_EQ(change->isr, (std::vector<int32_t>{kLocal, kFollower, kOther}));
    EXPECT_EQ(change->zk_version, 4);
    EXPECT_EQ(change->leader_epoch, 0);
    ASSERT_TRUE(partition_->apply_isr_change(*change, 5));
    EXPECT_EQ(partition_->in_sync_replicas(), change->isr);
}

TEST_F(PartitionReplicationTest, LaggingFollowerIsProposedForRemoval) {
    // ISR members count as caught up when the leader starts, at t0.
    const int64_t t0 = now();
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower, kOther}), t0));
    append(5);
    // kFollower keeps up; kOther fetched once, far behind, and never again.
    ASSERT_TRUE(partition_->update_follower_fetch_state(kOther, 0, t0));
    ASSERT_TRUE(partition_->update_follower_fetch_state(kFollower, 5, t0 + kLagMs));
    EXPECT_FALSE(partition_->propose_isr_shrink(t0 + kLagMs, kLagMs));
    auto change = partition_->propose_isr_shrink(t0 + kLagMs + 1, kLagMs);
    ASSERT_TRUE(change);
    EXPECT_EQ(change->isr, (std::vector<int32_t>{kLocal, kFollower}));
    ASSERT_TRUE(partition_->apply_isr_change(*change, 5));
    // Without kOther the HW is the smaller of ours and kFollower's.
    EXPECT_EQ(partition_->high_watermark(), 5);
}

TEST_F(PartitionReplicationTest, IsrChangeIsDroppedAfterANewLeaderAndIsr) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower})));
    append(5);
    ASSERT_TRUE(partition_->update_follower_fetch_state(kOther, 5, now()));
    auto change = partition_->propose_isr_expand();
    ASSERT_TRUE(change);
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1, {kLocal})));
    EXPECT_FALSE(partition_->apply_isr_change(*change, 5));
    EXPECT_EQ(partition_->in_sync_replicas(), (std::vector<int32_t>{kLocal}));
}

TEST_F(PartitionReplicationTest, AcksAllAfterTheIsrShrankBelowMinInsync) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, kFollower})));
    append(3);
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1, {kLocal})));
    ASSERT_EQ(partition_->high_watermark(), 3);
    auto replicated = partition_->is_replicated(2, 2);
    ASSERT_FALSE(replicated);
    EXPECT_EQ(replicated.error(), ErrorCode::not_enough_replicas_after_append);
}

TEST_F(PartitionReplicationTest, FollowerAppendsOnlyInItsEpoch) {
    ASSERT_TRUE(partition_->make_follower(role(kFollower, 3, {kFollower, kLocal})));
    auto batch = make_simple_batch(4, 1'700'000'000'000);
    auto stale = partition_->append_records_to_follower(batch, 2);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error(), ErrorCode::fenced_leader_epoch);
    auto appended = partition_->append_records_to_follower(batch, 3);
    ASSERT_TRUE(appended) << appended.error().message();
    EXPECT_EQ(log_->log_end_offset(), 4);
    // The follower's HW is the leader's, never above its own log end.
    partition_->update_follower_offsets(3, 100, 0);
    EXPECT_EQ(partition_->high_watermark(), 4);
    partition_->update_follower_offsets(3, 2, 0);
    EXPECT_EQ(partition_->high_watermark(), 2);
    // A leader does not take follower appends.
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 4, {kLocal})));
    auto as_leader = partition_->append_records_to_follower(batch, 4);
    ASSERT_FALSE(as_leader);
    EXPECT_EQ(as_leader.error(), ErrorCode::not_leader_or_follower);
}

TEST_F(PartitionReplicationTest, FetchFromAnotherEpochDoesNotCount) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 2, {kLocal, kFollower})));
    append(5);
    // kOther, caught up, but still fetching in the previous epoch (a broker being shut down
    // that the controller just removed): it must not be added back to the ISR.
    auto stale = partition_->update_follower_fetch_state(kOther, 5, now(), 1);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error(), ErrorCode::fenced_leader_epoch);
    EXPECT_FALSE(partition_->propose_isr_expand());
    auto current = partition_->update_follower_fetch_state(kOther, 5, now(), 2);
    ASSERT_TRUE(current);
    EXPECT_TRUE(current.value());
}

TEST_F(PartitionReplicationTest, FollowerFetchOnAFollowerIsRefused) {
    ASSERT_TRUE(partition_->make_follower(role(kFollower, 0, {kFollower, kLocal})));
    auto r = partition_->update_follower_fetch_state(kOther, 0, now());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), ErrorCode::not_leader_or_follower);
}

}  // namespace
}  // namespace samsa::replica
