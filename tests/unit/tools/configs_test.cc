// samsa-admin configs for topics and brokers: Kafka 2.8's ConfigCommand flags, checks and
// output lines (no cluster: it.tools_configs runs the script against real brokers).

#include "tools/admin/configs_options.h"
#include "tools/admin/topics_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace samsa::tools {
namespace {

std::string parse_error(const Args& args) {
    try {
        parse_configs_options(args);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

const Args kServer = {"--bootstrap-server", "h:1"};

Args with_server(Args rest) {
    Args out = kServer;
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

TEST(ConfigsOptions, TopicAlterWithEntityFlags) {
    const auto o = parse_configs_options(
        with_server({"--alter", "--entity-type", "topics", "--entity-name", "t", "--add-config",
                     "retention.ms=1000, cleanup.policy = [compact,delete]", "--delete-config",
                     "segment.bytes,segment.ms", "--delete-config", "flush.ms"}));
    EXPECT_TRUE(o.alter);
    EXPECT_EQ(o.entity_type, "topics");
    EXPECT_EQ(o.entity_name, "t");
    EXPECT_EQ(o.configs_to_add,
              (std::map<std::string, std::string>{{"retention.ms", "1000"},
                                                  {"cleanup.policy", "compact,delete"}}));
    EXPECT_EQ(o.configs_to_delete,
              (std::vector<std::string>{"segment.bytes", "segment.ms", "flush.ms"}));
}

TEST(ConfigsOptions, Shorthands) {
    auto o = parse_configs_options(with_server({"--describe", "--topic", "t", "--all"}));
    EXPECT_EQ(o.entity_type, "topics");
    EXPECT_EQ(o.entity_name, "t");
    EXPECT_TRUE(o.all);
    o = parse_configs_options(with_server({"--alter", "--broker", "2", "--add-config", "a=b"}));
    EXPECT_EQ(o.entity_type, "brokers");
    EXPECT_EQ(o.entity_name, "2");
    o = parse_configs_options(
        with_server({"--alter", "--broker-defaults", "--delete-config", "log.retention.ms"}));
    EXPECT_EQ(o.entity_type, "brokers");
    EXPECT_FALSE(o.entity_name);
    EXPECT_TRUE(o.entity_default);
    o = parse_configs_options(
        with_server({"--alter", "--entity-type", "brokers", "--entity-default", "--add-config",
                     "message.max.bytes=2000"}));
    EXPECT_TRUE(o.entity_default);
    EXPECT_EQ(o.configs_to_add.at("message.max.bytes"), "2000");
}

TEST(ConfigsOptions, EmptyValueAndBadEntries) {
    EXPECT_EQ(parse_configs_to_add("ssl.endpoint.identification.algorithm=")
                  .at("ssl.endpoint.identification.algorithm"),
              "");
    EXPECT_THROW(parse_configs_to_add("a=b=c"), std::invalid_argument);
    EXPECT_THROW(parse_configs_to_add("novalue"), std::invalid_argument);
    EXPECT_EQ(parse_error(with_server({"--alter", "--topic", "t", "--add-config", "x"})),
              "requirement failed: Invalid entity config: all configs to be added must be in the "
              "format \"key=val\".");
}

TEST(ConfigsOptions, KafkasChecks) {
    EXPECT_EQ(parse_error(with_server({"--topic", "t"})),
              "Command must include exactly one action: --describe, --alter");
    EXPECT_EQ(parse_error(with_server({"--alter", "--entity-type", "topics"})),
              "an entity name must be specified with --alter of topics");
    EXPECT_EQ(parse_error(with_server({"--alter", "--topic", "", "--add-config", "a=b"})),
              "an entity name must be specified with --alter of topics");
    EXPECT_EQ(parse_error({"--zookeeper", "h:2181", "--alter", "--entity-type", "users",
                           "--entity-name", "", "--delete-config", "SCRAM-SHA-256"}),
              "--entity-name must be specified with --alter of users");
    EXPECT_EQ(
        parse_error(with_server({"--alter", "--entity-type", "brokers", "--add-config", "a=b"})),
        "an entity-name or default entity must be specified with --alter of users, "
        "clients or brokers");
    EXPECT_EQ(parse_error(with_server({"--alter", "--topic", "t"})),
              "At least one of --add-config, --add-config-file, or --delete-config must be "
              "specified with --alter");
    EXPECT_EQ(parse_error(with_server(
                  {"--alter", "--topic", "t", "--add-config", "a=b", "--add-config-file", "f"})),
              "Only one of --add-config or --add-config-file must be specified");
    EXPECT_EQ(parse_error(with_server({"--describe", "--broker", "one"})),
              "The entity name for brokers must be a valid integer broker id, but it is: one");
    EXPECT_EQ(parse_error(with_server({"--describe", "--entity-type", "topics", "--topic", "t"})),
              "Duplicate entity type(s) specified: topics");
    EXPECT_EQ(parse_error(with_server({"--describe", "--entity-type", "topics", "--broker", "1"})),
              "Only 'users' and 'clients' entity types may be specified together");
    EXPECT_EQ(parse_error(with_server({"--describe", "--entity-name", "x", "--topic", "t"})),
              "--entity-{type,name,default} should not be used in conjunction with specific "
              "entity flags");
    EXPECT_EQ(parse_error(with_server({"--describe", "--entity-type", "clients"})),
              "Invalid entity type clients, the entity type must be one of users, topics, "
              "brokers");
    EXPECT_EQ(parse_error(with_server({"--describe"})),
              "At least one entity type must be specified");
    EXPECT_EQ(parse_error(with_server({"--describe", "--topic", "t", "--add-config", "a=b"})),
              "Option \"[describe]\" can't be used with option \"[add-config]\"");
    EXPECT_NE(parse_error({"--zookeeper", "h:2181", "--describe", "--topic", "t"})
                  .find("--bootstrap-server must be specified for entity-type topics"),
              std::string::npos);
}

TEST(ConfigsOptions, UsersStillReadScramCredentials) {
    const auto o = parse_configs_options({"--zookeeper", "h:2181", "--alter", "--add-config",
                                          "SCRAM-SHA-256=[iterations=8192,password=pw]",
                                          "--entity-type", "users", "--entity-name", "alice",
                                          "--delete-config", "SCRAM-SHA-512"});
    ASSERT_EQ(o.additions.size(), 1u);
    EXPECT_EQ(o.additions.begin()->second.iterations, 8192);
    EXPECT_EQ(o.additions.begin()->second.password, "pw");
    EXPECT_EQ(o.deletions.size(), 1u);
    EXPECT_TRUE(o.configs_to_add.empty());
}

TEST(ConfigsOptions, AddConfigFileIsAPropertiesFile) {
    const std::string path = testing::TempDir() + "configs_test.properties";
    {
        std::ofstream f(path);
        f << "# a comment\n! another\n\nretention.ms = 5000\nsegment.bytes: 1024\n";
    }
    const auto o =
        parse_configs_options(with_server({"--alter", "--topic", "t", "--add-config-file", path}));
    EXPECT_EQ(o.configs_to_add, (std::map<std::string, std::string>{{"retention.ms", "5000"},
                                                                    {"segment.bytes", "1024"}}));
    std::remove(path.c_str());
    EXPECT_THROW(
        parse_configs_options(with_server({"--alter", "--topic", "t", "--add-config-file", path})),
        std::invalid_argument);
}

TEST(ConfigsFormat, KafkasLines) {
    ConfigEntryView e{"retention.ms",
                      "1000",
                      false,
                      1,
                      {{"retention.ms", "1000", 1}, {"log.retention.hours", "168", 4}}};
    EXPECT_EQ(
        config_entry_line(e),
        "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, "
        "STATIC_BROKER_CONFIG:log.retention.hours=168}");
    ConfigEntryView secret{"ssl.keystore.password",
                           std::nullopt,
                           true,
                           4,
                           {{"ssl.keystore.password", std::nullopt, 4}}};
    EXPECT_EQ(config_entry_line(secret),
              "  ssl.keystore.password=null sensitive=true "
              "synonyms={STATIC_BROKER_CONFIG:ssl.keystore.password=null}");
    EXPECT_EQ(config_entry_line({"a", "b", false, 5, {}}), "  a=b sensitive=false synonyms={}");
    EXPECT_EQ(config_source_name(2), "DYNAMIC_BROKER_CONFIG");
    EXPECT_EQ(config_source_name(3), "DYNAMIC_DEFAULT_BROKER_CONFIG");
    EXPECT_EQ(config_source_name(5), "DEFAULT_CONFIG");

    EXPECT_EQ(describe_header("topics", "t", false), "Dynamic configs for topic t are:");
    EXPECT_EQ(describe_header("brokers", "1", true), "All configs for broker 1 are:");
    EXPECT_EQ(describe_header("brokers", "", false),
              "Default configs for brokers in the cluster are:");
    EXPECT_EQ(completed_line("topics", "t"), "Completed updating config for topic t.");
    EXPECT_EQ(completed_line("brokers", "1"), "Completed updating config for broker 1.");
    EXPECT_EQ(completed_line("brokers", std::nullopt),
              "Completed updating default config for brokers in the cluster.");
}

// Item 2 of the operator tools: kafka-topics.sh --alter --config refuses with --bootstrap-server.
TEST(TopicsOptions, AlterConfigPointsToTheConfigsTool) {
    admin::TopicsOptions o;
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    const int rc = admin::parse_topics_options(
        {"--bootstrap-server", "h:1", "--alter", "--topic", "t", "--config", "retention.ms=1"}, o);
    const std::string err = testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    EXPECT_EQ(rc, 1);
    EXPECT_NE(err.find("Option combination \"[bootstrap-server],[config]\" can't be used with "
                       "option \"[alter]\" (the kafka-configs CLI supports altering topic "
                       "configs with a --bootstrap-server option)"),
              std::string::npos)
        << err;
}

}  // namespace
}  // namespace samsa::tools
