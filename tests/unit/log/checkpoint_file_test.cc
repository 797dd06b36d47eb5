#include "broker/log/checkpoint_file.h"

#include "broker/log/broker_metadata_checkpoint.h"
#include "broker/log/errc.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

namespace samsa::log::test {
namespace {

class CheckpointFileTest : public ::testing::Test {
  protected:
    void write_text(const std::string& path, const std::string& text) {
        write_file_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
    }
    TempDir dir_;
};

TEST_F(CheckpointFileTest, WrittenOffsetsReadBack) {
    CheckpointFile file(dir_ / "recovery-point-offset-checkpoint");
    OffsetMap offsets{{{"orders", 0}, 1834}, {{"orders", 1}, 17}, {{"a-b", 12}, 0}};
    ASSERT_TRUE(file.write(offsets));
    auto read = file.read();
    ASSERT_TRUE(read);
    EXPECT_EQ(read.value(), offsets);
    auto bytes = read_file_bytes(file.path());
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()).substr(0, 4), "0\n3\n");
}

TEST_F(CheckpointFileTest, KafkasOwnFileParses) {
    write_text(dir_ / "cp", "0\n2\norders 0 1834\norders 1 17\n");
    auto read = CheckpointFile(dir_ / "cp").read();
    ASSERT_TRUE(read);
    EXPECT_EQ(read.value().at({"orders", 0}), 1834);
}

TEST_F(CheckpointFileTest, MissingFileReadsAsEmpty) {
    auto read = CheckpointFile(dir_ / "none").read();
    ASSERT_TRUE(read);
    EXPECT_TRUE(read.value().empty());
}

TEST_F(CheckpointFileTest, MalformedFilesAreCorruptCheckpoint) {
    for (const char* text :
         {"1\n0\n", "0\n2\norders 0 1\n", "0\n1\norders zero 1\n", "0\nx\n", "0\n1\norders 0\n"}) {
        write_text(dir_ / "cp", text);
        auto read = CheckpointFile(dir_ / "cp").read();
        ASSERT_FALSE(read) << text;
        EXPECT_EQ(read.error(), make_error_code(Errc::corrupt_checkpoint));
    }
}

TEST_F(CheckpointFileTest, MetaPropertiesRoundTrip) {
    BrokerMetadataCheckpoint file(dir_ / "meta.properties");
    BrokerMetadata meta{3, "4L6g3nShT-eMCtK--X86sw"};
    ASSERT_TRUE(file.write(meta));
    auto read = file.read();
    ASSERT_TRUE(read && read.value());
    EXPECT_EQ(*read.value(), meta);
}

TEST_F(CheckpointFileTest, MetaPropertiesWrittenByKafkaParses) {
    write_text(dir_ / "meta.properties",
               "#\n#Tue Mar 04 10:00:00 UTC 2025\ncluster.id=abc\nversion=0\nbroker.id=7\n");
    auto read = BrokerMetadataCheckpoint(dir_ / "meta.properties").read();
    ASSERT_TRUE(read && read.value());
    EXPECT_EQ(read.value()->broker_id, 7);
    EXPECT_EQ(read.value()->cluster_id, "abc");
}

TEST_F(CheckpointFileTest, MetaPropertiesWithBadVersionIsCorrupt) {
    write_text(dir_ / "meta.properties", "version=1\nbroker.id=7\n");
    EXPECT_FALSE(BrokerMetadataCheckpoint(dir_ / "meta.properties").read());
}

}  // namespace
}  // namespace samsa::log::test
