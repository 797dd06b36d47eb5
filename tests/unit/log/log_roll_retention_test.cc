// Segment roll, retention, truncation and flush.
#include "tests/unit/log/log_fixture.h"

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

class LogRollRetentionTest : public LogFixture {
  protected:
    size_t files_with_suffix(const std::string& suffix) const {
        size_t n = 0;
        for (const auto& e : fs::directory_iterator(log_dir())) {
            n += e.path().string().ends_with(suffix);
        }
        return n;
    }
};

TEST_F(LogRollRetentionTest, SegmentRollsWhenTheNextBatchWouldExceedSegmentBytes) {
    config_.segment_bytes = 2000;
    auto log = open_log();
    for (int i = 0; i < 10; ++i) {
        append(*log, 2, -2, 200);
    }
    EXPECT_GE(log->number_of_segments(), 3u);
    for (const auto& e : fs::directory_iterator(log_dir())) {
        if (e.path().extension() == ".log") {
            EXPECT_LE(fs::file_size(e.path()), 2000u);
        }
    }
    EXPECT_TRUE(fs::exists(log_dir() + "/00000000000000000000.log"));
    EXPECT_EQ(files_with_suffix(".log"), log->number_of_segments());
}

TEST_F(LogRollRetentionTest, SegmentRollsWhenItsTimestampsSpanSegmentMs) {
    config_.segment_ms = 1000;
    auto log = open_log();
    append(*log, 1, clock_.now());
    append(*log, 1, clock_.now() + 500);
    EXPECT_EQ(log->number_of_segments(), 1u);
    clock_.advance(1500);
    append(*log, 1, clock_.now());
    EXPECT_EQ(log->number_of_segments(), 2u);
}

TEST_F(LogRollRetentionTest, RollKeepsOffsetsContiguousAcrossSegments) {
    config_.segment_bytes = 1500;
    auto log = open_log();
    for (int i = 0; i < 20; ++i) {
        append(*log, 1, -2, 200);
    }
    int64_t next = 0;
    while (next < log->log_end_offset()) {
        auto data = log->read(next, 1 << 20, log->log_end_offset(), false);
        ASSERT_TRUE(data);
        for (auto [first, last] : batch_offsets(bytes_of(data.value()))) {
            EXPECT_EQ(first, next);
            next = last + 1;
        }
    }
    EXPECT_EQ(next, 20);
}

TEST_F(LogRollRetentionTest, RetentionByTimeDeletesOldSegmentsBelowTheHighWatermark) {
    config_.segment_bytes = 1500;
    config_.retention_ms = 10'000;
    config_.file_delete_delay_ms = 0;
    auto log = open_log();
    for (int i = 0; i < 10; ++i) {
        append(*log, 1, -2, 200);
    }
    size_t before = log->number_of_segments();
    clock_.advance(20'000);
    ASSERT_TRUE(log->delete_old_segments());
    EXPECT_EQ(log->number_of_segments(), before) << "nothing goes above the high watermark";
    log->update_high_watermark(log->log_end_offset());
    auto deleted = log->delete_old_segments();
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted.value(), before);
    EXPECT_EQ(log->number_of_segments(), 1u);  // rolled first: a log keeps one segment
    EXPECT_EQ(log->log_start_offset(), 10);
    EXPECT_EQ(log->log_end_offset(), 10);
    EXPECT_EQ(files_with_suffix(".log"), 1u);
}

TEST_F(LogRollRetentionTest, RetentionBySizeKeepsTheNewestSegmentsUnderTheLimit) {
    config_.segment_bytes = 1500;
    config_.file_delete_delay_ms = 0;
    auto log = open_log();
    for (int i = 0; i < 30; ++i) {
        append(*log, 1, -2, 200);
    }
    log->update_high_watermark(log->log_end_offset());
    auto config = log->config();
    config.retention_bytes = 3000;
    log->update_config(config);
    ASSERT_TRUE(log->delete_old_segments());
    EXPECT_LE(log->size_in_bytes(), 3000 + 1500);
    EXPECT_GE(log->size_in_bytes(), 3000 - 1500);
    EXPECT_GT(log->log_start_offset(), 0);
    EXPECT_EQ(log->read(0, 100, 100, false).error(), make_error_code(Errc::offset_out_of_range));
}

TEST_F(LogRollRetentionTest, DeletedSegmentsWaitAsDotDeletedUntilTheDelayPasses) {
    config_.segment_bytes = 1500;
    config_.retention_ms = 1000;
    config_.file_delete_delay_ms = 60'000;
    auto log = open_log();
    for (int i = 0; i < 6; ++i) {
        append(*log, 1, -2, 200);
    }
    log->update_high_watermark(log->log_end_offset());
    clock_.advance(5000);
    ASSERT_TRUE(log->delete_old_segments());
    EXPECT_GT(files_with_suffix(".log.deleted"), 0u);
    log->purge_deleted_segments();
    EXPECT_GT(files_with_suffix(".log.deleted"), 0u);
    clock_.advance(60'000);
    log->purge_deleted_segments();
    EXPECT_EQ(files_with_suffix(".deleted"), 0u);
}

TEST_F(LogRollRetentionTest, TruncateToRemovesTheTailAndKeepsAppending) {
    config_.segment_bytes = 1500;
    config_.file_delete_delay_ms = 0;
    auto log = open_log();
    for (int i = 0; i < 10; ++i) {
        append(*log, 2, -2, 200);
    }
    auto truncated = log->truncate_to(7);
    ASSERT_TRUE(truncated);
    EXPECT_TRUE(truncated.value());
    EXPECT_EQ(log->log_end_offset(), 6);  // the batch [6, 7] straddled 7 and went entirely
    EXPECT_EQ(append(*log, 1), 6);
    auto data = log->read(6, 1 << 20, log->log_end_offset(), false);
    ASSERT_TRUE(data);
    EXPECT_EQ(batch_offsets(bytes_of(data.value())).back().first, 6);
}

TEST_F(LogRollRetentionTest, TruncateFullyStartsEmptyAtTheNewOffset) {
    auto log = open_log();
    append(*log, 5);
    ASSERT_TRUE(log->truncate_fully_and_start_at(50));
    EXPECT_EQ(log->log_start_offset(), 50);
    EXPECT_EQ(log->log_end_offset(), 50);
    EXPECT_EQ(append(*log, 1), 50);
}

TEST_F(LogRollRetentionTest, FlushMovesTheRecoveryPoint) {
    auto log = open_log();
    append(*log, 5);
    EXPECT_EQ(log->recovery_point(), 0);
    ASSERT_TRUE(log->flush());
    EXPECT_EQ(log->recovery_point(), 5);
}

TEST_F(LogRollRetentionTest, FlushMessagesFlushesOnAppend) {
    config_.flush_messages = 3;
    auto log = open_log();
    append(*log, 2);
    EXPECT_EQ(log->recovery_point(), 0);
    append(*log, 2);
    EXPECT_EQ(log->recovery_point(), 4);
}

}  // namespace
}  // namespace samsa::log::test
