// samsa-admin log-dirs and delete-records: Kafka 2.8's LogDirsCommand JSON and
// DeleteRecordsCommand offset file and lines, and their command-line checks.

#include "tools/admin/admin_commands.h"
#include "tools/admin/delete_records.h"
#include "tools/admin/kafka_exceptions.h"
#include "tools/admin/log_dirs.h"
#include "tools/admin/tool_support.h"

#include <gtest/gtest.h>

namespace samsa::admin {
namespace {

// Runs a subcommand that must stop before reaching any broker; returns (status, stderr).
std::pair<int, std::string> run(int (*command)(const tools::Args&), const tools::Args& args) {
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const int rc = command(args);
    std::string err = testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    return {rc, err};
}

TEST(LogDirs, KafkasJsonDocument) {
    std::vector<BrokerLogDirs> brokers = {
        {2, {{"/d2", std::nullopt, {{"b", 0, 10, 0, false}}}}},
        {1,
         {{"/d1",
           std::nullopt,
           {{"t", 1, 200, 3, false}, {"t", 0, 100, 0, false}, {"other", 0, 7, 0, true}}},
          {"/bad", "org.apache.kafka.common.errors.KafkaStorageException", {}}}},
    };
    EXPECT_EQ(
        log_dirs_json(brokers, {}),
        R"({"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/d1","error":null,)"
        R"("partitions":[{"partition":"other-0","size":7,"offsetLag":0,"isFuture":true},)"
        R"({"partition":"t-0","size":100,"offsetLag":0,"isFuture":false},)"
        R"({"partition":"t-1","size":200,"offsetLag":3,"isFuture":false}]},)"
        R"({"logDir":"/bad","error":"org.apache.kafka.common.errors.KafkaStorageException",)"
        R"("partitions":[]}]},{"broker":2,"logDirs":[{"logDir":"/d2","error":null,)"
        R"("partitions":[{"partition":"b-0","size":10,"offsetLag":0,"isFuture":false}]}]}]})");
    EXPECT_EQ(log_dirs_json({brokers[0]}, {"t"}),
              R"({"version":1,"brokers":[{"broker":2,"logDirs":[{"logDir":"/d2","error":null,)"
              R"("partitions":[]}]}]})");
}

TEST(LogDirs, ListsDropEmptyPieces) {
    EXPECT_EQ(split_list("a,,b,"), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(split_list("").empty());
}

TEST(LogDirs, CommandLineChecks) {
    auto [rc, err] = run(run_log_dirs, {"--bootstrap-server", "h:1"});
    EXPECT_EQ(rc, 1);
    EXPECT_NE(err.find("Missing required argument \"[describe]\""), std::string::npos) << err;
    std::tie(rc, err) = run(run_log_dirs, {"--describe"});
    EXPECT_EQ(rc, 1);
    EXPECT_NE(err.find("Missing required argument \"[bootstrap-server]\""), std::string::npos);
    std::tie(rc, err) = run(run_log_dirs, {"--help"});
    EXPECT_EQ(rc, 0);
    std::tie(rc, err) =
        run(run_log_dirs, {"--bootstrap-server", "h:1", "--describe", "--broker-list", "1,x"});
    EXPECT_EQ(rc, 1);
    EXPECT_NE(err.find("For input string: \"x\""), std::string::npos) << err;
}

TEST(DeleteRecords, OffsetJson) {
    const auto r = parse_offset_json(R"({"partitions":[{"topic":"t","partition":0,"offset":3},)"
                                     R"({"topic":"t","partition":1,"offset":-1}],"version":1})");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].topic, "t");
    EXPECT_EQ(r[0].offset, 3);
    EXPECT_EQ(r[1].partition, 1);
    EXPECT_EQ(r[1].offset, -1);
    // No version: Kafka's earliest, 1.
    EXPECT_EQ(parse_offset_json(R"({"partitions":[]})").size(), 0u);
}

TEST(DeleteRecords, OffsetJsonErrors) {
    auto message = [](const std::string& text) {
        try {
            parse_offset_json(text);
        } catch (const ToolError& e) {
            return e.message;
        }
        return std::string();
    };
    EXPECT_EQ(message("{not json"), "The input string is not a valid JSON");
    EXPECT_EQ(message(R"({"version":1})"), "Missing partitions field");
    EXPECT_EQ(message(R"({"version":2,"partitions":[]})"), "Not supported version field value 2");
    EXPECT_EQ(message(R"({"partitions":[{"topic":"t","partition":0,"offset":1},)"
                      R"({"topic":"t","partition":0,"offset":2}]})"),
              "Offset json file contains duplicate topic partitions: t-0");
}

TEST(DeleteRecords, KafkasLines) {
    EXPECT_EQ(delete_records_line("t", 0, 42, ""), "partition: t-0\tlow_watermark: 42");
    EXPECT_EQ(delete_records_line("t", 1, std::nullopt, kafka_exception_text(1, std::nullopt)),
              "partition: t-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: "
              "The requested offset is not within the range of offsets maintained by the "
              "server.");
    EXPECT_EQ(exception_class(3), "UnknownTopicOrPartitionException");
    EXPECT_EQ(exception_class(6), "NotLeaderOrFollowerException");
    EXPECT_EQ(exception_class(29), "TopicAuthorizationException");
    EXPECT_EQ(exception_class(40), "InvalidConfigurationException");
    EXPECT_EQ(exception_class(56), "KafkaStorageException");
}

TEST(DeleteRecords, CommandLineChecks) {
    auto [rc, err] = run(run_delete_records, {"--bootstrap-server", "h:1"});
    EXPECT_EQ(rc, 1);
    EXPECT_NE(err.find("Missing required argument \"[offset-json-file]\""), std::string::npos);
    std::tie(rc, err) = run(run_delete_records, {"--help"});
    EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace samsa::admin
