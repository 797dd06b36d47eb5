#include "broker/replica/partition.h"

#include "broker/log/leader_epoch_file_cache.h"
#include "broker/protocol/error_code.h"
#include "tests/unit/log/test_util.h"
#include "tests/unit/replica/partition_fixture.h"

#include <gtest/gtest.h>

namespace samsa::replica {
namespace {

using log::test::make_simple_batch;
using protocol::ErrorCode;

class PartitionTest : public test::PartitionFixture {
  protected:
    static PartitionRole role(int32_t leader, int32_t epoch, std::vector<int32_t> isr) {
        PartitionRole r;
        r.controller_epoch = 1;
        r.leader = leader;
        r.leader_epoch = epoch;
        r.isr = std::move(isr);
        r.replicas = {kLocal, 2};
        return r;
    }
};

TEST_F(PartitionTest, LeaderWithItselfAsIsrAdvancesHighWatermarkOnAppend) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal})));
    auto a = append(5);
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a.value().first_offset, 0);
    EXPECT_EQ(a.value().last_offset, 4);
    EXPECT_EQ(partition_->high_watermark(), 5);
    EXPECT_TRUE(partition_->is_replicated(4, 1).value());
}

TEST_F(PartitionTest, FollowerInIsrHoldsTheHighWatermark) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, 2})));
    ASSERT_TRUE(append(3));
    EXPECT_EQ(log_->log_end_offset(), 3);
    EXPECT_EQ(partition_->high_watermark(), 0);
    EXPECT_FALSE(partition_->is_replicated(2, 1).value());
    // Consumers see nothing beyond the high watermark.
    auto read = partition_->read(0, 1 << 20, -1, FetchIsolation::high_watermark, true, true);
    ASSERT_TRUE(read);
    EXPECT_EQ(read.value().records.size_bytes(), 0);
    auto replica_read = partition_->read(0, 1 << 20, -1, FetchIsolation::log_end, true, true);
    EXPECT_GT(replica_read.value().records.size_bytes(), 0);
}

TEST_F(PartitionTest, FollowerRejectsProduce) {
    ASSERT_TRUE(partition_->make_follower(role(2, 0, {2, kLocal})));
    auto a = append(1);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error(), ErrorCode::not_leader_or_follower);
}

TEST_F(PartitionTest, AcksAllWithTooSmallIsrWritesNothing) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal})));
    auto a = append(1, -1, 2);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error(), ErrorCode::not_enough_replicas);
    EXPECT_EQ(log_->log_end_offset(), 0);
}

TEST_F(PartitionTest, OnlyANewerLeaderEpochChangesTheRole) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 3, {kLocal})));
    EXPECT_FALSE(partition_->make_follower(role(2, 3, {2})));
    EXPECT_FALSE(partition_->make_follower(role(2, 2, {2})));
    EXPECT_TRUE(partition_->is_leader());
    EXPECT_TRUE(partition_->make_follower(role(2, 4, {2})));
    EXPECT_FALSE(partition_->is_leader());
}

TEST_F(PartitionTest, ReadsFenceStaleAndFutureLeaderEpochs) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 5, {kLocal})));
    auto stale = partition_->read(0, 100, 4, FetchIsolation::high_watermark, true, true);
    EXPECT_EQ(stale.error(), ErrorCode::fenced_leader_epoch);
    auto future = partition_->read(0, 100, 6, FetchIsolation::high_watermark, true, true);
    EXPECT_EQ(future.error(), ErrorCode::unknown_leader_epoch);
    EXPECT_TRUE(partition_->read(0, 100, 5, FetchIsolation::high_watermark, true, true));
    EXPECT_TRUE(partition_->read(0, 100, -1, FetchIsolation::high_watermark, true, true));
}

TEST_F(PartitionTest, FirstLeadershipWritesTheLeaderEpochCheckpoint) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal})));
    ASSERT_TRUE(log_->close());  // a new leader's entry is written on close (or flush)
    auto bytes = log::test::read_file_bytes(log_->dir() + "/" + log::kLeaderEpochCheckpointFile);
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "0\n1\n0 0\n");
}

TEST_F(PartitionTest, EachNewLeaderEpochStartsAtTheLogEndOffset) {
    using Entries = std::vector<log::EpochEntry>;
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal})));
    ASSERT_TRUE(append(5));
    EXPECT_EQ(log_->epoch_entries(), (Entries{{0, 0}}));
    ASSERT_TRUE(partition_->make_follower(role(2, 1, {2, kLocal})));
    EXPECT_EQ(log_->epoch_entries(), (Entries{{0, 0}})) << "a follower learns epochs from data";
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 3, {kLocal})));
    EXPECT_EQ(log_->epoch_entries(), (Entries{{0, 0}, {3, 5}}));
    ASSERT_TRUE(append(2));
    EXPECT_EQ(log_->end_offset_for_epoch(0), (log::EpochEndOffset{0, 5}));
    EXPECT_EQ(log_->end_offset_for_epoch(3), (log::EpochEndOffset{3, 7}));
}

TEST_F(PartitionTest, ListOffsetsEarliestAndLatest) {
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal})));
    ASSERT_TRUE(append(4));
    EXPECT_EQ(partition_->fetch_offset_for_timestamp(-2, -1, FetchIsolation::high_watermark)
                  .value()
                  .offset,
              0);
    EXPECT_EQ(partition_->fetch_offset_for_timestamp(-1, -1, FetchIsolation::high_watermark)
                  .value()
                  .offset,
              4);
    auto by_time = partition_->fetch_offset_for_timestamp(1'700'000'000'000, -1,
                                                          FetchIsolation::high_watermark);
    EXPECT_EQ(by_time.value().offset, 0);
    auto too_late = partition_->fetch_offset_for_timestamp(1'800'000'000'000, -1,
                                                           FetchIsolation::high_watermark);
    EXPECT_EQ(too_late.value().offset, -1);
}

TEST_F(PartitionTest, ListOffsetsWaitsForTheHighWatermarkToReachTheEpochStart) {
    // Three records the follower never fetched, then a new epoch: it starts at offset 3 while
    // the HW is still 0. Clients get OFFSET_NOT_AVAILABLE for "latest" and for timestamps past
    // what they may read, as Kafka answers; a follower (log end isolation) still gets answers.
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 0, {kLocal, 2})));
    ASSERT_TRUE(append(3));
    ASSERT_TRUE(partition_->make_leader(role(kLocal, 1, {kLocal, 2})));
    ASSERT_EQ(partition_->high_watermark(), 0);
    auto latest = partition_->fetch_offset_for_timestamp(-1, -1, FetchIsolation::high_watermark);
    ASSERT_FALSE(latest);
    EXPECT_EQ(latest.error(), ErrorCode::offset_not_available);
    auto by_time = partition_->fetch_offset_for_timestamp(1'700'000'000'000, -1,
                                                          FetchIsolation::high_watermark);
    ASSERT_FALSE(by_time);
    EXPECT_EQ(by_time.error(), ErrorCode::offset_not_available);
    EXPECT_EQ(partition_->fetch_offset_for_timestamp(-2, -1, FetchIsolation::high_watermark)
                  .value()
                  .offset,
              0);
    EXPECT_EQ(
        partition_->fetch_offset_for_timestamp(-1, -1, FetchIsolation::log_end).value().offset, 3);
}

}  // namespace
}  // namespace samsa::replica
