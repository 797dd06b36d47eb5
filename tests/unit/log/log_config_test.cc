#include "broker/log/log_config.h"

#include "broker/log/errc.h"

#include <gtest/gtest.h>

namespace samsa::log {
namespace {

TEST(LogConfigTest, DefaultsAreKafkas) {
    LogConfig c;
    EXPECT_EQ(c.segment_bytes, 1073741824);
    EXPECT_EQ(c.segment_ms, 604800000);
    EXPECT_EQ(c.retention_ms, 604800000);
    EXPECT_EQ(c.retention_bytes, -1);
    EXPECT_EQ(c.max_message_bytes, 1048588);
    EXPECT_EQ(c.index_interval_bytes, 4096);
    EXPECT_EQ(c.segment_index_bytes, 10485760);
    EXPECT_EQ(c.file_delete_delay_ms, 60000);
    EXPECT_EQ(c.compression_type, "producer");
}

TEST(LogConfigTest, OverridesApplyOnTopOfDefaults) {
    auto c = apply_topic_overrides(LogConfig{}, {{"segment.bytes", "1048576"},
                                                 {"retention.ms", "-1"},
                                                 {"message.timestamp.type", "LogAppendTime"},
                                                 {"cleanup.policy", "compact,delete"},
                                                 {"min.cleanable.dirty.ratio", "0.3"}});
    ASSERT_TRUE(c);
    EXPECT_EQ(c.value().segment_bytes, 1048576);
    EXPECT_EQ(c.value().retention_ms, -1);
    EXPECT_EQ(c.value().message_timestamp_type, protocol::TimestampType::log_append_time);
    EXPECT_TRUE(c.value().cleanup_policy_compact);
    EXPECT_TRUE(c.value().cleanup_policy_delete);
    EXPECT_EQ(to_config_map(c.value()).at("min.cleanable.dirty.ratio"), "0.3");
}

TEST(LogConfigTest, CompactionKeysAreParsed) {
    LogConfig defaults;
    EXPECT_EQ(defaults.delete_retention_ms, 86400000);
    EXPECT_EQ(defaults.min_compaction_lag_ms, 0);
    EXPECT_EQ(defaults.max_compaction_lag_ms, kLongMax);
    EXPECT_DOUBLE_EQ(defaults.min_cleanable_dirty_ratio, 0.5);
    auto c = apply_topic_overrides(defaults, {{"delete.retention.ms", "3000"},
                                              {"min.compaction.lag.ms", "10"},
                                              {"max.compaction.lag.ms", "20"},
                                              {"min.cleanable.dirty.ratio", "0.01"}});
    ASSERT_TRUE(c);
    EXPECT_EQ(c.value().delete_retention_ms, 3000);
    EXPECT_EQ(c.value().min_compaction_lag_ms, 10);
    EXPECT_EQ(c.value().max_compaction_lag_ms, 20);
    EXPECT_DOUBLE_EQ(c.value().min_cleanable_dirty_ratio, 0.01);
    EXPECT_FALSE(apply_topic_overrides(defaults, {{"max.compaction.lag.ms", "0"}}));
    EXPECT_FALSE(apply_topic_overrides(defaults, {{"min.cleanable.dirty.ratio", "1.5"}}));
}

TEST(LogConfigTest, BadValueIsInvalidConfigNamingTheKey) {
    std::string why;
    auto c = apply_topic_overrides(LogConfig{}, {{"segment.bytes", "abc"}}, &why);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), make_error_code(Errc::invalid_config));
    EXPECT_NE(why.find("segment.bytes"), std::string::npos) << why;
}

TEST(LogConfigTest, OutOfRangeAndUnknownKeysAreRejected) {
    std::string why;
    EXPECT_FALSE(apply_topic_overrides(LogConfig{}, {{"min.insync.replicas", "0"}}, &why));
    EXPECT_NE(why.find("min.insync.replicas"), std::string::npos);
    EXPECT_FALSE(apply_topic_overrides(LogConfig{}, {{"no.such.key", "1"}}, &why));
    EXPECT_NE(why.find("no.such.key"), std::string::npos);
    EXPECT_FALSE(apply_topic_overrides(LogConfig{}, {{"compression.type", "brotli"}}, &why));
}

TEST(LogConfigTest, ServerSynonymsFollowKafka) {
    EXPECT_EQ(server_config_name("segment.bytes"), "log.segment.bytes");
    EXPECT_EQ(server_config_name("max.message.bytes"), "message.max.bytes");
    EXPECT_FALSE(server_config_name("bogus"));
}

}  // namespace
}  // namespace samsa::log
