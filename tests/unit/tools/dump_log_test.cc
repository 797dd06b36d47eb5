// kafka-dump-log.sh's lines (dump_log_format.h) on batches built by the broker's own
// RecordBatchBuilder, and the whole command (run_dump_log) on segment files written here.

#include "broker/protocol/compression.h"
#include "broker/protocol/record_batch_builder.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/dump_log_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace samsa::admin {
namespace {

using protocol::RecordBatchBuilder;
using protocol::RecordBatchView;

std::vector<uint8_t> keyed_batch(int64_t base_offset, protocol::BatchHeader header = {}) {
    header.base_offset = base_offset;
    header.partition_leader_epoch = 3;
    RecordBatchBuilder b(header);
    b.append(1000, "k1", "v1");
    b.append(1005, std::nullopt, "v2");
    b.append(1002, "k3", std::nullopt);
    return b.build();
}

// Every record's line of a batch.
std::vector<std::string> record_lines(const RecordBatchView& batch, bool contents) {
    std::vector<std::string> out;
    auto ok = protocol::for_each_record(batch, [&](const protocol::Record& r) {
        out.push_back(dump_log::format_record(batch, r, contents));
    });
    EXPECT_TRUE(ok && ok.value());
    return out;
}

TEST(DumpLogFormat, BatchLineIsKafkas) {
    const auto bytes = keyed_batch(10);
    const RecordBatchView batch(bytes);
    EXPECT_EQ(dump_log::format_batch(batch, 4096),
              "baseOffset: 10 lastOffset: 12 count: 3 baseSequence: -1 lastSequence: -1 "
              "producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 3 isTransactional: false "
              "isControl: false position: 4096 CreateTime: 1005 size: " +
                  std::to_string(bytes.size()) + " magic: 2 compresscodec: NONE crc: " +
                  std::to_string(batch.crc()) + " isvalid: true");
}

TEST(DumpLogFormat, CorruptBatchIsInvalid) {
    auto bytes = keyed_batch(0);
    bytes.back() ^= 0xff;
    EXPECT_NE(dump_log::format_batch(RecordBatchView(bytes), 0).find(" isvalid: false"),
              std::string::npos);
}

TEST(DumpLogFormat, RecordLinesWithAndWithoutContents) {
    const auto bytes = keyed_batch(10);
    const RecordBatchView batch(bytes);
    EXPECT_EQ(record_lines(batch, true),
              (std::vector<std::string>{
                  "| offset: 10 CreateTime: 1000 keySize: 2 valueSize: 2 sequence: -1 "
                  "headerKeys: [] key: k1 payload: v1",
                  "| offset: 11 CreateTime: 1005 keySize: -1 valueSize: 2 sequence: -1 "
                  "headerKeys: [] payload: v2",
                  "| offset: 12 CreateTime: 1002 keySize: 2 valueSize: -1 sequence: -1 "
                  "headerKeys: [] key: k3"}));
    EXPECT_EQ(record_lines(batch, false)[0],
              "| offset: 10 CreateTime: 1000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: []");
}

TEST(DumpLogFormat, CompressedBatchIsDecompressed) {
    const auto compressed =
        protocol::compress_batch(keyed_batch(20), protocol::CompressionType::zstd);
    ASSERT_TRUE(compressed);
    const RecordBatchView batch(compressed.value());
    const std::string line = dump_log::format_batch(batch, 0);
    EXPECT_NE(line.find(" count: 3 "), std::string::npos);
    EXPECT_NE(line.find(" compresscodec: ZSTD crc: "), std::string::npos);
    EXPECT_NE(line.find(" isvalid: true"), std::string::npos);
    EXPECT_EQ(record_lines(batch, true)[2],
              "| offset: 22 CreateTime: 1002 keySize: 2 valueSize: -1 sequence: -1 "
              "headerKeys: [] key: k3");
}

TEST(DumpLogFormat, ProducerSequencesWrapLikeKafkas) {
    protocol::BatchHeader h;
    h.producer_id = 7;
    h.producer_epoch = 1;
    h.base_sequence = INT32_MAX - 1;
    const auto bytes = keyed_batch(0, h);
    const RecordBatchView batch(bytes);
    EXPECT_NE(dump_log::format_batch(batch, 0).find(
                  "baseSequence: 2147483646 lastSequence: 0 producerId: 7 producerEpoch: 1 "),
              std::string::npos);
    const auto lines = record_lines(batch, false);
    EXPECT_NE(lines[0].find(" sequence: 2147483646 "), std::string::npos);
    EXPECT_NE(lines[1].find(" sequence: 2147483647 "), std::string::npos);
    EXPECT_NE(lines[2].find(" sequence: 0 "), std::string::npos);
}

TEST(DumpLogFormat, HeaderKeysAndLogAppendTime) {
    protocol::BatchHeader h;
    h.attributes = protocol::kTimestampTypeMask;
    h.max_timestamp = 5000;
    RecordBatchBuilder b(h);
    // Two headers: ("a", "1") and ("bc", null); lengths are zig-zag varints.
    const std::vector<uint8_t> headers = {2, 'a', 2, '1', 4, 'b', 'c', 1};
    const std::string value = "x";
    b.append(0, 1000, std::nullopt,
             std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), 1), headers,
             2);
    const auto bytes = b.build();
    const RecordBatchView batch(bytes);
    EXPECT_NE(dump_log::format_batch(batch, 0).find(" LogAppendTime: 5000 "), std::string::npos);
    EXPECT_EQ(record_lines(batch, true)[0],
              "| offset: 0 LogAppendTime: 5000 keySize: -1 valueSize: 1 sequence: -1 "
              "headerKeys: [a,bc] payload: x");
}

TEST(DumpLogFormat, ControlRecordsAsKafkaPrintsThem) {
    protocol::BatchHeader h;
    h.base_offset = 40;
    h.producer_id = 9;
    h.producer_epoch = 0;
    h.attributes = protocol::kControlFlagMask | protocol::kTransactionalFlagMask;
    RecordBatchBuilder b(h);
    const std::vector<uint8_t> commit_key = {0, 0, 0, 1};
    const std::vector<uint8_t> marker = {0, 0, 0, 0, 0, 5};  // version 0, coordinatorEpoch 5
    b.append(0, 77, commit_key, marker);
    const auto bytes = b.build();
    const RecordBatchView batch(bytes);
    EXPECT_NE(dump_log::format_batch(batch, 0).find("isTransactional: true isControl: true"),
              std::string::npos);
    EXPECT_EQ(record_lines(batch, true)[0],
              "| offset: 40 CreateTime: 77 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] "
              "endTxnMarker: COMMIT coordinatorEpoch: 5");
}

TEST(DumpLogFormat, IndexLinesAndReports) {
    EXPECT_EQ(dump_log::format_index_entry(42, 4096), "offset: 42 position: 4096");
    EXPECT_EQ(dump_log::format_time_index_entry(1700, 42), "timestamp: 1700 offset: 42");
    dump_log::DumpErrors e;
    dump_log::DumpErrors::add(e.index_mismatches, "/d/0.index", 5, 4);
    dump_log::DumpErrors::add(e.index_mismatches, "/d/0.index", 9, 8);
    dump_log::DumpErrors::add(e.offsets_not_found, "/d/0.timeindex", 7, -1);
    dump_log::DumpErrors::add(e.time_mismatches, "/d/0.timeindex", 100, 90);
    dump_log::DumpErrors::add(e.non_consecutive, "/d/0.log", 3, 5);
    EXPECT_EQ(dump_log::format_errors(e),
              "Mismatches in :/d/0.index\n"
              "  Index offset: 9, log offset: 8\n"
              "  Index offset: 5, log offset: 4\n"
              "Found timestamp mismatch in :/d/0.timeindex\n"
              "  Index timestamp: 100, log timestamp: 90\n"
              "The following indexed offsets are not found in the log.\n"
              "Indexed offset: 7, found log offset: -1\n"
              "Non-consecutive offsets in /d/0.log\n"
              "  3 is followed by 5\n");
}

// The command on a segment written here: two batches, an index entry per batch (the second
// one wrong on purpose), a time index entry per batch.
class DumpLogCommand : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("samsa-dump-log-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        first_ = keyed_batch(100);
        second_ = keyed_batch(103);
        write("00000000000000000100.log", first_, second_);
        // offset 102 at 0 (right), offset 104 at the second batch (its last offset is 105).
        write("00000000000000000100.index",
              std::vector<uint8_t>{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4},
              be32(static_cast<int32_t>(first_.size())));
        std::vector<uint8_t> t1 = {0, 0, 0, 0, 0, 0, 0x03, 0xED, 0, 0, 0, 2};  // 1005 @ 102
        std::vector<uint8_t> t2 = {0, 0, 0, 0, 0, 0, 0x03, 0xED, 0, 0, 0, 5};  // 1005 @ 105
        write("00000000000000000100.timeindex", t1, t2);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static std::vector<uint8_t> be32(int32_t v) {
        std::vector<uint8_t> out(4);
        protocol::store_be32(out.data(), v);
        return out;
    }
    void write(const std::string& name, const std::vector<uint8_t>& a,
               const std::vector<uint8_t>& b) {
        std::ofstream f(dir_ / name, std::ios::binary);
        f.write(reinterpret_cast<const char*>(a.data()), static_cast<std::streamsize>(a.size()));
        f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    int run(const tools::Args& args, std::string& out, std::string& err) {
        testing::internal::CaptureStdout();
        testing::internal::CaptureStderr();
        const int rc = run_dump_log(args);
        out = testing::internal::GetCapturedStdout();
        err = testing::internal::GetCapturedStderr();
        return rc;
    }

    std::filesystem::path dir_;
    std::vector<uint8_t> first_, second_;
};

TEST_F(DumpLogCommand, LogIndexAndTimeIndex) {
    std::string out, err;
    const std::string log = path("00000000000000000100.log");
    const std::string index = path("00000000000000000100.index");
    const std::string time_index = path("00000000000000000100.timeindex");
    ASSERT_EQ(run({"--files", log + "," + index + "," + time_index, "--print-data-log"}, out, err),
              0);
    const std::string second_at = std::to_string(first_.size());
    EXPECT_NE(out.find("Dumping " + log +
                       "\nStarting offset: 100\nbaseOffset: 100 lastOffset: "
                       "102 count: 3 "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\n| offset: 105 CreateTime: 1002 keySize: 2 valueSize: -1 sequence: -1 "
                       "headerKeys: [] key: k3\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("baseOffset: 103 lastOffset: 105 count: 3 baseSequence: -1 lastSequence: "
                       "-1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 3 "
                       "isTransactional: false isControl: false position: " +
                       second_at + " "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Dumping " + index +
                       "\noffset: 102 position: 0\noffset: 104 position: " + second_at + "\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Dumping " + time_index +
                       "\ntimestamp: 1005 offset: 102\ntimestamp: 1005 offset: 105\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(err, "Mismatches in :" + index + "\n  Index offset: 104, log offset: 105\n" +
                       "Found out of order timestamp in :" + time_index +
                       "\n  Index timestamp: 1005, Previously indexed timestamp: 1005\n");
}

TEST_F(DumpLogCommand, VerifyOnlyAndSanityCheck) {
    std::string out, err;
    const std::string index = path("00000000000000000100.index");
    ASSERT_EQ(run({"--files", index, "--verify-index-only"}, out, err), 0);
    EXPECT_EQ(out, "Dumping " + index + "\n");
    EXPECT_NE(err.find("Index offset: 104, log offset: 105"), std::string::npos);
    ASSERT_EQ(run({"--files", index, "--index-sanity-check"}, out, err), 0);
    EXPECT_EQ(out, "Dumping " + index + "\n" + index + " passed sanity check.\n");
}

TEST_F(DumpLogCommand, TrailingBytesAndUnknownFiles) {
    std::ofstream(path("00000000000000000100.log"), std::ios::binary | std::ios::app) << "junk";
    std::string out, err;
    ASSERT_EQ(
        run({"--files", path("00000000000000000100.log") + "," + path("x.snapshot")}, out, err), 0);
    EXPECT_NE(out.find("Found 4 invalid bytes at the end of 00000000000000000100.log\n"),
              std::string::npos);
    EXPECT_EQ(out.find("| offset:"), std::string::npos);  // shallow without the flags
    EXPECT_EQ(err, "Ignoring unknown file " + path("x.snapshot") + "\n");
}

TEST_F(DumpLogCommand, AMissingFileIsReportedAsJavaReportsIt) {
    std::string out, err;
    const std::string index = path("00000000000000000200.index");
    EXPECT_EQ(run({"--files", index}, out, err), 1);
    EXPECT_EQ(out, "Dumping " + index + "\n");
    EXPECT_EQ(err, "Error: " + path("00000000000000000200.log") + " (No such file or directory)\n");
}

TEST_F(DumpLogCommand, FilesIsRequired) {
    std::string out, err;
    EXPECT_EQ(run({"--print-data-log"}, out, err), 1);
    EXPECT_NE(err.find("Missing required argument \"[files]\""), std::string::npos);
}

}  // namespace
}  // namespace samsa::admin
