#include "tools/admin/tool_support.h"

#include "tools/admin/group_admin.h"

#include <gtest/gtest.h>

namespace samsa::admin {
namespace {

TEST(IncludeList, KafkasRegexRules) {
    const std::vector<std::string> all{"__consumer_offsets", "orders", "orders-eu", "payments"};
    EXPECT_EQ(select_topics(all, std::nullopt, false), all);
    EXPECT_EQ(select_topics(all, std::nullopt, true),
              (std::vector<std::string>{"orders", "orders-eu", "payments"}));
    // Whole-name match; a comma means "or"; quotes and spaces are dropped.
    EXPECT_EQ(select_topics(all, "orders", false), (std::vector<std::string>{"orders"}));
    EXPECT_EQ(select_topics(all, "orders.*", false),
              (std::vector<std::string>{"orders", "orders-eu"}));
    EXPECT_EQ(select_topics(all, "'orders, payments'", false),
              (std::vector<std::string>{"orders", "payments"}));
    EXPECT_EQ(select_topics(all, "__.*", true), std::vector<std::string>{});
    EXPECT_THROW(IncludeList("orders["), ToolError);
}

TEST(ConsumerAssignment, ParsesTheConsumerProtocol) {
    // version 1, [("ab", [0, 2])], user data null
    const std::vector<uint8_t> bytes{0, 1, 0, 0, 0, 1, 0, 2, 'a', 'b', 0,   0,   0,
                                     2, 0, 0, 0, 0, 0, 0, 0, 2,   255, 255, 255, 255};
    EXPECT_EQ(parse_consumer_assignment(bytes),
              (std::vector<TopicPartition>{{"ab", 0}, {"ab", 2}}));
    EXPECT_TRUE(parse_consumer_assignment({}).empty());
    EXPECT_TRUE(parse_consumer_assignment({0, 1, 0, 0, 0, 9}).empty());
    EXPECT_EQ(join_ids({3, 1, 2}), "3,1,2");
}

TEST(ErrorMessage, BrokersOwnTextFirst) {
    EXPECT_EQ(error_message(36, std::string("Topic 't' already exists.")),
              "Topic 't' already exists.");
    EXPECT_EQ(error_message(36, std::nullopt), "Topic with this name already exists.");
}

}  // namespace
}  // namespace samsa::admin
