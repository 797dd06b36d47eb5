// Which broker keys may change at runtime, how their values are checked, and how the dynamic
// levels become topic defaults (per-broker before cluster default, finer units first).

#include "broker/server/dynamic_broker_config.h"

#include <gtest/gtest.h>

namespace samsa::server {
namespace {

TEST(DynamicBrokerConfigTest, LogSettingsAreDynamicOtherKnownKeysAreNot) {
    for (const char* key : {"log.retention.ms", "log.retention.hours", "log.segment.bytes",
                            "log.retention.bytes", "min.insync.replicas", "message.max.bytes",
                            "unclean.leader.election.enable", "log.cleanup.policy"}) {
        EXPECT_TRUE(is_dynamic_broker_config(key)) << key;
    }
    for (const char* key : {"broker.id", "zookeeper.connect", "listeners", "log.dirs",
                            "log.message.format.version"}) {
        EXPECT_FALSE(is_dynamic_broker_config(key)) << key;
    }
}

TEST(DynamicBrokerConfigTest, ValidationNamesReadOnlyKeysAndBadValues) {
    EXPECT_EQ(validate_dynamic_broker_configs({{"log.retention.ms", "1000"}}), std::nullopt);
    EXPECT_EQ(validate_dynamic_broker_configs({{"broker.id", "3"}, {"log.dirs", "/x"}}),
              "Cannot update these configs dynamically: Set(broker.id, log.dirs)");
    auto bad = validate_dynamic_broker_configs({{"log.retention.ms", "soon"}});
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->find("log.retention.ms"), std::string::npos);
    EXPECT_TRUE(validate_dynamic_broker_configs({{"min.insync.replicas", "0"}}));
    // Unknown keys are kept, as Kafka keeps them.
    EXPECT_EQ(validate_dynamic_broker_configs({{"custom.plugin.setting", "x"}}), std::nullopt);
}

TEST(DynamicBrokerConfigTest, PerBrokerBeatsClusterDefaultAndUnitsConvert) {
    DynamicBrokerConfigs dynamic;
    dynamic.cluster_default = {{"log.retention.hours", "1"}, {"log.segment.bytes", "5000"}};
    auto overrides = dynamic_log_overrides(dynamic);
    EXPECT_EQ(overrides.at("retention.ms"), "3600000");
    EXPECT_EQ(overrides.at("segment.bytes"), "5000");
    EXPECT_FALSE(overrides.contains("max.message.bytes"));

    dynamic.per_broker = {{"log.retention.minutes", "2"}, {"message.max.bytes", "100"}};
    overrides = dynamic_log_overrides(dynamic);
    EXPECT_EQ(overrides.at("retention.ms"), "120000");
    EXPECT_EQ(overrides.at("max.message.bytes"), "100");
    EXPECT_EQ(overrides.at("segment.bytes"), "5000");

    dynamic.per_broker = {{"log.retention.hours", "-1"}};
    EXPECT_EQ(dynamic_log_overrides(dynamic).at("retention.ms"), "-1");  // forever
}

}  // namespace
}  // namespace samsa::server
