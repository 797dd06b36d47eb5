#include "broker/server/properties_file.h"

#include "broker/server/kafka_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace samsa::server {
namespace {

using KV = std::pair<std::string, std::string>;

TEST(PropertiesFileTest, AcceptsEqualsColonAndBlankSeparators) {
    EXPECT_EQ(parse_properties("a=1\nb: 2\nc 3\nd = 4\ne\t:\t5\n"),
              (Properties{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}}));
}

TEST(PropertiesFileTest, SkipsCommentsAndBlankLines) {
    EXPECT_EQ(parse_properties("# comment\n! also comment\n\n   \n  # indented\nk=v\n"),
              (Properties{{"k", "v"}}));
}

TEST(PropertiesFileTest, DropsLeadingWhitespaceButKeepsTrailing) {
    EXPECT_EQ(parse_properties("   key=value  \n"), (Properties{{"key", "value  "}}));
}

TEST(PropertiesFileTest, ValueMayContainSeparators) {
    EXPECT_EQ(parse_properties("sasl.jaas.config=a b=c; d:e\nurl = x=y#z\n"),
              (Properties{{"sasl.jaas.config", "a b=c; d:e"}, {"url", "x=y#z"}}));
}

TEST(PropertiesFileTest, JoinsContinuationLinesDroppingTheirIndentation) {
    EXPECT_EQ(parse_properties("listeners=PLAINTEXT://:9092,\\\n    SSL://:9093\nnext=1\n"),
              (Properties{{"listeners", "PLAINTEXT://:9092,SSL://:9093"}, {"next", "1"}}));
}

TEST(PropertiesFileTest, EvenNumberOfTrailingBackslashesIsNotAContinuation) {
    EXPECT_EQ(parse_properties("a=x\\\\\nb=y\n"), (Properties{{"a", "x\\"}, {"b", "y"}}));
}

TEST(PropertiesFileTest, CommentLinesDoNotContinue) {
    EXPECT_EQ(parse_properties("# comment \\\nk=v\n"), (Properties{{"k", "v"}}));
}

TEST(PropertiesFileTest, ContinuationAtEndOfFileEndsTheLine) {
    EXPECT_EQ(parse_properties("k=a\\"), (Properties{{"k", "a"}}));
}

TEST(PropertiesFileTest, HandlesCrLfAndCrLineEndings) {
    EXPECT_EQ(parse_properties("a=1\r\nb=2\rc=3"),
              (Properties{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(PropertiesFileTest, DecodesEscapes) {
    EXPECT_EQ(parse_properties("a\\=b\\:c=x\\ty\\u00e9\\#\n"),
              (Properties{{"a=b:c", "x\ty\xc3\xa9#"}}));
}

TEST(PropertiesFileTest, KeyWithoutValueIsEmpty) {
    EXPECT_EQ(parse_properties("lonely\nempty=\n"), (Properties{{"lonely", ""}, {"empty", ""}}));
}

TEST(PropertiesFileTest, MalformedUnicodeEscapeNamesTheLine) {
    try {
        parse_properties("a=1\nb=\\u12x4\n");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(PropertiesFileTest, ReadsAFileAndReportsAMissingOne) {
    auto path = std::filesystem::temp_directory_path() / "samsa_properties_file_test.properties";
    std::ofstream(path) << "broker.id=3\n";
    EXPECT_EQ(read_properties_file(path), (Properties{{"broker.id", "3"}}));
    std::filesystem::remove(path);
    EXPECT_THROW(read_properties_file(path), ConfigError);
}

}  // namespace
}  // namespace samsa::server
