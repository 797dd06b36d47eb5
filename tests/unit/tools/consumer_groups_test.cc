#include "tools/admin/consumer_groups_format.h"
#include "tools/admin/consumer_groups_options.h"

#include <gtest/gtest.h>

namespace samsa::admin {
namespace {

int parse(const tools::Args& args, ConsumerGroupsOptions& o, std::string* err = nullptr) {
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const int rc = parse_consumer_groups_options(args, o);
    const std::string e = testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    if (err != nullptr) {
        *err = e;
    }
    return rc;
}

TEST(ConsumerGroupsOptions, ResetOffsets) {
    ConsumerGroupsOptions o;
    std::string err;
    ASSERT_EQ(parse({"--bootstrap-server", "h:1", "--reset-offsets", "--group", "g", "--topic",
                     "t:0,1", "--shift-by", "-2"},
                    o, &err),
              -1);
    EXPECT_EQ(o.scenario, ResetScenario::shift_by);
    EXPECT_EQ(o.offset_value, -2);
    EXPECT_FALSE(o.execute);  // --dry-run by default, with Kafka's warning
    EXPECT_NE(err.find("WARN: No action will be performed as the --execute option is missing."),
              std::string::npos);
    EXPECT_EQ(o.topics, (std::vector<std::string>{"t:0,1"}));

    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--reset-offsets", "--group", "g",
                     "--to-earliest", "--to-latest", "--execute"},
                    o, &err),
              1);
    EXPECT_NE(err.find("Option \"[to-earliest]\" can't be used with option \"[to-latest]\""),
              std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--reset-offsets", "--to-earliest", "--execute",
                     "--dry-run", "--group", "g"},
                    o, &err),
              1);
    EXPECT_NE(err.find("Option [reset-offsets] only accepts one of [execute] and [dry-run]"),
              std::string::npos);
}

TEST(ConsumerGroupsOptions, KafkasChecks) {
    ConsumerGroupsOptions o;
    std::string err;
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--describe"}, o, &err), 1);
    EXPECT_NE(err.find("Option [describe] takes one of these options: [group], [all-groups]"),
              std::string::npos);
    EXPECT_EQ(
        parse({"--bootstrap-server", "h:1", "--describe", "--group", "g", "--members", "--state"},
              o, &err),
        1);
    EXPECT_NE(err.find("takes at most one of these options"), std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--list", "--group", "g"}, o, &err), 1);
    EXPECT_NE(err.find("Option \"[group]\" can't be used with option \"[list]\""),
              std::string::npos);
    EXPECT_EQ(parse({"--describe", "--group", "g"}, o, &err), 1);
    EXPECT_NE(err.find("Missing required argument \"[bootstrap-server]\""), std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--group", "g"}, o, &err), 1);
    EXPECT_NE(err.find("Command must include exactly one action"), std::string::npos);
}

TEST(ConsumerGroupsOptions, ListStateTakesAnOptionalValue) {
    ConsumerGroupsOptions o;
    ASSERT_EQ(parse({"--bootstrap-server", "h:1", "--list", "--state", "stable,empty"}, o), -1);
    EXPECT_TRUE(o.state);
    EXPECT_EQ(o.state_filter, "stable,empty");
    ConsumerGroupsOptions p;
    ASSERT_EQ(parse({"--bootstrap-server", "h:1", "--list", "--state"}, p), -1);
    EXPECT_TRUE(p.state);
    EXPECT_FALSE(p.state_filter);
}

TEST(ConsumerGroupsOptions, DatetimeAndDuration) {
    EXPECT_EQ(parse_datetime("2021-03-04T05:06:07.089Z"), 1614834367089);
    EXPECT_EQ(parse_datetime("2021-03-04T05:06:07+01:00"), 1614830767000);
    EXPECT_EQ(parse_datetime("2021-03-04T05:06:07.000-0130"), 1614839767000);
    EXPECT_FALSE(parse_datetime("2021-03-04 05:06:07"));
    EXPECT_FALSE(parse_datetime("yesterday"));
    EXPECT_EQ(parse_duration_ms("PT1H"), 3600000);
    EXPECT_EQ(parse_duration_ms("P1DT2M3.5S"), 86400000 + 120000 + 3500);
    EXPECT_EQ(parse_duration_ms("-PT10S"), -10000);
    EXPECT_FALSE(parse_duration_ms("PT"));
    EXPECT_FALSE(parse_duration_ms("1H"));
    EXPECT_FALSE(parse_duration_ms("P1H"));  // hours belong after the T
}

TEST(ConsumerGroupsFormat, OffsetsTable) {
    PartitionAssignmentRow owned{"g", "orders", 0, 3, 10, "consumer-1-abc", "/127.0.0.1", "c1"};
    PartitionAssignmentRow orphan{"g", "orders", 1, std::nullopt, 5, "-", "-", "-"};
    EXPECT_EQ(owned.lag(), 7);
    EXPECT_FALSE(orphan.lag());
    EXPECT_EQ(format_offsets({owned, orphan}),
              "\n"
              "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG    "
              "         CONSUMER-ID     HOST            CLIENT-ID\n"
              "g               orders          0          3               10              7      "
              "         consumer-1-abc  /127.0.0.1      c1\n"
              "g               orders          1          -               5               -      "
              "         -               -               -\n");
}

TEST(ConsumerGroupsFormat, MembersAndState) {
    GroupMember m{"member-1", std::nullopt, "client", "/10.0.0.1", {{"b", 1}, {"a", 2}, {"a", 0}}};
    EXPECT_EQ(format_members("g", {m}, true),
              "\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     "
              "ASSIGNMENT\n"
              "g               member-1        /10.0.0.1       client          3               "
              "a(0,2), b(1)\n");
    GroupDescription d;
    d.group_id = "g";
    d.state = "Stable";
    d.assignment_strategy = "range";
    d.coordinator = BrokerNode{2, "127.0.0.1", 9093};
    d.members = {m};
    EXPECT_EQ(format_state(d),
              "\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE   "
              "        #MEMBERS"
              "\ng                         127.0.0.1:9093 (2)        range                Stable"
              "          1\n");
}

TEST(ConsumerGroupsFormat, ResetPlanAndStates) {
    const std::map<std::string, std::map<TopicPartition, int64_t>> plan{
        {"g", {{{"t", 0}, 5}, {{"t", 1}, 7}}}};
    EXPECT_EQ(format_reset_plan(plan),
              "\nGROUP                          TOPIC                          PARTITION  "
              "NEW-OFFSET     \n"
              "g                              t                              0          5      "
              "        \n"
              "g                              t                              1          7      "
              "        \n");
    EXPECT_EQ(format_reset_plan({}), "");
    EXPECT_EQ(format_reset_csv(plan, false), "t,0,5\nt,1,7\n");
    EXPECT_EQ(format_reset_csv(plan, true), "g,t,0,5\ng,t,1,7\n");
    EXPECT_EQ(format_group_states({{"a", "Stable"}, {"a-much-longer-group", "Empty"}}),
              "GROUP               STATE\n"
              "a                   Stable\n"
              "a-much-longer-group Empty\n");
}

}  // namespace
}  // namespace samsa::admin
