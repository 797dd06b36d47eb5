// FetchSessionCache (KIP-227): opening, incremental requests and responses, epochs, closing
// and eviction.

#include "broker/api/fetch_session.h"

#include <gtest/gtest.h>

#include <thread>

namespace samsa::api {
namespace {

using protocol::ErrorCode;

FetchPartitionData part(const std::string& topic, int32_t p, int64_t offset) {
    FetchPartitionData d;
    d.tp = TopicPartition{topic, p};
    d.fetch_offset = offset;
    d.max_bytes = 1 << 20;
    return d;
}

PartitionAnswer answer(int64_t hw, bool records = false) {
    PartitionAnswer a;
    a.high_watermark = hw;
    a.last_stable_offset = hw;
    a.log_start_offset = 0;
    a.has_records = records;
    return a;
}

TEST(FetchSessionCacheTest, SessionlessFetchGetsNoSession) {
    FetchSessionCache cache(10);
    auto ctx = cache.new_context(0, -1, false, {part("t", 0, 5)}, {});
    EXPECT_EQ(ctx.error, ErrorCode::none);
    EXPECT_EQ(ctx.session_id(), 0);
    EXPECT_FALSE(ctx.incremental);
    ASSERT_EQ(ctx.partitions.size(), 1u);
    EXPECT_TRUE(ctx.include(TopicPartition{"t", 0}, answer(5)));
    EXPECT_EQ(cache.size(), 0u);
}

TEST(FetchSessionCacheTest, IncrementalFetchReadsEverythingAndAnswersOnlyNews) {
    FetchSessionCache cache(10);
    auto open = cache.new_context(0, 0, true, {part("t", 0, 5), part("t", 1, 7)}, {});
    ASSERT_NE(open.session_id(), 0);
    // A full response lists both, and records what the client was told.
    EXPECT_TRUE(open.include(TopicPartition{"t", 0}, answer(5)));
    EXPECT_TRUE(open.include(TopicPartition{"t", 1}, answer(7)));

    // Epoch 1 names only partition 0 at a new offset; both are read.
    auto next = cache.new_context(open.session_id(), 1, true, {part("t", 0, 9)}, {});
    ASSERT_EQ(next.error, ErrorCode::none);
    EXPECT_TRUE(next.incremental);
    ASSERT_EQ(next.partitions.size(), 2u);
    EXPECT_EQ(next.partitions[0].fetch_offset, 9);
    EXPECT_EQ(next.partitions[1].fetch_offset, 7);
    // Partition 0 has records; partition 1 is unchanged and left out.
    EXPECT_TRUE(next.include(TopicPartition{"t", 0}, answer(12, true)));
    EXPECT_FALSE(next.include(TopicPartition{"t", 1}, answer(7)));

    // A moved high watermark is news; forgetting drops the partition.
    auto third = cache.new_context(open.session_id(), 2, true, {}, {TopicPartition{"t", 0}});
    ASSERT_EQ(third.error, ErrorCode::none);
    ASSERT_EQ(third.partitions.size(), 1u);
    EXPECT_EQ(third.partitions[0].tp, (TopicPartition{"t", 1}));
    EXPECT_TRUE(third.include(TopicPartition{"t", 1}, answer(8)));
}

TEST(FetchSessionCacheTest, EpochsMustFollowInOrder) {
    FetchSessionCache cache(10);
    auto open = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    auto skipped = cache.new_context(open.session_id(), 2, false, {}, {});
    EXPECT_EQ(skipped.error, ErrorCode::invalid_fetch_session_epoch);
    EXPECT_EQ(cache.new_context(open.session_id(), 1, false, {}, {}).error, ErrorCode::none);
    EXPECT_EQ(cache.new_context(open.session_id(), 1, false, {}, {}).error,
              ErrorCode::invalid_fetch_session_epoch);
    EXPECT_EQ(cache.new_context(12345, 1, false, {}, {}).error,
              ErrorCode::fetch_session_id_not_found);
}

TEST(FetchSessionCacheTest, FinalEpochClosesTheSession) {
    FetchSessionCache cache(10);
    auto open = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    ASSERT_EQ(cache.size(), 1u);
    auto close = cache.new_context(open.session_id(), -1, false, {part("t", 0, 0)}, {});
    EXPECT_EQ(close.error, ErrorCode::none);
    EXPECT_EQ(close.session_id(), 0);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.new_context(open.session_id(), 1, false, {}, {}).error,
              ErrorCode::fetch_session_id_not_found);
}

TEST(FetchSessionCacheTest, FollowersEvictConsumersWhenFull) {
    FetchSessionCache cache(1);
    auto consumer = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    ASSERT_NE(consumer.session_id(), 0);
    // Another consumer finds no room (the first is not idle yet): it stays sessionless.
    auto second = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    EXPECT_EQ(second.error, ErrorCode::none);
    EXPECT_EQ(second.session_id(), 0);
    // A follower's session is privileged and takes the slot.
    auto follower = cache.new_context(0, 0, true, {part("t", 0, 0)}, {});
    EXPECT_NE(follower.session_id(), 0);
    EXPECT_EQ(cache.new_context(consumer.session_id(), 1, false, {}, {}).error,
              ErrorCode::fetch_session_id_not_found);
}

TEST(FetchSessionCacheTest, IdleSessionsAreEvicted) {
    FetchSessionCache cache(1, std::chrono::milliseconds(0));
    auto first = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto second = cache.new_context(0, 0, false, {part("t", 0, 0)}, {});
    EXPECT_NE(second.session_id(), 0);
    EXPECT_NE(second.session_id(), first.session_id());
    EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace samsa::api
