#include "tools/admin/reassignment_json.h"

#include <gtest/gtest.h>

namespace samsa::admin {
namespace {

TEST(ReassignmentJson, RoundTripInKafkasFormat) {
    const auto a = parse_reassignment(
        R"({"version":1,"partitions":[{"topic":"b","partition":1,"replicas":[3,1]},)"
        R"({"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]})");
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a.at({"b", 1}), (std::vector<int32_t>{3, 1}));
    EXPECT_EQ(format_reassignment(a),
              R"({"version":1,"partitions":[)"
              R"({"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},)"
              R"({"topic":"b","partition":1,"replicas":[3,1],"log_dirs":["any","any"]}]})");
}

std::string failure(const std::string& json) {
    try {
        parse_reassignment(json);
    } catch (const ToolError& e) {
        return e.message;
    }
    return "";
}

TEST(ReassignmentJson, KafkasChecks) {
    EXPECT_EQ(failure(R"({"version":1,"partitions":[]})"),
              "Partition reassignment list cannot be empty");
    EXPECT_EQ(failure(R"({"partitions":[{"topic":"a","partition":0,"replicas":[]}]})"),
              "Partition replica list cannot be empty");
    EXPECT_EQ(failure(R"({"partitions":[{"topic":"a","partition":0,"replicas":[1]},)"
                      R"({"topic":"a","partition":0,"replicas":[2]}]})"),
              "Partition reassignment contains duplicate topic partitions: a-0");
    EXPECT_EQ(failure(R"({"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]})"),
              "Partition replica lists may not contain duplicate entries: a-0 contains multiple "
              "entries for 1");
    EXPECT_NE(failure(R"({"partitions":[{"topic":"a","partition":0,"replicas":[1],)"
                      R"("log_dirs":["/data"]}]})"),
              "");
    EXPECT_NE(failure("not json"), "");
}

TEST(ReassignmentJson, TopicsToMoveAndBrokerList) {
    EXPECT_EQ(parse_topics_to_move(R"({"topics":[{"topic":"x"},{"topic":"y"}],"version":1})"),
              (std::vector<std::string>{"x", "y"}));
    EXPECT_THROW(parse_topics_to_move(R"({"topics":[{"topic":"x"},{"topic":"x"}]})"), ToolError);
    EXPECT_EQ(parse_broker_list("1,2,3"), (std::vector<int32_t>{1, 2, 3}));
    EXPECT_THROW(parse_broker_list("1,,2"), ToolError);
    EXPECT_THROW(parse_broker_list("1,1"), ToolError);
}

}  // namespace
}  // namespace samsa::admin
