// What network threads do to a log: group-commit reservations (reserve_leader_append /
// commit_pending) and ReadMode::non_blocking reads. What they may not wait for is refused with
// would_block and leaves the log unchanged; the blocking call then does it.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "broker/log/file_util.h"
#include "tests/unit/log/log_fixture.h"

namespace samsa::log::test {
namespace {

class LogNonBlockingTest : public LogFixture {
protected:
    // A reservation whose batch lives in (and is kept alive by) a shared buffer, as request
    // frames are; its outcome lands in `outcomes` (one per call, in callback order).
    result<Reservation> reserve(Log& log, int count, int32_t epoch = 0, size_t value_size = 16) {
        auto bytes = std::make_shared<std::vector<uint8_t>>(
            make_simple_batch(count, clock_.now(), value_size));
        return log.reserve_leader_append(*bytes, bytes, epoch,
                                         [this](std::error_code ec) { outcomes.push_back(ec); });
    }

    std::vector<std::error_code> outcomes;
};

TEST_F(LogNonBlockingTest, ReservedAppendsAreInvisibleUntilCommittedThenWrittenInOrder) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));  // as becoming leader does
    auto first = reserve(*log, 3);
    auto second = reserve(*log, 2);
    ASSERT_TRUE(first) << first.error().message();
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(first.value().info.first_offset, 0);
    EXPECT_EQ(first.value().info.last_offset, 2);
    EXPECT_EQ(second.value().info.first_offset, 3);
    EXPECT_EQ(log->log_end_offset(), 0);
    EXPECT_EQ(log->size_in_bytes(), 0);
    EXPECT_TRUE(outcomes.empty());

    auto written = log->commit_pending(AppendMode::non_blocking);
    ASSERT_TRUE(written) << written.error().message();
    EXPECT_EQ(written.value(), log->size_in_bytes());
    EXPECT_EQ(log->log_end_offset(), 5);
    EXPECT_EQ(outcomes, (std::vector<std::error_code>{{}, {}}));
    auto data = log->read(0, 1 << 20, 5, true);
    ASSERT_TRUE(data);
    EXPECT_EQ(batch_offsets(bytes_of(data.value())),
              (std::vector<std::pair<int64_t, int64_t>>{{0, 2}, {3, 4}}));
}

TEST_F(LogNonBlockingTest, OnlyTheFirstReservationSinceACommitAsksForOne) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    EXPECT_TRUE(reserve(*log, 1).value().commit_needed);
    EXPECT_FALSE(reserve(*log, 1).value().commit_needed);
    ASSERT_TRUE(log->commit_pending(AppendMode::may_block));
    EXPECT_TRUE(reserve(*log, 1).value().commit_needed);
    const int64_t before = log->size_in_bytes();
    auto written = log->commit_pending(AppendMode::may_block);
    ASSERT_TRUE(written);
    EXPECT_EQ(written.value(), log->size_in_bytes() - before);
    EXPECT_EQ(outcomes.size(), 3u);
}

TEST_F(LogNonBlockingTest, CommittingNothingWritesNothing) {
    auto log = open_log();
    auto written = log->commit_pending(AppendMode::non_blocking);
    ASSERT_TRUE(written);
    EXPECT_EQ(written.value(), 0);
}

TEST_F(LogNonBlockingTest, ReservationThatMustRollIsWouldBlockAndChangesNothing) {
    config_.segment_bytes = 2048;
    auto log = open_log();
    append(*log, 1, -2, 1500);  // starts epoch 0, so only the roll is left to refuse
    ASSERT_EQ(log->number_of_segments(), 1u);
    const int64_t size = log->size_in_bytes();

    auto batch = make_simple_batch(1, clock_.now(), 1000);
    auto owner = std::make_shared<int>(0);
    auto refused = log->reserve_leader_append(batch, owner, 0, nullptr);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), make_error_code(Errc::would_block));
    EXPECT_EQ(log->log_end_offset(), 1);
    EXPECT_EQ(log->size_in_bytes(), size);

    // The batch is still the producer's: the blocking append validates and writes it.
    auto done = log->append_as_leader(batch, 0);
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_EQ(done.value().first_offset, 1);
    EXPECT_EQ(log->number_of_segments(), 2u);
}

TEST_F(LogNonBlockingTest, TheRollCheckCountsBytesAlreadyReserved) {
    config_.segment_bytes = 4096;
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    ASSERT_TRUE(reserve(*log, 1, 0, 1500));
    ASSERT_TRUE(reserve(*log, 1, 0, 1500));
    // Nothing is written yet, but these two and a third would not fit one segment.
    auto third = reserve(*log, 1, 0, 1500);
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error(), make_error_code(Errc::would_block));
    ASSERT_TRUE(log->commit_pending(AppendMode::may_block));
    EXPECT_EQ(log->log_end_offset(), 2);
    EXPECT_EQ(log->number_of_segments(), 1u);
}

TEST_F(LogNonBlockingTest, ReservationStartingANewLeaderEpochIsWouldBlock) {
    auto log = open_log();
    append(*log, 1);  // epoch 0
    // Epoch 1 would rewrite leader-epoch-checkpoint: not on a network thread.
    auto refused = reserve(*log, 1, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), make_error_code(Errc::would_block));
    EXPECT_EQ(log->latest_epoch(), 0);
    auto batch = make_simple_batch(1, clock_.now());
    ASSERT_TRUE(log->append_as_leader(batch, 1));
    EXPECT_EQ(log->latest_epoch(), 1);
    EXPECT_TRUE(reserve(*log, 1, 1));  // later appends in that epoch are fine
}

TEST_F(LogNonBlockingTest, ABlockingAppendWritesReservedAppendsFirst) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    ASSERT_TRUE(reserve(*log, 2));
    ASSERT_TRUE(reserve(*log, 1));
    auto batch = make_simple_batch(4, clock_.now());
    auto after = log->append_as_leader(batch, 0);
    ASSERT_TRUE(after);
    EXPECT_EQ(after.value().first_offset, 3);
    EXPECT_EQ(log->log_end_offset(), 7);
    EXPECT_EQ(outcomes, (std::vector<std::error_code>{{}, {}}));
    auto data = log->read(0, 1 << 20, 7, true);
    ASSERT_TRUE(data);
    EXPECT_EQ(batch_offsets(bytes_of(data.value())),
              (std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {2, 2}, {3, 6}}));
}

TEST_F(LogNonBlockingTest, CloseWritesReservedAppends) {
    {
        auto log = open_log();
        ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
        ASSERT_TRUE(reserve(*log, 3));
        ASSERT_TRUE(log->close());
        EXPECT_EQ(outcomes, (std::vector<std::error_code>{{}}));
    }
    auto reopened = open_log();
    EXPECT_EQ(reopened->log_end_offset(), 3);
}

TEST_F(LogNonBlockingTest, AFullRoundOfReservationsIsCommittedBeforeTheNextOne) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    for (int i = 0; i < 300; ++i) {
        ASSERT_TRUE(reserve(*log, 1));
    }
    // The 257th reservation wrote the first 256 (the cap) before taking its place.
    EXPECT_EQ(outcomes.size(), 256u);
    EXPECT_EQ(log->log_end_offset(), 256);
    ASSERT_TRUE(log->commit_pending(AppendMode::may_block));
    EXPECT_EQ(outcomes.size(), 300u);
    EXPECT_EQ(log->log_end_offset(), 300);
}

TEST_F(LogNonBlockingTest, FlushMessagesCountsCommittedRecords) {
    config_.flush_messages = 2;
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    ASSERT_TRUE(reserve(*log, 1));
    ASSERT_TRUE(reserve(*log, 1));
    EXPECT_FALSE(log->flush_due());  // reserved, not written
    ASSERT_TRUE(log->commit_pending(AppendMode::may_block));
    EXPECT_TRUE(log->flush_due());
    ASSERT_TRUE(log->flush());
    EXPECT_FALSE(log->flush_due());
    EXPECT_EQ(log->recovery_point(), 2);
}

TEST_F(LogNonBlockingTest, ConcurrentReservationsAndCommitsKeepOffsetsContiguous) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    constexpr int kThreads = 4;
    constexpr int kPerThread = 500;
    std::atomic<int> written{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread;) {
                auto bytes = std::make_shared<std::vector<uint8_t>>(make_simple_batch(1, 0));
                auto r = log->reserve_leader_append(*bytes, bytes, 0, [&](std::error_code ec) {
                    (ec ? failed : written).fetch_add(1);
                });
                if (r) {
                    ++i;
                }
                if (i % 7 == 0) {
                    (void)log->commit_pending(AppendMode::non_blocking);
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    ASSERT_TRUE(log->commit_pending(AppendMode::may_block));
    EXPECT_EQ(written.load(), kThreads * kPerThread);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(log->log_end_offset(), kThreads * kPerThread);
    auto data = log->read(0, 64 << 20, log->log_end_offset(), true);
    ASSERT_TRUE(data);
    auto offsets = batch_offsets(bytes_of(data.value()));
    ASSERT_EQ(offsets.size(), static_cast<size_t>(kThreads * kPerThread));
    for (size_t i = 0; i < offsets.size(); ++i) {
        EXPECT_EQ(offsets[i].first, static_cast<int64_t>(i));
    }
}

TEST_F(LogNonBlockingTest, NonBlockingReadOfAnIdleLogReadsLikeABlockingOne) {
    auto log = open_log();
    append(*log, 4);
    auto blocking = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::may_block);
    auto inline_read =
        log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::non_blocking);
    ASSERT_TRUE(blocking);
    ASSERT_TRUE(inline_read);
    EXPECT_EQ(bytes_of(inline_read.value()), bytes_of(blocking.value()));
}

// Drops the partition's segment files from the page cache (clean pages only: flush first).
void evict_from_page_cache(const std::string& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".log") {
            int fd = ::open(entry.path().c_str(), O_RDONLY);
            ASSERT_GE(fd, 0);
            ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            ::close(fd);
        }
    }
}

TEST_F(LogNonBlockingTest, ReadOfDataNotInThePageCacheIsWouldBlockUntilLoaded) {
    auto log = open_log();
    append(*log, 50, -2, 1000);
    ASSERT_TRUE(log->flush());
    evict_from_page_cache(log_dir());
    auto cold = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::non_blocking);
    if (cold) {
        GTEST_SKIP() << "the kernel kept the pages cached (POSIX_FADV_DONTNEED is a hint)";
    }
    EXPECT_EQ(cold.error(), make_error_code(Errc::would_block));

    auto warm = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::may_block);
    ASSERT_TRUE(warm);
    for (const auto& slice : warm.value().records.slices()) {
        ASSERT_TRUE(load_into_page_cache(slice.file->fd(), slice.position, slice.size,
                                         slice.file->path()));
    }
    auto now_cached =
        log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::non_blocking);
    ASSERT_TRUE(now_cached) << now_cached.error().message();
    EXPECT_EQ(bytes_of(now_cached.value()), bytes_of(warm.value()));
}

}  // namespace
}  // namespace samsa::log::test
