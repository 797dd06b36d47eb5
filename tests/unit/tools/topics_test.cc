#include "tools/admin/option_checks.h"
#include "tools/admin/topics_describe.h"
#include "tools/admin/topics_options.h"

#include <gtest/gtest.h>

namespace samsa::admin {
namespace {

// Parses `args`; returns the exit status (-1: go on) and leaves stderr in `err`.
int parse(const tools::Args& args, TopicsOptions& o, std::string* err = nullptr) {
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const int rc = parse_topics_options(args, o);
    const std::string e = testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    if (err != nullptr) {
        *err = e;
    }
    return rc;
}

TEST(TopicsOptions, CreateTakesTheKafkaFlags) {
    TopicsOptions o;
    ASSERT_EQ(parse({"--bootstrap-server", "h:1", "--create", "--topic", "t", "--partitions", "3",
                     "--replication-factor", "2", "--config", "retention.ms = 1000", "--config",
                     "cleanup.policy=compact", "--if-not-exists"},
                    o),
              -1);
    EXPECT_TRUE(o.create);
    EXPECT_EQ(o.topic, "t");
    EXPECT_EQ(o.partitions, 3);
    EXPECT_EQ(o.replication_factor, 2);
    ASSERT_EQ(o.configs.size(), 2u);
    EXPECT_EQ(o.configs[0], (std::pair<std::string, std::string>{"retention.ms", "1000"}));
    EXPECT_TRUE(o.if_not_exists);
}

TEST(TopicsOptions, ExactlyOneAction) {
    TopicsOptions o;
    std::string err;
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--list", "--describe"}, o, &err), 1);
    EXPECT_NE(err.find("Command must include exactly one action: --list, --describe, --create, "
                       "--alter or --delete"),
              std::string::npos);
}

TEST(TopicsOptions, KafkasChecks) {
    TopicsOptions o;
    std::string err;
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--delete"}, o, &err), 1);
    EXPECT_NE(err.find("Missing required argument \"[topic]\""), std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--alter", "--topic", "t"}, o, &err), 1);
    EXPECT_NE(err.find("Missing required argument \"[partitions]\""), std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--create", "--topic", "t",
                     "--replica-assignment", "1:2", "--partitions", "1"},
                    o, &err),
              1);
    EXPECT_NE(err.find("Option \"[replica-assignment]\" can't be used with option "
                       "\"[partitions]\""),
              std::string::npos);
    EXPECT_EQ(parse({"--bootstrap-server", "h:1", "--list", "--if-not-exists"}, o, &err), 1);
    EXPECT_EQ(parse({"--create", "--topic", "t"}, o, &err), 1);
    EXPECT_NE(err.find("--bootstrap-server must be specified"), std::string::npos);
    EXPECT_EQ(parse({"--help"}, o), 0);
}

TEST(TopicsOptions, ReplicaAssignment) {
    const auto a = parse_replica_assignment("1:2:3, 2:3:1,3:1:2");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a.at(0), (std::vector<int32_t>{1, 2, 3}));
    EXPECT_EQ(a.at(1), (std::vector<int32_t>{2, 3, 1}));
    EXPECT_THROW(parse_replica_assignment("1:1"), UsageError);
    EXPECT_THROW(parse_replica_assignment("1:2,3"), UsageError);
    EXPECT_THROW(parse_replica_assignment("1:x"), UsageError);
    EXPECT_THROW(parse_topic_config("a=b=c"), UsageError);
    EXPECT_THROW(parse_topic_config("a"), UsageError);
}

PartitionInfo partition(int32_t id, int32_t leader, std::vector<int32_t> replicas,
                        std::vector<int32_t> isr) {
    return PartitionInfo{id, leader, std::move(replicas), std::move(isr)};
}

TEST(TopicsDescribe, KafkasLines) {
    EXPECT_EQ(topic_line("t", 3, 2, std::nullopt),
              "Topic: t\tPartitionCount: 3\tReplicationFactor: 2");
    EXPECT_EQ(topic_line("t", 1, 1, TopicOverrides{{{"a", "1"}, {"b", "2"}}}),
              "Topic: t\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: a=1,b=2");
    EXPECT_EQ(partition_line("t", partition(0, 1, {1, 2, 3}, {1, 3}), nullptr),
              "\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,3");
    EXPECT_EQ(partition_line("t", partition(4, -1, {2}, {}), nullptr),
              "\tTopic: t\tPartition: 4\tLeader: none\tReplicas: 2\tIsr: ");
    PartitionReassignment r{{1, 2, 3}, {3}, {1}};
    EXPECT_EQ(partition_line("t", partition(0, 1, {1, 2, 3}, {1, 2}), &r),
              "\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2"
              "\tAdding Replicas: 3\tRemoving Replicas: 1");
    // Meanwhile the partition has three replicas but is meant to have two.
    EXPECT_EQ(replication_factor(partition(0, 1, {1, 2, 3}, {1, 2}), &r), 2);
    EXPECT_EQ(replication_factor(partition(0, 1, {2, 3}, {2, 3}), nullptr), 2);
}

TEST(TopicsDescribe, ReportFiltersPickPartitions) {
    TopicInfo topic{"t",
                    false,
                    0,
                    {partition(0, 1, {1, 2}, {1, 2}), partition(1, 2, {2, 3}, {2}),
                     partition(2, -1, {3, 1}, {3})}};
    const std::set<int32_t> live{1, 2};
    DescribeFilter all;
    EXPECT_EQ(describe_topic(topic, std::nullopt, {}, live, std::nullopt, all),
              "Topic: t\tPartitionCount: 3\tReplicationFactor: 2\n"
              "\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\n"
              "\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2\n"
              "\tTopic: t\tPartition: 2\tLeader: none\tReplicas: 3,1\tIsr: 3\n");
    DescribeFilter under;
    under.under_replicated = true;
    EXPECT_EQ(describe_topic(topic, std::nullopt, {}, live, std::nullopt, under),
              "\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2\n"
              "\tTopic: t\tPartition: 2\tLeader: none\tReplicas: 3,1\tIsr: 3\n");
    DescribeFilter unavailable;
    unavailable.unavailable = true;
    EXPECT_EQ(describe_topic(topic, std::nullopt, {}, live, std::nullopt, unavailable),
              "\tTopic: t\tPartition: 2\tLeader: none\tReplicas: 3,1\tIsr: 3\n");
    DescribeFilter min_isr;
    min_isr.under_min_isr = true;
    EXPECT_EQ(describe_topic(topic, std::nullopt, {}, live, 2, min_isr),
              "\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2\n"
              "\tTopic: t\tPartition: 2\tLeader: none\tReplicas: 3,1\tIsr: 3\n");
    DescribeFilter overrides;
    overrides.topics_with_overrides = true;
    EXPECT_EQ(describe_topic(topic, std::nullopt, {}, live, std::nullopt, overrides), "");
    EXPECT_EQ(
        describe_topic(topic, TopicOverrides{{{"a", "1"}}}, {}, live, std::nullopt, overrides),
        "Topic: t\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: a=1\n");
}

}  // namespace
}  // namespace samsa::admin
