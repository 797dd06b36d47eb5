#include "broker/protocol/record_batch.h"

#include "broker/protocol/record_batch_builder.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace samsa::log::test {
namespace {

using namespace samsa::protocol;

TEST(RecordBatchTest, HeaderAccessorsReadTheLayout) {
    BatchOptions o;
    o.base_offset = 42;
    o.producer_id = 7;
    o.producer_epoch = 3;
    o.base_sequence = 11;
    o.partition_leader_epoch = 5;
    auto bytes = make_batch({{"k", "v", {}, 1000}, {"k2", std::nullopt, {}, 1005}}, o);
    RecordBatchView b(bytes);
    EXPECT_EQ(b.base_offset(), 42);
    EXPECT_EQ(b.size_in_bytes(), static_cast<int32_t>(bytes.size()));
    EXPECT_EQ(b.partition_leader_epoch(), 5);
    EXPECT_EQ(b.magic(), 2);
    EXPECT_EQ(b.last_offset_delta(), 1);
    EXPECT_EQ(b.last_offset(), 43);
    EXPECT_EQ(b.base_timestamp(), 1000);
    EXPECT_EQ(b.max_timestamp(), 1005);
    EXPECT_EQ(b.producer_id(), 7);
    EXPECT_EQ(b.producer_epoch(), 3);
    EXPECT_EQ(b.base_sequence(), 11);
    EXPECT_EQ(b.record_count(), 2);
    EXPECT_EQ(b.compression(), CompressionType::none);
    EXPECT_TRUE(b.is_valid_crc());
}

TEST(RecordBatchTest, PatchingOffsetAndEpochKeepsTheCrcValid) {
    auto bytes = make_simple_batch(3, 1000);
    MutableRecordBatchView b(bytes);
    b.set_base_offset(1234);
    b.set_partition_leader_epoch(9);
    EXPECT_TRUE(b.is_valid_crc());
    EXPECT_EQ(b.base_offset(), 1234);
}

TEST(RecordBatchTest, SetMaxTimestampRecomputesTheCrcOnlyWhenItChanges) {
    auto bytes = make_simple_batch(3, 1000);
    auto original = bytes;
    MutableRecordBatchView b(bytes);
    b.set_max_timestamp(TimestampType::create_time, 1000);
    EXPECT_EQ(bytes, original);
    b.set_max_timestamp(TimestampType::log_append_time, 5000);
    EXPECT_EQ(b.timestamp_type(), TimestampType::log_append_time);
    EXPECT_EQ(b.max_timestamp(), 5000);
    EXPECT_TRUE(b.is_valid_crc());
}

TEST(RecordBatchTest, IteratorStopsCleanlyAtAPartialTrailingBatch) {
    auto all = concat({make_simple_batch(2, 1), make_simple_batch(3, 2), make_simple_batch(1, 3)});
    all.resize(all.size() - 5);
    RecordBatchIterator it(all);
    int n = 0;
    while (it.next()) {
        ++n;
    }
    EXPECT_EQ(n, 2);
    EXPECT_EQ(it.stop(), RecordBatchIterator::Stop::partial);
}

TEST(RecordBatchTest, IteratorReportsAnImpossibleLengthAsCorrupt) {
    auto bytes = make_simple_batch(1, 1);
    store_be32(bytes.data() + kBatchLengthOffset, 10);
    RecordBatchIterator it(bytes);
    EXPECT_FALSE(it.next());
    EXPECT_EQ(it.stop(), RecordBatchIterator::Stop::corrupt);
}

TEST(RecordBatchTest, RecordIteratorDecodesKeysValuesAndHeaders) {
    auto bytes = make_batch({{"k", "value", {{"h1", "x"}, {"h2", std::nullopt}}, 100},
                             {std::nullopt, std::nullopt, {}, 90}});
    RecordBatchView b(bytes);
    RecordIterator it(b);
    Record r;
    ASSERT_TRUE(it.next(r));
    EXPECT_EQ(std::string(r.key->begin(), r.key->end()), "k");
    EXPECT_EQ(std::string(r.value->begin(), r.value->end()), "value");
    EXPECT_EQ(r.header_count, 2);
    ASSERT_TRUE(it.next(r));
    EXPECT_FALSE(r.key.has_value());
    EXPECT_FALSE(r.value.has_value());
    EXPECT_EQ(r.offset_delta, 1);
    EXPECT_EQ(r.timestamp_delta, -10);
    EXPECT_FALSE(it.next(r));
    EXPECT_TRUE(it.at_end());
    EXPECT_FALSE(it.malformed());
}

TEST(RecordBatchTest, RecordIteratorFlagsARecordLengthPastTheBatch) {
    auto bytes = make_batch({{"k", "v", {}, 1}});
    bytes[kRecordsOffset] = 0x7e;  // length varint 63: more than the batch holds
    RecordIterator it{RecordBatchView(bytes)};
    Record r;
    EXPECT_FALSE(it.next(r));
    EXPECT_TRUE(it.malformed());
}

TEST(RecordBatchBuilderTest, KeepsOffsetGapsAndAGivenLastOffsetDelta) {
    BatchHeader header;
    header.base_offset = 100;
    header.producer_id = 9;
    header.last_offset_delta = 7;  // a cleaned batch still covers its original range
    RecordBatchBuilder builder(header);
    builder.append(2, 1000, std::nullopt, std::nullopt);
    std::string key = "k";
    builder.append(5, 990,
                   std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), 1),
                   std::nullopt);
    auto bytes = builder.build();
    RecordBatchView b(bytes);
    EXPECT_TRUE(b.is_valid_crc());
    EXPECT_EQ(b.base_offset(), 100);
    EXPECT_EQ(b.last_offset(), 107);
    EXPECT_EQ(b.record_count(), 2);
    EXPECT_EQ(b.base_timestamp(), 1000);
    EXPECT_EQ(b.max_timestamp(), 1000);
    RecordIterator it(b);
    Record r;
    ASSERT_TRUE(it.next(r));
    EXPECT_EQ(r.offset_delta, 2);
    EXPECT_FALSE(r.key.has_value());
    ASSERT_TRUE(it.next(r));
    EXPECT_EQ(r.offset_delta, 5);
    EXPECT_EQ(r.timestamp_delta, -10);
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(r.key->size(), 1u);
    EXPECT_FALSE(r.value.has_value());
    EXPECT_FALSE(it.next(r));
    EXPECT_FALSE(it.malformed());
}

TEST(RecordBatchBuilderTest, StringAppendNumbersRecordsFromZero) {
    RecordBatchBuilder builder;
    builder.append(5, "a", "1");
    builder.append(6, "b", std::nullopt);
    auto bytes = builder.build();
    RecordBatchView b(bytes);
    EXPECT_TRUE(b.is_valid_crc());
    EXPECT_EQ(b.last_offset_delta(), 1);
    EXPECT_EQ(b.max_timestamp(), 6);
}

}  // namespace
}  // namespace samsa::log::test
