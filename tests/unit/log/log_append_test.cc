// Produce validation and the in-place rewrite (ZK-MODE.md §e).
#include "tests/unit/log/log_fixture.h"

namespace samsa::log::test {
namespace {

using namespace samsa::protocol;

class LogAppendTest : public LogFixture {};

TEST_F(LogAppendTest, AppendAssignsOffsetsFromTheLogEnd) {
    auto log = open_log();
    auto batch = make_simple_batch(5, clock_.now());
    auto first = log->append_as_leader(batch, 3);
    ASSERT_TRUE(first);
    EXPECT_EQ(first.value().first_offset, 0);
    EXPECT_EQ(first.value().last_offset, 4);
    EXPECT_EQ(first.value().record_count, 5);
    EXPECT_EQ(first.value().log_append_time, -1);
    auto second = make_simple_batch(2, clock_.now());
    auto info = log->append_as_leader(second, 3);
    ASSERT_TRUE(info);
    EXPECT_EQ(info.value().first_offset, 5);
    EXPECT_EQ(log->log_end_offset(), 7);
    RecordBatchView written(second);
    EXPECT_EQ(written.base_offset(), 5);
    EXPECT_EQ(written.partition_leader_epoch(), 3);
    EXPECT_TRUE(written.is_valid_crc());
}

TEST_F(LogAppendTest, CrcMismatchIsCorruptMessageAndWritesNothing) {
    auto log = open_log();
    auto batch = make_simple_batch(3, clock_.now());
    batch[batch.size() - 1] ^= 0x01;
    auto info = log->append_as_leader(batch, 0);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error(), make_error_code(Errc::corrupt_message));
    EXPECT_EQ(log->log_end_offset(), 0);
    EXPECT_EQ(log->size_in_bytes(), 0);
}

TEST_F(LogAppendTest, TwoBatchesInOneProduceAreInvalidRecord) {
    auto log = open_log();
    auto both = concat({make_simple_batch(1, clock_.now()), make_simple_batch(1, clock_.now())});
    auto info = log->append_as_leader(both, 0);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error(), make_error_code(Errc::invalid_record));
    EXPECT_EQ(log->size_in_bytes(), 0);
}

TEST_F(LogAppendTest, BatchOverMaxMessageBytesIsMessageTooLarge) {
    config_.max_message_bytes = 1000;
    auto log = open_log();
    auto batch = make_simple_batch(1, clock_.now(), 2000);
    auto info = log->append_as_leader(batch, 0);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error(), make_error_code(Errc::message_too_large));
}

TEST_F(LogAppendTest, NonZeroBaseOffsetFromAProducerIsInvalidRecord) {
    auto log = open_log();
    auto batch = make_simple_batch(1, clock_.now(), 16, 7);
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_record));
}

TEST_F(LogAppendTest, LegacyMagicIsUnsupportedForMessageFormat) {
    auto log = open_log();
    auto batch = make_simple_batch(1, clock_.now());
    batch[kMagicOffset] = 1;
    EXPECT_EQ(log->append_as_leader(batch, 0).error(),
              make_error_code(Errc::unsupported_for_message_format));
}

TEST_F(LogAppendTest, CountNotMatchingLastOffsetDeltaIsInvalidRecord) {
    auto log = open_log();
    auto batch = make_simple_batch(2, clock_.now());
    store_be32(batch.data() + kRecordCountOffset, 3);
    MutableRecordBatchView(batch).update_crc();
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_record));
}

TEST_F(LogAppendTest, ControlBatchFromAProducerIsInvalidRecord) {
    auto log = open_log();
    BatchOptions o;
    o.attributes = kControlFlagMask;
    auto batch = make_batch({{"k", "v", {}, clock_.now()}}, o);
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_record));
}

TEST_F(LogAppendTest, ProducerIdWithoutSequenceIsInvalidRecord) {
    auto log = open_log();
    BatchOptions o;
    o.producer_id = 5;
    auto batch = make_batch({{"k", "v", {}, clock_.now()}}, o);
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_record));
}

TEST_F(LogAppendTest, LogAppendTimeBitFromAProducerIsInvalidTimestamp) {
    auto log = open_log();
    BatchOptions o;
    o.attributes = kTimestampTypeMask;
    auto batch = make_batch({{"k", "v", {}, clock_.now()}}, o);
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_timestamp));
}

TEST_F(LogAppendTest, TimestampBeyondTheAllowedDifferenceIsInvalidTimestamp) {
    config_.message_timestamp_difference_max_ms = 1000;
    auto log = open_log();
    auto old = make_simple_batch(1, clock_.now() - 5000);
    EXPECT_EQ(log->append_as_leader(old, 0).error(), make_error_code(Errc::invalid_timestamp));
    auto fresh = make_simple_batch(1, clock_.now() - 500);
    EXPECT_TRUE(log->append_as_leader(fresh, 0));
}

TEST_F(LogAppendTest, MalformedRecordIsInvalidRecordAndWritesNothing) {
    auto log = open_log();
    auto batch = make_batch({{"k", "v", {}, clock_.now()}});
    batch[kRecordsOffset] = 0x7e;
    MutableRecordBatchView(batch).update_crc();
    EXPECT_EQ(log->append_as_leader(batch, 0).error(), make_error_code(Errc::invalid_record));
    EXPECT_EQ(log->size_in_bytes(), 0);
}

TEST_F(LogAppendTest, LogAppendTimeTopicRewritesTimestampAndCrc) {
    config_.message_timestamp_type = TimestampType::log_append_time;
    auto log = open_log();
    auto batch = make_simple_batch(2, 12345);
    auto info = log->append_as_leader(batch, 0);
    ASSERT_TRUE(info);
    EXPECT_EQ(info.value().log_append_time, clock_.now());
    auto data = log->read(0, 1 << 20, log->log_end_offset(), true);
    ASSERT_TRUE(data);
    auto bytes = bytes_of(data.value());
    RecordBatchView stored(bytes);
    EXPECT_EQ(stored.timestamp_type(), TimestampType::log_append_time);
    EXPECT_EQ(stored.max_timestamp(), clock_.now());
    EXPECT_EQ(stored.crc(), stored.compute_crc());
}

TEST_F(LogAppendTest, CompressedBatchPassesThroughExceptOffsetAndEpoch) {
    auto log = open_log();
    append(*log, 3);
    std::vector<uint8_t> payload(300);
    for (size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<uint8_t>(i * 7);
    }
    auto batch = make_compressed_batch(10, payload, clock_.now(), CompressionType::lz4);
    auto original = batch;
    auto info = log->append_as_leader(batch, 9);
    ASSERT_TRUE(info);
    EXPECT_EQ(info.value().first_offset, 3);
    EXPECT_EQ(info.value().last_offset, 12);
    auto data = log->read(3, 1 << 20, log->log_end_offset(), true);
    ASSERT_TRUE(data);
    auto stored = bytes_of(data.value());
    ASSERT_EQ(stored.size(), original.size());
    EXPECT_EQ(RecordBatchView(stored).base_offset(), 3);
    EXPECT_EQ(RecordBatchView(stored).partition_leader_epoch(), 9);
    // Everything from the magic byte on is untouched, CRC included.
    EXPECT_TRUE(
        std::equal(stored.begin() + kMagicOffset, stored.end(), original.begin() + kMagicOffset));
}

TEST_F(LogAppendTest, FollowerAppendKeepsTheLeadersOffsetsAndDropsAPartialTail) {
    auto log = open_log();
    auto batches = concat({make_simple_batch(2, clock_.now(), 16, 0),
                           make_simple_batch(3, clock_.now(), 16, 2),
                           make_simple_batch(1, clock_.now(), 16, 10)});
    batches.resize(batches.size() - 4);
    auto info = log->append_as_follower(batches);
    ASSERT_TRUE(info);
    EXPECT_EQ(info.value().first_offset, 0);
    EXPECT_EQ(info.value().last_offset, 4);
    EXPECT_EQ(log->log_end_offset(), 5);
    auto again = make_simple_batch(1, clock_.now(), 16, 3);
    EXPECT_EQ(log->append_as_follower(again).error(),
              make_error_code(Errc::unexpected_append_offset));
}

}  // namespace
}  // namespace samsa::log::test
