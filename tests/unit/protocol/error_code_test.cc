#include "broker/protocol/error_code.h"

#include "broker/protocol/api_key.h"

#include <gtest/gtest.h>

#include <system_error>

namespace samsa::protocol {
namespace {

TEST(ErrorCodeTest, EnumeratorsCarryKafkaValues) {
    EXPECT_EQ(static_cast<int16_t>(ErrorCode::unknown_server_error), -1);
    EXPECT_EQ(static_cast<int16_t>(ErrorCode::none), 0);
    EXPECT_EQ(static_cast<int16_t>(ErrorCode::not_leader_or_follower), 6);
    EXPECT_EQ(static_cast<int16_t>(ErrorCode::unsupported_version), 35);
    EXPECT_EQ(static_cast<int16_t>(ErrorCode::inconsistent_cluster_id), 104);
}

TEST(ErrorCodeTest, NamesAreTheProtocolNames) {
    EXPECT_EQ(error_name(ErrorCode::unknown_topic_or_partition), "UNKNOWN_TOPIC_OR_PARTITION");
    EXPECT_EQ(error_name(ErrorCode::none), "NONE");
    EXPECT_EQ(error_name(ErrorCode::unknown_server_error), "UNKNOWN_SERVER_ERROR");
    EXPECT_EQ(error_name(static_cast<ErrorCode>(99)), "UNKNOWN");  // 99 arrived after 2.8
}

TEST(ErrorCodeTest, IsAStdErrorCode) {
    std::error_code ec = ErrorCode::not_controller;
    EXPECT_EQ(ec.value(), 41);
    EXPECT_STREQ(ec.category().name(), "kafka");
    EXPECT_EQ(ec.message(), "NOT_CONTROLLER (41)");
    EXPECT_TRUE(ec == ErrorCode::not_controller);
    EXPECT_FALSE(ec == ErrorCode::none);
}

TEST(ApiKeyTest, NamesAreKafkaNames) {
    EXPECT_EQ(api_name(ApiKey::produce), "Produce");
    EXPECT_EQ(api_name(ApiKey::leader_and_isr), "LeaderAndIsr");
    EXPECT_EQ(api_name(ApiKey::api_versions), "ApiVersions");
    EXPECT_EQ(api_name(ApiKey::unregister_broker), "UnregisterBroker");
    EXPECT_EQ(static_cast<int16_t>(ApiKey::describe_producers), 61);
    EXPECT_EQ(api_name(static_cast<ApiKey>(99)), "Unknown");
}

}  // namespace
}  // namespace samsa::protocol
