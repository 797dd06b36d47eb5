// samsa_loadgen's Produce frames (bench/loadgen/frames.h): the request decodes with the
// project's codecs, its batch passes the broker's own producer-batch validation (CRC included)
// after every patch, and the patch writes exactly the producer fields and stamp it was given.
#include "bench/loadgen/frames.h"
#include "broker/log/log_validator.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/init_producer_id_request.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::loadgen {
namespace {

Options produce_options(int record_size, int records_per_request, bool idempotent) {
    Options o;
    o.mode = Mode::produce;
    o.topic = "bench";
    o.partitions = 3;
    o.record_size = record_size;
    o.records_per_request = records_per_request;
    o.idempotent = idempotent;
    return o;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The frame after its size and request header: the ProduceRequest as the broker decodes it.
protocol::ProduceRequestData decode_produce(const std::vector<uint8_t>& frame) {
    EXPECT_EQ(protocol::load_be32(frame.data()), static_cast<int32_t>(frame.size() - 4));
    protocol::Reader r(std::span<const uint8_t>(frame).subspan(4));
    protocol::RequestHeaderData header;
    header.decode(r, protocol::request_header_version(protocol::ApiKey::produce, kProduceVersion));
    EXPECT_EQ(header.request_api_version, kProduceVersion);
    protocol::ProduceRequestData request;
    request.decode(r, kProduceVersion);
    return request;
}

std::vector<protocol::Record> records_of(const protocol::RecordBatchView& batch) {
    std::vector<protocol::Record> out;
    protocol::RecordIterator it(batch);
    protocol::Record record;
    while (it.next(record)) {
        out.push_back(record);
    }
    EXPECT_FALSE(it.malformed());
    EXPECT_TRUE(it.at_end());
    return out;
}

TEST(LoadgenFrames, AnIdempotentSendCarriesTheProducerAndAValidCrc) {
    Options o = produce_options(100, 10, true);
    Frames frames = make_frames(o);
    ASSERT_EQ(frames.produce.size(), 3u);
    const ProduceFrame& f = frames.produce[2];
    std::vector<uint8_t> frame = f.bytes;
    f.patch(frame.data(), 123456789, {4242, 3, 70});

    auto request = decode_produce(frame);
    ASSERT_EQ(request.topic_data.size(), 1u);
    ASSERT_EQ(request.topic_data[0].partition_data.size(), 1u);
    EXPECT_EQ(request.topic_data[0].partition_data[0].index, 2);
    auto records = request.topic_data[0].partition_data[0].records.bytes();
    ASSERT_EQ(records.size(), frame.size() - f.batch_at);

    protocol::RecordBatchView batch(records);
    EXPECT_TRUE(batch.is_valid_crc());
    EXPECT_EQ(batch.producer_id(), 4242);
    EXPECT_EQ(batch.producer_epoch(), 3);
    EXPECT_EQ(batch.base_sequence(), 70);
    EXPECT_EQ(batch.record_count(), 10);
    EXPECT_EQ(batch.last_offset_delta(), 9);
    EXPECT_EQ(batch.size_in_bytes(), static_cast<int32_t>(records.size()));
    auto validated = log::validate_producer_batch(records, log::LogConfig{}, now_ms());
    ASSERT_TRUE(validated) << validated.error().message();
    EXPECT_EQ(validated.value().record_count, 10);

    auto decoded = records_of(batch);
    ASSERT_EQ(decoded.size(), 10u);
    for (int32_t i = 0; i < 10; ++i) {
        const auto& rec = decoded[static_cast<size_t>(i)];
        EXPECT_EQ(rec.offset_delta, i);
        ASSERT_TRUE(rec.value);
        EXPECT_EQ(rec.value->size(), 100u);
        // Only the first record carries the send time.
        EXPECT_EQ(read_stamp(*rec.value), i == 0 ? 123456789 : -1) << i;
    }
}

TEST(LoadgenFrames, APlainSendIsValidWithoutProducerAndOnlyTheStampChanges) {
    Options o = produce_options(1024, 4, false);
    Frames frames = make_frames(o);
    EXPECT_TRUE(frames.init_producer_id.empty());
    const ProduceFrame& f = frames.produce[0];
    ASSERT_NE(f.stamp_at, 0u);
    std::vector<uint8_t> frame = f.bytes;
    f.patch(frame.data(), 99, ProducerFields{});

    protocol::RecordBatchView batch({frame.data() + f.batch_at, frame.size() - f.batch_at});
    EXPECT_TRUE(batch.is_valid_crc());
    EXPECT_FALSE(batch.has_producer_id());
    EXPECT_EQ(batch.producer_epoch(), -1);
    EXPECT_EQ(batch.base_sequence(), -1);
    auto validated = log::validate_producer_batch(batch.bytes(), log::LogConfig{}, now_ms());
    ASSERT_TRUE(validated) << validated.error().message();
    // Outside the stamp and the CRC, the patch leaves the encoded frame as it was.
    size_t crc_at = f.batch_at + protocol::kCrcOffset;
    for (size_t i = 0; i < frame.size(); ++i) {
        if ((i >= f.stamp_at && i < f.stamp_at + 8) || (i >= crc_at && i < crc_at + 4)) {
            continue;
        }
        ASSERT_EQ(frame[i], f.bytes[i]) << "byte " << i;
    }
}

TEST(LoadgenFrames, ARepatchedFrameGetsTheNewSequencesCrc) {
    Options o = produce_options(100, 1000, true);
    Frames frames = make_frames(o);
    const ProduceFrame& f = frames.produce[0];
    std::vector<uint8_t> frame = f.bytes;
    f.patch(frame.data(), 1, {7, 0, 0});
    uint32_t first_crc =
        protocol::RecordBatchView({frame.data() + f.batch_at, frame.size() - f.batch_at}).crc();
    f.patch(frame.data(), 1, {7, 0, 1000});
    protocol::RecordBatchView batch({frame.data() + f.batch_at, frame.size() - f.batch_at});
    EXPECT_EQ(batch.base_sequence(), 1000);
    EXPECT_NE(batch.crc(), first_crc);
    EXPECT_TRUE(batch.is_valid_crc());
}

TEST(LoadgenFrames, TheInitProducerIdHelloAsksWithoutTransactionalId) {
    Frames frames = make_frames(produce_options(100, 1, true));
    const auto& frame = frames.init_producer_id;
    ASSERT_FALSE(frame.empty());
    protocol::Reader r(std::span<const uint8_t>(frame).subspan(4));
    protocol::RequestHeaderData header;
    header.decode(r, protocol::request_header_version(protocol::ApiKey::init_producer_id,
                                                      kInitProducerIdVersion));
    EXPECT_EQ(header.request_api_key, static_cast<int16_t>(protocol::ApiKey::init_producer_id));
    protocol::InitProducerIdRequestData request;
    request.decode(r, kInitProducerIdVersion);
    EXPECT_FALSE(request.transactional_id.has_value());
}

// samsa_bulkload sends this one request again and again: the broker must take it whole.
TEST(LoadgenFrames, ABulkRequestCarriesOneValidBatchOfTheAskedRecords) {
    const auto batch = make_batch(1024, 976);
    const auto request = make_produce_request("bulk", 3, -1, batch);
    EXPECT_FALSE(request.transactional_id.has_value());
    EXPECT_EQ(request.acks, -1);
    ASSERT_EQ(request.topic_data.size(), 1U);
    EXPECT_EQ(request.topic_data[0].name, "bulk");
    ASSERT_EQ(request.topic_data[0].partition_data.size(), 1U);
    const auto& partition = request.topic_data[0].partition_data[0];
    EXPECT_EQ(partition.index, 3);
    protocol::RecordBatchView view(partition.records.bytes());
    EXPECT_EQ(view.size_in_bytes(), static_cast<int32_t>(batch.size()));
    EXPECT_EQ(view.last_offset_delta(), 975);
    EXPECT_EQ(view.producer_id(), -1);
    EXPECT_TRUE(view.is_valid_crc());
    const auto records = records_of(view);
    ASSERT_EQ(records.size(), 976U);
    EXPECT_EQ(records.back().offset_delta, 975);
    EXPECT_EQ(records.back().value->size(), 1024U);
}

TEST(LoadgenOptions, BootstrapSplitsAtTheLastColon) {
    const auto hp = split_host_port("127.0.0.1:19092");
    EXPECT_EQ(hp.host, "127.0.0.1");
    EXPECT_EQ(hp.port, 19092);
    EXPECT_EQ(split_host_port("::1:9093").host, "::1");
    EXPECT_THROW(split_host_port("localhost"), std::invalid_argument);
}

TEST(LoadgenFrames, SequencesWrapAtIntMaxAsKafkasDo) {
    EXPECT_EQ(increment_sequence(0, 100), 100);
    EXPECT_EQ(increment_sequence(INT32_MAX - 100, 100), INT32_MAX);
    EXPECT_EQ(increment_sequence(INT32_MAX - 99, 100), 0);
    EXPECT_EQ(increment_sequence(INT32_MAX, 1), 0);
}

std::span<const uint8_t> bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(LoadgenFrames, TheRedisCommandIsOneXaddOfTheRecordSize) {
    Options o = produce_options(5, 1, false);
    o.redis = true;
    o.topic = "t";
    Frames f = make_frames(o);
    EXPECT_EQ(std::string(f.redis_command.begin(), f.redis_command.end()),
              "*5\r\n$4\r\nXADD\r\n$1\r\nt\r\n$1\r\n*\r\n$1\r\nv\r\n$5\r\nxxxxx\r\n");
    EXPECT_TRUE(f.produce.empty());  // no Kafka frames in a Redis run
    EXPECT_TRUE(f.api_versions.empty());
}

TEST(LoadgenFrames, RedisPingIsThePingCommandAlone) {
    Options o = produce_options(5, 1, false);
    o.redis = true;
    o.redis_ping = true;
    Frames f = make_frames(o);
    EXPECT_EQ(std::string(f.redis_command.begin(), f.redis_command.end()), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(redis_reply_length(bytes("+PONG\r\n")), 7u);  // what it answers
}

TEST(LoadgenFrames, RedisRepliesAreMeasuredWholeOrNotYet) {
    EXPECT_EQ(redis_reply_length(bytes("$15\r\n1733380000000-0\r\n$15")), 22u);
    EXPECT_EQ(redis_reply_length(bytes("$15\r\n1733380000000-0\r")), 0u);  // incomplete
    EXPECT_EQ(redis_reply_length(bytes("$15\r")), 0u);
    EXPECT_EQ(redis_reply_length(bytes("$-1\r\n")), 5u);  // null bulk string
    EXPECT_EQ(redis_reply_length(bytes("+OK\r\n+OK\r\n")), 5u);
    EXPECT_EQ(redis_reply_length(bytes("-ERR wrong type\r\n")), 17u);
    EXPECT_EQ(redis_reply_length(bytes(":42\r\n")), 5u);
    EXPECT_EQ(redis_reply_length(bytes("*1\r\n$1\r\na\r\n")), std::nullopt);    // not XADD's
    EXPECT_EQ(redis_reply_length(bytes(std::string(100, 'x'))), std::nullopt);  // no line end
}

}  // namespace
}  // namespace samsa::loadgen
