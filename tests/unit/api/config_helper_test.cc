// DescribeConfigs' resolution order (topic > per-broker > cluster default > static > default),
// sensitivity, and the validation and incremental operations of AlterConfigs.

#include "broker/api/config_helper.h"

#include "broker/api/config_admin.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace samsa::api {
namespace {

using server::ConfigMap;
using server::DynamicBrokerConfigs;
using server::KafkaConfig;

KafkaConfig parse(server::Properties extra = {}) {
    server::Properties props{{"zookeeper.connect", "127.0.0.1:2181"}, {"broker.id", "1"}};
    props.insert(props.end(), extra.begin(), extra.end());
    return server::parse_kafka_config(props).config;
}

const DescribedConfig& find(const std::vector<DescribedConfig>& configs, const std::string& name) {
    auto it = std::find_if(configs.begin(), configs.end(),
                           [&](const DescribedConfig& c) { return c.name == name; });
    if (it == configs.end()) {
        throw std::runtime_error("no config " + name);
    }
    return *it;
}

TEST(ConfigHelperTest, TopicConfigWithoutOverridesIsTheDefault) {
    auto configs = describe_topic_configs(parse(), {}, {});
    const auto& retention = find(configs, "retention.ms");
    EXPECT_EQ(retention.value, "604800000");
    EXPECT_EQ(retention.source, ConfigSource::default_config);
    EXPECT_EQ(retention.type, ConfigType::long_type);
    EXPECT_FALSE(retention.read_only);
}

TEST(ConfigHelperTest, TopicOverrideBeatsEveryBrokerLevel) {
    DynamicBrokerConfigs dynamic{{{"log.retention.ms", "1000"}}, {{"log.retention.ms", "2000"}}};
    auto configs = describe_topic_configs(parse({{"log.retention.ms", "3000"}}), dynamic,
                                          {{"retention.ms", "500"}});
    const auto& retention = find(configs, "retention.ms");
    EXPECT_EQ(retention.value, "500");
    EXPECT_EQ(retention.source, ConfigSource::dynamic_topic);
    // Every level where it is set, highest precedence first.
    ASSERT_EQ(retention.synonyms.size(), 5u);
    EXPECT_EQ(retention.synonyms[0].source, ConfigSource::dynamic_topic);
    EXPECT_EQ(retention.synonyms[1].source, ConfigSource::dynamic_broker);
    EXPECT_EQ(retention.synonyms[1].value, "1000");
    EXPECT_EQ(retention.synonyms[2].source, ConfigSource::dynamic_default_broker);
    EXPECT_EQ(retention.synonyms[3].source, ConfigSource::static_broker);
    EXPECT_EQ(retention.synonyms[4].name, "log.retention.hours");  // Kafka's default, 168
    EXPECT_EQ(retention.synonyms[4].source, ConfigSource::default_config);
}

TEST(ConfigHelperTest, PerBrokerBeatsClusterDefaultBeatsStatic) {
    const KafkaConfig config = parse({{"log.segment.bytes", "3000000"}});
    EXPECT_EQ(find(describe_topic_configs(config, {}, {}), "segment.bytes").source,
              ConfigSource::static_broker);
    DynamicBrokerConfigs dynamic;
    dynamic.cluster_default["log.segment.bytes"] = "2000000";
    auto c = find(describe_topic_configs(config, dynamic, {}), "segment.bytes");
    EXPECT_EQ(c.value, "2000000");
    EXPECT_EQ(c.source, ConfigSource::dynamic_default_broker);
    dynamic.per_broker["log.segment.bytes"] = "1000000";
    c = find(describe_topic_configs(config, dynamic, {}), "segment.bytes");
    EXPECT_EQ(c.value, "1000000");
    EXPECT_EQ(c.source, ConfigSource::dynamic_broker);
}

TEST(ConfigHelperTest, DynamicRetentionHoursBecomeTopicMilliseconds) {
    DynamicBrokerConfigs dynamic;
    dynamic.cluster_default["log.retention.hours"] = "2";
    EXPECT_EQ(find(describe_topic_configs(parse(), dynamic, {}), "retention.ms").value, "7200000");
    dynamic.per_broker["log.retention.ms"] = "60000";  // the finer key at a higher level wins
    EXPECT_EQ(find(describe_topic_configs(parse(), dynamic, {}), "retention.ms").value, "60000");
}

TEST(ConfigHelperTest, BrokerConfigsShowSourceAndReadOnly) {
    DynamicBrokerConfigs dynamic;
    dynamic.per_broker["log.retention.ms"] = "60000";
    auto configs = describe_broker_configs(parse({{"num.partitions", "3"}}), dynamic, true);
    EXPECT_EQ(find(configs, "num.partitions").source, ConfigSource::static_broker);
    EXPECT_TRUE(find(configs, "num.partitions").read_only);
    EXPECT_EQ(find(configs, "log.retention.ms").value, "60000");
    EXPECT_EQ(find(configs, "log.retention.ms").source, ConfigSource::dynamic_broker);
    EXPECT_FALSE(find(configs, "log.retention.ms").read_only);
    EXPECT_EQ(find(configs, "delete.topic.enable").source, ConfigSource::default_config);
}

TEST(ConfigHelperTest, ClusterDefaultResourceListsOnlyItsOwnKeys) {
    DynamicBrokerConfigs dynamic;
    dynamic.cluster_default["log.segment.bytes"] = "1000000";
    dynamic.per_broker["log.segment.bytes"] = "2000000";
    auto configs =
        describe_broker_configs(parse({{"log.segment.bytes", "3000000"}}), dynamic, false);
    ASSERT_EQ(configs.size(), 1u);
    EXPECT_EQ(configs[0].name, "log.segment.bytes");
    EXPECT_EQ(configs[0].value, "1000000");
    EXPECT_EQ(configs[0].source, ConfigSource::dynamic_default_broker);
    // Only the default level's synonym: not the asked broker's own, static or default values.
    ASSERT_EQ(configs[0].synonyms.size(), 1u);
    EXPECT_EQ(configs[0].synonyms[0].source, ConfigSource::dynamic_default_broker);
    EXPECT_EQ(configs[0].synonyms[0].value, "1000000");
}

TEST(ConfigHelperTest, PasswordsAreNeverReturned) {
    auto configs = describe_broker_configs(parse({{"ssl.keystore.password", "s3cret"}}), {}, true);
    const auto& password = find(configs, "ssl.keystore.password");
    EXPECT_TRUE(password.is_sensitive);
    EXPECT_FALSE(password.value.has_value());
    EXPECT_EQ(password.type, ConfigType::password);
    for (const auto& s : password.synonyms) {
        EXPECT_FALSE(s.value.has_value());
    }
    for (const auto& c : configs) {
        EXPECT_NE(c.value, "s3cret") << c.name;
    }
}

TEST(ConfigAdminTest, UnknownTopicKeyIsInvalidConfigAndBadValueInvalidRequest) {
    EXPECT_EQ(validate_topic_config("t", {{"retention.ms", "100"}}).error,
              protocol::ErrorCode::none);
    EXPECT_EQ(validate_topic_config("t", {{"no.such.key", "1"}}).error,
              protocol::ErrorCode::invalid_config);
    auto bad = validate_topic_config("t", {{"retention.ms", "abc"}});
    EXPECT_EQ(bad.error, protocol::ErrorCode::invalid_request);
    EXPECT_NE(bad.message->find("retention.ms"), std::string::npos);
}

TEST(ConfigAdminTest, ReadOnlyBrokerKeysAreRefused) {
    auto refused = validate_broker_config("", 1, {{"broker.id", "7"}});
    EXPECT_EQ(refused.error, protocol::ErrorCode::invalid_request);
    EXPECT_NE(refused.message->find("Cannot update these configs dynamically"), std::string::npos);
    EXPECT_EQ(validate_broker_config("1", 1, {{"log.retention.ms", "1000"}}).error,
              protocol::ErrorCode::none);
    EXPECT_EQ(validate_broker_config("2", 1, {{"log.retention.ms", "1000"}}).error,
              protocol::ErrorCode::invalid_request);
    EXPECT_EQ(validate_broker_config("", 1, {{"log.segment.bytes", "1"}}).error,
              protocol::ErrorCode::invalid_request);
}

TEST(ConfigAdminTest, IncrementalOperationsEditTheCurrentConfig) {
    ConfigMap current{{"retention.ms", "100"}, {"segment.bytes", "1000000"}};
    auto next = apply_incremental(current,
                                  {{"retention.ms", 1, std::nullopt},
                                   {"cleanup.policy", 2, "compact"},
                                   {"max.message.bytes", 0, "2000"}},
                                  topic_list_type, topic_list_default);
    const auto& map = std::get<ConfigMap>(next);
    EXPECT_FALSE(map.contains("retention.ms"));
    EXPECT_EQ(map.at("cleanup.policy"), "delete,compact");  // appended to the default
    EXPECT_EQ(map.at("max.message.bytes"), "2000");
    EXPECT_EQ(map.at("segment.bytes"), "1000000");

    auto subtracted = apply_incremental(map, {{"cleanup.policy", 3, "delete"}}, topic_list_type,
                                        topic_list_default);
    EXPECT_EQ(std::get<ConfigMap>(subtracted).at("cleanup.policy"), "compact");
}

TEST(ConfigAdminTest, AppendOnANonListAndDuplicateKeysAreInvalidRequests) {
    auto append =
        apply_incremental({}, {{"retention.ms", 2, "1"}}, topic_list_type, topic_list_default);
    EXPECT_EQ(std::get<ConfigOutcome>(append).error, protocol::ErrorCode::invalid_request);
    auto duplicate = apply_incremental({}, {{"retention.ms", 0, "1"}, {"retention.ms", 1, {}}},
                                       topic_list_type, topic_list_default);
    EXPECT_EQ(std::get<ConfigOutcome>(duplicate).error, protocol::ErrorCode::invalid_request);
    auto unknown_op =
        apply_incremental({}, {{"retention.ms", 9, "1"}}, topic_list_type, topic_list_default);
    EXPECT_EQ(std::get<ConfigOutcome>(unknown_op).error, protocol::ErrorCode::invalid_request);
}

}  // namespace
}  // namespace samsa::api
