#include "broker/protocol/generated/api_table.h"

#include <gtest/gtest.h>

namespace samsa::protocol {
namespace {

TEST(ApiTableTest, RequestHeaderIsV2InFlexibleVersionsElseV1) {
    EXPECT_EQ(request_header_version(ApiKey::api_versions, 3), 2);
    EXPECT_EQ(request_header_version(ApiKey::api_versions, 2), 1);
    EXPECT_EQ(request_header_version(ApiKey::produce, 8), 1);
    EXPECT_EQ(request_header_version(ApiKey::produce, 9), 2);
    EXPECT_EQ(request_header_version(ApiKey::metadata, 9), 2);
}

TEST(ApiTableTest, ControlledShutdownV0UsesRequestHeaderV0) {
    EXPECT_EQ(request_header_version(ApiKey::controlled_shutdown, 0), 0);
    EXPECT_EQ(request_header_version(ApiKey::controlled_shutdown, 1), 1);
    EXPECT_EQ(request_header_version(ApiKey::controlled_shutdown, 3), 2);
}

TEST(ApiTableTest, ResponseHeaderIsV1InFlexibleVersionsElseV0) {
    EXPECT_EQ(response_header_version(ApiKey::metadata, 8), 0);
    EXPECT_EQ(response_header_version(ApiKey::metadata, 9), 1);
    EXPECT_EQ(response_header_version(ApiKey::fetch, 12), 1);
    EXPECT_EQ(response_header_version(ApiKey::controlled_shutdown, 0), 0);
}

TEST(ApiTableTest, ApiVersionsResponseAlwaysUsesHeaderV0) {
    for (int16_t v = 0; v <= 3; ++v) {
        EXPECT_EQ(response_header_version(ApiKey::api_versions, v), 0);
    }
}

TEST(ApiTableTest, FindApiKnowsEverySchemaAndNothingElse) {
    const ApiInfo* api = find_api(18);
    ASSERT_NE(api, nullptr);
    EXPECT_EQ(api->key, ApiKey::api_versions);
    EXPECT_EQ(api->name, "ApiVersions");
    EXPECT_EQ(api->lowest_version, 0);
    EXPECT_EQ(api->highest_version, 3);
    EXPECT_EQ(api->flexible_from, 3);
    EXPECT_EQ(find_api(-1), nullptr);
    EXPECT_EQ(find_api(1000), nullptr);
    for (const ApiInfo& info : all_apis()) {
        EXPECT_EQ(find_api(static_cast<int16_t>(info.key)), &info);
        EXPECT_EQ(info.name, api_name(info.key));
    }
}

TEST(ApiTableTest, TableCoversTheApisOfKafka28) {
    struct Expected {
        ApiKey key;
        int16_t highest;
        int16_t flexible_from;
    };
    for (auto [key, highest, flexible_from] :
         {Expected{ApiKey::produce, 9, 9}, Expected{ApiKey::fetch, 12, 12},
          Expected{ApiKey::list_offsets, 6, 6}, Expected{ApiKey::metadata, 11, 9},
          Expected{ApiKey::leader_and_isr, 5, 4}, Expected{ApiKey::stop_replica, 3, 2},
          Expected{ApiKey::update_metadata, 7, 6}, Expected{ApiKey::controlled_shutdown, 3, 3},
          Expected{ApiKey::api_versions, 3, 3}, Expected{ApiKey::create_topics, 7, 5},
          Expected{ApiKey::delete_topics, 6, 4}, Expected{ApiKey::offset_for_leader_epoch, 4, 4}}) {
        const ApiInfo* api = find_api(static_cast<int16_t>(key));
        ASSERT_NE(api, nullptr) << api_name(key);
        EXPECT_EQ(api->lowest_version, 0) << api->name;
        EXPECT_EQ(api->highest_version, highest) << api->name;
        EXPECT_EQ(api->flexible_from, flexible_from) << api->name;
    }
}

}  // namespace
}  // namespace samsa::protocol
