// LogLoader: recovery after an unclean shutdown, index rebuilds, leftovers (ZK-MODE.md §d).
#include "broker/log/file_util.h"
#include "common/logging.h"
#include "tests/unit/log/log_fixture.h"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

class LogRecoveryTest : public LogFixture {
  protected:
    std::string segment_file(int64_t base, const std::string& suffix) const {
        return log_dir() + "/" + offset_file_name(base, suffix);
    }
    // Writes `batches` batches of 2 records and closes the log; returns each batch's
    // end position in the first segment.
    std::vector<int64_t> write_and_close(int batches) {
        auto log = open_log();
        std::vector<int64_t> ends;
        for (int i = 0; i < batches; ++i) {
            append(*log, 2, -2, 100);
            ends.push_back(log->size_in_bytes());
        }
        EXPECT_TRUE(log->close());
        return ends;
    }
};

TEST_F(LogRecoveryTest, TornTrailingBatchIsTruncated) {
    auto ends = write_and_close(5);
    fs::resize_file(segment_file(0, ".log"), static_cast<uintmax_t>(ends[3] + 30));
    auto log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 8);
    EXPECT_EQ(fs::file_size(segment_file(0, ".log")), static_cast<uintmax_t>(ends[3]));
    EXPECT_EQ(append(*log, 1), 8);
}

TEST_F(LogRecoveryTest, FlippedByteDropsThatBatchAndEverythingAfterAndLogsIt) {
    config_.segment_bytes = 700;
    auto ends = write_and_close(12);
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
    get_logger("log")->sinks().push_back(sink);
    auto bytes = read_file_bytes(segment_file(0, ".log"));
    ASSERT_GT(bytes.size(), static_cast<size_t>(ends[0] + 70));
    bytes[static_cast<size_t>(ends[0] + 70)] ^= 0xFF;  // inside the second batch's records
    write_file_bytes(segment_file(0, ".log"), bytes);

    auto log = open_log(/*clean=*/false);
    get_logger("log")->sinks().pop_back();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 2);
    EXPECT_EQ(log->number_of_segments(), 1u);
    EXPECT_FALSE(fs::exists(segment_file(4, ".log")));
    std::string logged;
    for (const auto& line : sink->last_formatted()) {
        logged += line;
    }
    EXPECT_NE(logged.find("CRC mismatch"), std::string::npos) << logged;
    EXPECT_NE(logged.find("deletes later segment"), std::string::npos) << logged;
}

TEST_F(LogRecoveryTest, MissingIndexIsRebuilt) {
    config_.index_interval_bytes = 100;
    write_and_close(20);
    fs::remove(segment_file(0, ".index"));
    fs::remove(segment_file(0, ".timeindex"));
    auto log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 40);
    ASSERT_TRUE(log->close());
    EXPECT_GT(fs::file_size(segment_file(0, ".index")), 0u);
    EXPECT_GT(fs::file_size(segment_file(0, ".timeindex")), 0u);
}

TEST_F(LogRecoveryTest, CorruptIndexIsRebuilt) {
    config_.index_interval_bytes = 100;
    write_and_close(20);
    auto index = read_file_bytes(segment_file(0, ".index"));
    ASSERT_GE(index.size(), 16u);
    std::fill(index.end() - 8, index.end(), 0);  // the last entry goes backwards
    write_file_bytes(segment_file(0, ".index"), index);
    auto log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    for (int64_t offset = 0; offset < 40; offset += 3) {
        auto data = log->read(offset, 1, 40, true);
        ASSERT_TRUE(data);
        auto batches = batch_offsets(bytes_of(data.value()));
        ASSERT_EQ(batches.size(), 1u);
        EXPECT_LE(batches[0].first, offset);
        EXPECT_GE(batches[0].second, offset);
    }
}

TEST_F(LogRecoveryTest, CleanShutdownSkipsRecovery) {
    auto ends = write_and_close(3);
    auto bytes = read_file_bytes(segment_file(0, ".log"));
    bytes[static_cast<size_t>(ends[1] + 70)] ^= 0xFF;  // corrupt the last batch
    write_file_bytes(segment_file(0, ".log"), bytes);
    auto log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 6) << "not re-validated after a clean shutdown";
}

TEST_F(LogRecoveryTest, RecoveryStartsAtTheRecoveryPointSegment) {
    config_.segment_bytes = 700;
    write_and_close(12);
    // Corrupt the first segment, but recover only from the last one.
    auto bytes = read_file_bytes(segment_file(0, ".log"));
    bytes[100] ^= 0xFF;
    write_file_bytes(segment_file(0, ".log"), bytes);
    auto log = open_log(/*clean=*/false, /*recovery_point=*/22);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 24);
}

TEST_F(LogRecoveryTest, LeftoverDeletedAndSwapFilesAreRemoved) {
    write_and_close(2);
    write_file_bytes(log_dir() + "/00000000000000000100.log.deleted", {1, 2, 3});
    write_file_bytes(log_dir() + "/00000000000000000100.index.swap", {1});
    write_file_bytes(log_dir() + "/00000000000000000500.index", {});
    auto log = open_log();
    ASSERT_TRUE(log);
    EXPECT_FALSE(fs::exists(log_dir() + "/00000000000000000100.log.deleted"));
    EXPECT_FALSE(fs::exists(log_dir() + "/00000000000000000100.index.swap"));
    EXPECT_FALSE(fs::exists(log_dir() + "/00000000000000000500.index"));
    EXPECT_EQ(log->log_end_offset(), 4);
}

}  // namespace
}  // namespace samsa::log::test
