// Which broker keys may change at runtime, how their values are checked, and how the dynamic
// levels become topic defaults (per-broker before cluster default, finer units first).

#include "broker/server/dynamic_broker_config.h"

#include "broker/server/dynamic_cleaner_config.h"
#include "broker/server/kafka_config.h"

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

TEST(DynamicCleanerConfigTest, TheSixReconfigurableKeysAreDynamic) {
    for (const char* key : {"log.cleaner.threads", "log.cleaner.dedupe.buffer.size",
                            "log.cleaner.io.buffer.load.factor", "log.cleaner.io.buffer.size",
                            "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms"}) {
        EXPECT_TRUE(is_cleaner_reconfigurable(key)) << key;
        EXPECT_TRUE(is_dynamic_broker_config(key)) << key;
    }
    EXPECT_FALSE(is_cleaner_reconfigurable("log.cleaner.enable"));
    EXPECT_FALSE(is_dynamic_broker_config("log.cleaner.enable"));
    // The topic defaults among log.cleaner.* were dynamic already.
    EXPECT_FALSE(is_cleaner_reconfigurable("log.cleaner.delete.retention.ms"));
    EXPECT_TRUE(is_dynamic_broker_config("log.cleaner.delete.retention.ms"));
}

TEST(DynamicCleanerConfigTest, KafkaConfigRangesApply) {
    EXPECT_EQ(validate_dynamic_broker_configs({{"log.cleaner.threads", "2"},
                                               {"log.cleaner.io.max.bytes.per.second", "1e6"},
                                               {"log.cleaner.backoff.ms", "100"}}),
              std::nullopt);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"log.cleaner.threads", "-1"},
             {"log.cleaner.threads", "two"},
             {"log.cleaner.backoff.ms", "-5"},
             {"log.cleaner.io.buffer.size", "-1"},
             {"log.cleaner.dedupe.buffer.size", "x"}}) {
        auto why = validate_dynamic_broker_configs({{key, value}});
        ASSERT_TRUE(why) << key << "=" << value;
        EXPECT_NE(why->find(key), std::string::npos) << *why;
    }
}

TEST(DynamicCleanerConfigTest, PerBrokerOverClusterDefaultOverStatic) {
    KafkaConfig config;
    config.log_cleaner_threads = 1;
    config.log_cleaner_backoff_ms = 15000;
    config.log_cleaner_io_max_bytes_per_second = 5e6;
    config.log_cleaner_dedupe_buffer_size = 1 << 24;
    DynamicBrokerConfigs dynamic;
    EXPECT_EQ(effective_cleaner_config(config, dynamic), cleaner_config(config));

    dynamic.cluster_default = {{"log.cleaner.threads", "2"}, {"log.cleaner.backoff.ms", "100"}};
    dynamic.per_broker = {{"log.cleaner.threads", "3"},
                          {"log.cleaner.io.max.bytes.per.second", "1000000"},
                          {"log.cleaner.io.buffer.size", "oops"}};  // unparsable: skipped
    const log::CleanerConfig c = effective_cleaner_config(config, dynamic);
    EXPECT_EQ(c.num_threads, 3);
    EXPECT_EQ(c.backoff_ms, 100);
    EXPECT_EQ(c.max_io_bytes_per_second, 1e6);
    EXPECT_EQ(c.dedupe_buffer_size, 1 << 24);
    EXPECT_EQ(c.io_buffer_size, config.log_cleaner_io_buffer_size);
}

TEST(DynamicCleanerConfigTest, ThreadsAtLeastOneAndAtMostHalvedOrDoubled) {
    log::CleanerConfig current;
    current.num_threads = 4;
    auto with = [&](int32_t threads) {
        log::CleanerConfig next = current;
        next.num_threads = threads;
        return validate_cleaner_reconfiguration(current, next);
    };
    EXPECT_EQ(with(4), std::nullopt);
    EXPECT_EQ(with(2), std::nullopt);
    EXPECT_EQ(with(8), std::nullopt);
    EXPECT_EQ(with(0), "Log cleaner threads should be at least 1");
    EXPECT_EQ(with(1),
              "Log cleaner threads cannot be reduced to less than half the current value 4");
    EXPECT_EQ(with(9),
              "Log cleaner threads cannot be increased to more than double the current value 4");
    current.num_threads = 1;
    EXPECT_EQ(with(2), std::nullopt);
    EXPECT_EQ(with(3),
              "Log cleaner threads cannot be increased to more than double the current value 1");
}

}  // namespace
}  // namespace samsa::server
