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

TEST(DynamicBrokerConfigTest, ListenerKeyMaterialIsPerBrokerAndNeverAPasswordInClear) {
    for (const char* key : {"ssl.keystore.location", "listener.name.ssl.ssl.keystore.location",
                            "listener.name.internal.ssl.truststore.location",
                            "listener.name.ssl.ssl.keystore.certificate.chain"}) {
        EXPECT_TRUE(is_dynamic_broker_config(key)) << key;
        EXPECT_FALSE(is_password_ssl_config(key)) << key;
    }
    for (const char* key : {"ssl.client.auth", "listener.name.ssl.ssl.client.auth",
                            "ssl.enabled.protocols", "listener.name.ssl"}) {
        EXPECT_FALSE(is_dynamic_ssl_config(key)) << key;
    }
    EXPECT_TRUE(is_password_ssl_config("listener.name.ssl.ssl.key.password"));
    EXPECT_TRUE(is_password_ssl_config("ssl.keystore.key"));

    const ConfigMap keystore = {{"listener.name.ssl.ssl.keystore.location", "/tls/b.pem"}};
    EXPECT_EQ(validate_dynamic_broker_configs(keystore), std::nullopt);
    EXPECT_EQ(validate_dynamic_broker_configs(keystore, /*cluster_default=*/true),
              "Cannot update these configs at default cluster level, broker id must be "
              "specified: Set(listener.name.ssl.ssl.keystore.location)");
    auto password = validate_dynamic_broker_configs({{"listener.name.ssl.ssl.key.password", "x"}});
    ASSERT_TRUE(password);
    EXPECT_NE(password->find("password.encoder.secret"), std::string::npos) << *password;
}

TEST(DynamicBrokerConfigTest, DynamicSslKeysLayOverServerProperties) {
    KafkaConfig base;
    base.ssl_keystore_location = "/static.pem";
    base.listener_name_configs["listener.name.mtls.ssl.client.auth"] = "required";
    auto out = with_dynamic_ssl(base, {{"listener.name.ssl.ssl.keystore.location", "/new.pem"},
                                       {"ssl.truststore.location", "/ca2.pem"},
                                       {"log.retention.ms", "5"}});
    EXPECT_EQ(out.listener_name_configs.at("listener.name.ssl.ssl.keystore.location"), "/new.pem");
    EXPECT_EQ(out.listener_name_configs.at("listener.name.mtls.ssl.client.auth"), "required");
    EXPECT_EQ(out.ssl_truststore_location, "/ca2.pem");
    EXPECT_EQ(out.ssl_keystore_location, "/static.pem");
    EXPECT_EQ(out.log_retention_ms, base.log_retention_ms);  // not an SSL key: ignored here
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
