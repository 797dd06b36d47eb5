// Log::read and fetch_offset_by_timestamp: Kafka's fetch semantics.
#include "tests/unit/log/log_fixture.h"

namespace samsa::log::test {
namespace {

class LogReadTest : public LogFixture {};

TEST_F(LogReadTest, AppendedBatchesReadBackWithTheirOffsets) {
    auto log = open_log();
    append(*log, 3);
    append(*log, 4);
    auto data = log->read(0, 1 << 20, log->log_end_offset(), false);
    ASSERT_TRUE(data);
    EXPECT_TRUE(data.value().records.in_memory() == false);
    auto batches = batch_offsets(bytes_of(data.value()));
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0], std::make_pair(int64_t{0}, int64_t{2}));
    EXPECT_EQ(batches[1], std::make_pair(int64_t{3}, int64_t{6}));
}

TEST_F(LogReadTest, ReadFromTheMiddleOfABatchReturnsThatWholeBatch) {
    auto log = open_log();
    append(*log, 3);
    append(*log, 4);
    auto data = log->read(4, 1 << 20, log->log_end_offset(), false);
    ASSERT_TRUE(data);
    auto batches = batch_offsets(bytes_of(data.value()));
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].first, 3);
}

TEST_F(LogReadTest, ReadAtLogEndIsEmpty) {
    auto log = open_log();
    append(*log, 3);
    auto data = log->read(3, 1 << 20, log->log_end_offset(), false);
    ASSERT_TRUE(data);
    EXPECT_EQ(data.value().records.size_bytes(), 0);
    EXPECT_EQ(data.value().fetch_offset_metadata.message_offset, 3);
}

TEST_F(LogReadTest, ReadAtTheUpperBoundIsEmpty) {
    auto log = open_log();
    append(*log, 3);
    append(*log, 3);
    auto data = log->read(3, 1 << 20, 3, false);
    ASSERT_TRUE(data);
    EXPECT_EQ(data.value().records.size_bytes(), 0);
}

TEST_F(LogReadTest, ReadOutsideTheLogIsOffsetOutOfRange) {
    auto log = open_log();
    append(*log, 3);
    EXPECT_EQ(log->read(4, 1 << 20, 10, false).error(), make_error_code(Errc::offset_out_of_range));
    EXPECT_EQ(log->read(-1, 1 << 20, 10, false).error(),
              make_error_code(Errc::offset_out_of_range));
}

TEST_F(LogReadTest, MaxBytesCutsTheSliceMidBatch) {
    auto log = open_log();
    append(*log, 3);
    append(*log, 3);
    int64_t first_size = log->size_in_bytes() / 2;
    auto data = log->read(0, static_cast<int32_t>(first_size + 10), log->log_end_offset(), false);
    ASSERT_TRUE(data);
    EXPECT_EQ(data.value().records.size_bytes(), first_size + 10);
    EXPECT_EQ(batch_offsets(bytes_of(data.value())).size(),
              1u);  // the partial second batch is skipped
}

TEST_F(LogReadTest, MinOneBatchReturnsAnOversizedFirstBatchWhole) {
    auto log = open_log();
    append(*log, 10, -2, 200);
    int64_t size = log->size_in_bytes();
    auto data = log->read(0, 100, log->log_end_offset(), true);
    ASSERT_TRUE(data);
    EXPECT_EQ(data.value().records.size_bytes(), size);
    auto cut = log->read(0, 100, log->log_end_offset(), false);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut.value().records.size_bytes(), 100);
    EXPECT_TRUE(cut.value().first_entry_incomplete);
}

TEST_F(LogReadTest, ReadStopsAtTheHighWatermarkPosition) {
    auto log = open_log();
    append(*log, 2);
    append(*log, 2);
    append(*log, 2);
    auto data = log->read(0, 1 << 20, 4, false);
    ASSERT_TRUE(data);
    auto batches = batch_offsets(bytes_of(data.value()));
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches.back().second, 3);
}

TEST_F(LogReadTest, IndexLookupsFindEveryOffsetAfterManyAppends) {
    config_.index_interval_bytes = 256;
    config_.segment_bytes = 64 * 1024;
    auto log = open_log();
    for (int i = 0; i < 2000; ++i) {
        append(*log, 1 + i % 3);
    }
    EXPECT_GT(log->number_of_segments(), 3u);
    for (int64_t offset = 0; offset < log->log_end_offset(); offset += 37) {
        auto data = log->read(offset, 1, log->log_end_offset(), true);
        ASSERT_TRUE(data);
        auto batches = batch_offsets(bytes_of(data.value()));
        ASSERT_EQ(batches.size(), 1u) << offset;
        EXPECT_LE(batches[0].first, offset);
        EXPECT_GE(batches[0].second, offset);
    }
}

TEST_F(LogReadTest, FetchOffsetByTimestampFindsTheFirstRecordAtOrAfterIt) {
    auto log = open_log();
    auto batch = make_batch({{"a", "1", {}, 100}, {"b", "2", {}, 200}, {"c", "3", {}, 300}});
    ASSERT_TRUE(log->append_as_leader(batch, 0));
    auto later = make_simple_batch(2, 400);
    ASSERT_TRUE(log->append_as_leader(later, 0));
    auto found = log->fetch_offset_by_timestamp(150);
    ASSERT_TRUE(found && found.value());
    EXPECT_EQ(found.value()->offset, 1);
    EXPECT_EQ(found.value()->timestamp, 200);
    found = log->fetch_offset_by_timestamp(350);
    ASSERT_TRUE(found && found.value());
    EXPECT_EQ(found.value()->offset, 3);
    found = log->fetch_offset_by_timestamp(1000);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found.value());
}

TEST_F(LogReadTest, SliceStaysReadableAfterTheSegmentIsDeleted) {
    config_.file_delete_delay_ms = 0;
    auto log = open_log();
    append(*log, 3);
    auto data = log->read(0, 1 << 20, log->log_end_offset(), false);
    ASSERT_TRUE(data);
    ASSERT_TRUE(log->truncate_fully_and_start_at(100));
    EXPECT_EQ(batch_offsets(bytes_of(data.value())).size(), 1u);
}

}  // namespace
}  // namespace samsa::log::test
