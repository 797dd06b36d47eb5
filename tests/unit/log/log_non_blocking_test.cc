// AppendMode::non_blocking and ReadMode::non_blocking: what a network thread may not wait for
// is refused with would_block and leaves the log unchanged; the same append with may_block
// then does it.
#include "broker/log/file_util.h"
#include "tests/unit/log/log_fixture.h"

#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace samsa::log::test {
namespace {

class LogNonBlockingTest : public LogFixture {};

TEST_F(LogNonBlockingTest, AppendThatMustRollIsWouldBlockAndChangesNothing) {
    config_.segment_bytes = 2048;
    auto log = open_log();
    append(*log, 1, -2, 1500);  // starts epoch 0, so only the roll is left to refuse
    ASSERT_EQ(log->number_of_segments(), 1u);
    const int64_t size = log->size_in_bytes();

    auto batch = make_simple_batch(1, clock_.now(), 1000);
    auto refused = log->append_as_leader(batch, 0, AppendMode::non_blocking);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), make_error_code(Errc::would_block));
    EXPECT_EQ(log->log_end_offset(), 1);
    EXPECT_EQ(log->size_in_bytes(), size);
    EXPECT_EQ(log->number_of_segments(), 1u);

    auto done = log->append_as_leader(batch, 0, AppendMode::may_block);
    ASSERT_TRUE(done);
    EXPECT_EQ(done.value().first_offset, 1);
    EXPECT_EQ(log->number_of_segments(), 2u);
}

TEST_F(LogNonBlockingTest, AppendThatFitsIsWrittenInline) {
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));  // as becoming leader does
    auto batch = make_simple_batch(3, clock_.now());
    auto info = log->append_as_leader(batch, 0, AppendMode::non_blocking);
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_EQ(info.value().last_offset, 2);
    EXPECT_FALSE(info.value().flush_due);
    EXPECT_EQ(log->log_end_offset(), 3);
}

TEST_F(LogNonBlockingTest, AppendStartingANewLeaderEpochIsWouldBlock) {
    auto log = open_log();
    auto first = make_simple_batch(1, clock_.now());
    ASSERT_TRUE(log->append_as_leader(first, 0, AppendMode::may_block));
    // Epoch 1 would rewrite leader-epoch-checkpoint: not on a network thread.
    auto batch = make_simple_batch(1, clock_.now());
    auto refused = log->append_as_leader(batch, 1, AppendMode::non_blocking);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), make_error_code(Errc::would_block));
    EXPECT_EQ(log->latest_epoch(), 0);
    EXPECT_EQ(log->log_end_offset(), 1);
    ASSERT_TRUE(log->append_as_leader(batch, 1, AppendMode::may_block));
    EXPECT_EQ(log->latest_epoch(), 1);
    // Later appends in that epoch are fine inline.
    auto next = make_simple_batch(1, clock_.now());
    EXPECT_TRUE(log->append_as_leader(next, 1, AppendMode::non_blocking));
}

TEST_F(LogNonBlockingTest, DueFlushIsReportedInsteadOfDone) {
    config_.flush_messages = 2;
    auto log = open_log();
    ASSERT_TRUE(log->assign_epoch_start_offset(0, 0));
    auto one = make_simple_batch(1, clock_.now());
    auto info = log->append_as_leader(one, 0, AppendMode::non_blocking);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info.value().flush_due);
    auto two = make_simple_batch(1, clock_.now());
    info = log->append_as_leader(two, 0, AppendMode::non_blocking);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info.value().flush_due);
    EXPECT_EQ(log->recovery_point(), 0);  // not flushed: the caller does it
    ASSERT_TRUE(log->flush());
    EXPECT_EQ(log->recovery_point(), 2);
}

TEST_F(LogNonBlockingTest, NonBlockingReadOfAnIdleLogReadsLikeABlockingOne) {
    auto log = open_log();
    append(*log, 4);
    auto blocking = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::may_block);
    auto inline_read = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::non_blocking);
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
        ASSERT_TRUE(
            load_into_page_cache(slice.file->fd(), slice.position, slice.size, slice.file->path()));
    }
    auto now_cached = log->read(0, 1 << 20, log->log_end_offset(), true, ReadMode::non_blocking);
    ASSERT_TRUE(now_cached) << now_cached.error().message();
    EXPECT_EQ(bytes_of(now_cached.value()), bytes_of(warm.value()));
}

}  // namespace
}  // namespace samsa::log::test
