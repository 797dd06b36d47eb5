// PartitionMetadataFile: <partition dir>/partition.metadata as Kafka 2.8 writes and reads it.
#include "broker/log/partition_metadata_file.h"

#include "broker/log/errc.h"
#include "tests/unit/log/log_fixture.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kId = "vGnGEbmNQ5SrHOqj7yc8Ng";

class PartitionMetadataFileTest : public ::testing::Test {
  protected:
    std::string path() const { return dir_ / kPartitionMetadataFile; }
    void write_text(const std::string& text) {
        write_file_bytes(path(), std::vector<uint8_t>(text.begin(), text.end()));
    }
    std::string text() const {
        auto bytes = read_file_bytes(path());
        return {bytes.begin(), bytes.end()};
    }

    TempDir dir_;
};

TEST_F(PartitionMetadataFileTest, WriteProducesKafkasExactBytes) {
    ASSERT_TRUE(PartitionMetadataFile(path()).write(kId));
    EXPECT_EQ(text(), std::string("version: 0\ntopic_id: ") + kId);
    EXPECT_FALSE(fs::exists(path() + ".tmp"));
}

TEST_F(PartitionMetadataFileTest, WrittenIdReadsBack) {
    PartitionMetadataFile file(path());
    ASSERT_TRUE(file.write(kId));
    auto read = file.read();
    ASSERT_TRUE(read) << read.error().message();
    EXPECT_EQ(read.value(), kId);
}

TEST_F(PartitionMetadataFileTest, TrailingNewlineAndExtraSpacesAreAccepted) {
    write_text(std::string("version:  0\ntopic_id:\t") + kId + "\n");
    auto read = PartitionMetadataFile(path()).read();
    ASSERT_TRUE(read) << read.error().message();
    EXPECT_EQ(read.value(), kId);
}

TEST_F(PartitionMetadataFileTest, MissingOrEmptyFileHasNoId) {
    auto missing = PartitionMetadataFile(path()).read();
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing.value(), std::nullopt);
    write_text("");  // Kafka 2.8 creates the file empty when it opens the log
    auto empty = PartitionMetadataFile(path()).read();
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty.value(), std::nullopt);
}

TEST_F(PartitionMetadataFileTest, MalformedFilesAreCorrupt) {
    for (std::string bad :
         {std::string("version: 1\ntopic_id: ") + kId, std::string("version: 0"),
          std::string("version:0\ntopic_id: ") + kId, std::string("version: 0\ntopicid: ") + kId,
          std::string("version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA"),
          std::string("version: 0\ntopic_id: vGnGEbmNQ5SrHOqj7yc8N"),
          std::string("version: 0\ntopic_id: vGnGEbmNQ5SrHOqj7yc8Nh"),
          std::string("version: 0\ntopic_id: vGnGEbmNQ5SrHOqj7yc8N=")}) {
        write_text(bad);
        auto read = PartitionMetadataFile(path()).read();
        ASSERT_FALSE(read) << bad;
        EXPECT_EQ(read.error(), make_error_code(Errc::corrupt_checkpoint)) << bad;
    }
}

TEST_F(PartitionMetadataFileTest, OnlyCanonicalNonZeroIdsAreValid) {
    EXPECT_TRUE(is_valid_topic_id(kId));
    EXPECT_TRUE(is_valid_topic_id("-_-_-_-_-_-_-_-_-_-_-w"));
    EXPECT_FALSE(is_valid_topic_id("AAAAAAAAAAAAAAAAAAAAAA"));  // the zero id: "no id"
    EXPECT_FALSE(is_valid_topic_id("vGnGEbmNQ5SrHOqj7yc8Nh"));  // stray bits in the last char
    EXPECT_FALSE(is_valid_topic_id("vGnGEbmNQ5SrHOqj7yc8N+"));  // base64, not base64url
    EXPECT_FALSE(is_valid_topic_id(""));
    EXPECT_FALSE(PartitionMetadataFile(path()).write("not-an-id"));
    EXPECT_FALSE(fs::exists(path()));
}

class LogTopicIdTest : public LogFixture {};

TEST_F(LogTopicIdTest, TopicIdIsWrittenAndReadBackAtOpen) {
    auto log = open_log();
    EXPECT_EQ(log->topic_id(), std::nullopt);
    ASSERT_TRUE(log->set_topic_id(kId));
    EXPECT_EQ(log->topic_id(), kId);
    EXPECT_TRUE(fs::exists(log_dir() + "/" + kPartitionMetadataFile));
    ASSERT_TRUE(log->close());
    log.reset();
    log = open_log();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->topic_id(), kId);
}

TEST_F(LogTopicIdTest, InvalidIdIsRefusedAndNotRecorded) {
    auto log = open_log();
    EXPECT_FALSE(log->set_topic_id("AAAAAAAAAAAAAAAAAAAAAA"));
    EXPECT_EQ(log->topic_id(), std::nullopt);
}

}  // namespace
}  // namespace samsa::log::test
