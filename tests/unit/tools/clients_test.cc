// The console and perf tools' pure parts: Kafka's murmur2 partitioner, the range assignor and
// consumer protocol encodings, record decoding (compressed batches included), the message
// formats, and the command-line checks with Kafka's messages.
#include "broker/protocol/compression.h"
#include "broker/protocol/record_batch_builder.h"
#include "tools/admin/client_commands.h"
#include "tools/admin/client_formats.h"
#include "tools/admin/client_group_member.h"
#include "tools/admin/client_partitioner.h"
#include "tools/admin/client_records.h"
#include "tools/admin/group_admin.h"

#include <gtest/gtest.h>

#include <regex>

namespace samsa::client {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Partitioner, Murmur2MatchesKafkaUtilsTest) {
    // org.apache.kafka.common.utils.UtilsTest.testMurmur2.
    EXPECT_EQ(murmur2(bytes_of("21")), -973932308);
    EXPECT_EQ(murmur2(bytes_of("foobar")), -790332482);
    EXPECT_EQ(murmur2(bytes_of("a-little-bit-long-string")), -985981536);
    EXPECT_EQ(murmur2(bytes_of("a-little-bit-longer-string")), -1486304829);
    EXPECT_EQ(murmur2(bytes_of("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")), -58897971);
    EXPECT_EQ(murmur2(bytes_of("abc")), 479470107);
}

TEST(Partitioner, KeyedPartitionIsPositiveModulo) {
    // toPositive, not abs: murmur2("21") is negative.
    EXPECT_EQ(partition_for_key(bytes_of("21"), 7), (-973932308 & 0x7fffffff) % 7);
    EXPECT_EQ(to_positive(INT32_MIN), 0);
}

TEST(Partitioner, StickyPartitionChangesOnNewBatch) {
    StickyPartitioner sticky;
    const int32_t first = sticky.partition("t", 4, {0, 1, 2, 3});
    EXPECT_EQ(sticky.partition("t", 4, {0, 1, 2, 3}), first);
    sticky.on_new_batch("t", 4, {0, 1, 2, 3}, first);
    EXPECT_NE(sticky.partition("t", 4, {0, 1, 2, 3}), first);
    // Only partitions with a leader are picked.
    StickyPartitioner only;
    EXPECT_EQ(only.partition("u", 3, {2}), 2);
}

TEST(GroupProtocol, RangeAssignorSplitsContiguously) {
    // RangeAssignorTest.testTwoConsumersOneTopicThreePartitions and friends.
    auto a = range_assign({{"c0", {"t"}}, {"c1", {"t"}}}, {{"t", 3}});
    EXPECT_EQ(a["c0"], (std::vector<TopicPartition>{{"t", 0}, {"t", 1}}));
    EXPECT_EQ(a["c1"], (std::vector<TopicPartition>{{"t", 2}}));
    auto b = range_assign({{"c0", {"t"}}, {"c1", {"t"}}, {"c2", {"u"}}}, {{"t", 1}, {"u", 2}});
    EXPECT_EQ(b["c0"], (std::vector<TopicPartition>{{"t", 0}}));
    EXPECT_TRUE(b["c1"].empty());
    EXPECT_EQ(b["c2"], (std::vector<TopicPartition>{{"u", 0}, {"u", 1}}));
}

TEST(GroupProtocol, EncodingsRoundTrip) {
    EXPECT_EQ(decode_subscription(encode_subscription({"a", "bc"})),
              (std::vector<std::string>{"a", "bc"}));
    const std::vector<TopicPartition> parts{{"a", 0}, {"a", 2}, {"b", 1}};
    EXPECT_EQ(admin::parse_consumer_assignment(encode_assignment(parts)), parts);
}

std::vector<uint8_t> batch(int64_t base_offset) {
    protocol::BatchHeader h;
    h.base_offset = base_offset;
    protocol::RecordBatchBuilder b(h);
    b.append(1000, std::string_view("k1"), std::string_view("v1"));
    b.append(1005, std::nullopt, std::string_view("v2"));
    return b.build();
}

TEST(Records, DecodesPlainAndCompressedBatchesFromTheFetchOffset) {
    for (auto codec : {protocol::CompressionType::none, protocol::CompressionType::gzip,
                       protocol::CompressionType::snappy, protocol::CompressionType::lz4,
                       protocol::CompressionType::zstd}) {
        std::vector<uint8_t> bytes = batch(10);
        if (codec != protocol::CompressionType::none) {
            bytes = protocol::compress_batch(bytes, codec).value();
        }
        auto second = batch(12);
        bytes.insert(bytes.end(), second.begin(), second.end());
        // A size-limited fetch may end in a partial batch: it is left for the next fetch.
        bytes.insert(bytes.end(), second.begin(), second.begin() + 20);
        const auto d = decode_records(bytes, "t", 3, 11, std::nullopt);
        ASSERT_FALSE(d.corrupt);
        ASSERT_EQ(d.records.size(), 3u);  // offset 10 is before the fetch offset
        EXPECT_EQ(d.records[0].offset, 11);
        EXPECT_FALSE(d.records[0].key);
        EXPECT_EQ(d.records[0].value, "v2");
        EXPECT_EQ(d.records[0].timestamp, 1005);
        EXPECT_EQ(d.records[1].key, "k1");
        EXPECT_EQ(d.records[1].partition, 3);
        EXPECT_EQ(d.next_offset, 14);
    }
}

TEST(Formats, DefaultMessageFormatterColumns) {
    ConsumerRecord r;
    r.partition = 2;
    r.offset = 7;
    r.timestamp = 1234;
    r.key = "k";
    r.value = "v";
    EXPECT_EQ(format_record(r, parse_message_format({})), "v\n");
    const auto all = parse_message_format({{"print.key", "true"},
                                           {"print.partition", "true"},
                                           {"print.offset", "true"},
                                           {"print.timestamp", "true"},
                                           {"key.separator", ":"}});
    EXPECT_EQ(format_record(r, all), "CreateTime:1234:Partition:2:Offset:7:k:v\n");
    r.key.reset();
    EXPECT_EQ(format_record(r, parse_message_format({{"print.key", "true"}})), "null\tv\n");
    EXPECT_EQ(format_record(
                  r, parse_message_format({{"print.value", "false"}, {"print.offset", "true"}})),
              "Offset:7\n");
}

TEST(Formats, LineMessageReader) {
    std::string error;
    const auto keyed = parse_line_format(parse_key_values({"parse.key=true", "key.separator=:"}));
    auto p = parse_line("user1:hello:world", 1, keyed, error);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->key, "user1");
    EXPECT_EQ(p->value, "hello:world");
    EXPECT_FALSE(parse_line("nokey", 4, keyed, error));
    EXPECT_EQ(error, "No key found on line 4: nokey");
    const auto plain = parse_line("a:b", 1, parse_line_format({}), error);
    EXPECT_FALSE(plain->key);
    EXPECT_EQ(plain->value, "a:b");
}

TEST(Formats, ProducerPerformanceLines) {
    EXPECT_EQ(producer_window_line(500, 5000, 512000, 1000, 9),
              "500 records sent, 100.0 records/sec (0.10 MB/sec), 2.0 ms avg latency, 9.0 ms max "
              "latency.");
    EXPECT_EQ(producer_total_line(4, 2000, 4096, 10, 4, {4, 1, 2, 3}),
              "4 records sent, 2.000000 records/sec (0.00 MB/sec), 2.50 ms avg latency, 4.00 ms "
              "max latency, 3 ms 50th, 4 ms 95th, 4 ms 99th, 4 ms 99.9th.");
}

TEST(Formats, ConsumerPerformanceRows) {
    EXPECT_EQ(consumer_perf_header(false),
              "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, "
              "nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    const std::string row = consumer_perf_row(0, 2000, 2 * 1048576, 100, 1000);
    const std::regex shape(
        R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:000, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d:000, )"
        R"(2\.0000, 1\.0000, 100, 50\.0000, 1000, 1000, 2\.0000, 100\.0000)");
    EXPECT_TRUE(std::regex_match(row, shape)) << row;
    // --show-detailed-stats: the interval's rates, the join time taken out of fetch.time.ms.
    const std::string progress =
        consumer_perf_progress(2 * 1048576, 1048576, 200, 100, 0, 1000, 200);
    EXPECT_TRUE(std::regex_match(
        progress, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:000, 0, 2\.0000, 1\.0000, 200, )"
                             R"(100\.0000, 200, 800, 1\.2500, 125\.0000)")))
        << progress;
    EXPECT_EQ(consumer_perf_header(true),
              "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
              "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    EXPECT_EQ(java_fixed(1.0 / 0.0, 4), "Infinity");
    EXPECT_EQ(java_fixed(0.0 / 0.0, 4), "NaN");
    // Java's HALF_UP on exact ties, where printf would round to even.
    EXPECT_EQ(java_fixed(0.125, 2), "0.13");
    EXPECT_EQ(java_fixed(-0.125, 2), "-0.13");
    EXPECT_EQ(java_fixed(2.5, 0), "3");
    EXPECT_EQ(java_fixed(0.1, 1), "0.1");
    EXPECT_EQ(java_fixed(1183431.952663, 6), "1183431.952663");
}

int run(int (*command)(const tools::Args&), const tools::Args& args, std::string& err) {
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const int rc = command(args);
    err = testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    return rc;
}

TEST(ConsoleOptions, ConsumerChecksWithKafkasMessages) {
    std::string err;
    EXPECT_EQ(run(admin::run_console_consumer, {"--bootstrap-server", "h:1"}, err), 1);
    EXPECT_NE(err.find("Exactly one of whitelist/topic is required."), std::string::npos);
    EXPECT_EQ(run(admin::run_console_consumer,
                  {"--bootstrap-server", "h:1", "--topic", "t", "--offset", "3"}, err),
              1);
    EXPECT_NE(err.find("The partition is required when offset is specified."), std::string::npos);
    EXPECT_EQ(
        run(admin::run_console_consumer,
            {"--bootstrap-server", "h:1", "--topic", "t", "--partition", "0", "--offset", "-5"},
            err),
        1);
    EXPECT_NE(err.find("The provided offset value '-5' is incorrect. Valid values are "
                       "'earliest', 'latest', or a non-negative long."),
              std::string::npos);
    EXPECT_EQ(
        run(admin::run_console_consumer,
            {"--bootstrap-server", "h:1", "--topic", "t", "--partition", "0", "--group", "g"}, err),
        1);
    EXPECT_NE(err.find("Options group and partition cannot be specified together."),
              std::string::npos);
    EXPECT_EQ(admin::console_consumer_offset("EARLIEST"), -2);
    EXPECT_EQ(admin::console_consumer_offset("latest"), -1);
    EXPECT_EQ(admin::console_consumer_offset("42"), 42);
    EXPECT_FALSE(admin::console_consumer_offset("4x"));
}

TEST(ConsoleOptions, ProducerAndPerfChecks) {
    std::string err;
    EXPECT_EQ(run(admin::run_console_producer, {"--bootstrap-server", "h:1"}, err), 1);
    EXPECT_NE(err.find("Missing required argument \"[topic]\""), std::string::npos);
    EXPECT_EQ(
        run(admin::run_producer_perf_test,
            {"--topic", "t", "--num-records", "5", "--throughput", "-1", "--record-size", "10"},
            err),
        1);
    EXPECT_NE(err.find("producer-performance: error: Either --producer-props or "
                       "--producer.config must be specified."),
              std::string::npos);
    EXPECT_EQ(run(admin::run_producer_perf_test,
                  {"--topic", "t", "--num-records", "5", "--throughput", "-1", "--producer-props",
                   "bootstrap.servers=h:1"},
                  err),
              1);
    EXPECT_NE(err.find("one of the arguments --record-size --payload-file is required"),
              std::string::npos);
    EXPECT_EQ(
        run(admin::run_consumer_perf_test, {"--bootstrap-server", "h:1", "--topic", "t"}, err), 1);
    EXPECT_NE(err.find("Missing required argument \"[messages]\""), std::string::npos);
}

}  // namespace
}  // namespace samsa::client
