// The ACL model: names and codes, and the filters of DescribeAcls/DeleteAcls (Kafka's
// ResourcePatternFilter and AccessControlEntryFilter).

#include "auth/acl.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

TEST(AclNamesTest, ParsesKafkasSpellingsInAnyCase) {
    EXPECT_EQ(parse_operation("ClusterAction"), AclOperation::cluster_action);
    EXPECT_EQ(parse_operation("CLUSTER_ACTION"), AclOperation::cluster_action);
    EXPECT_EQ(parse_operation("describeconfigs"), AclOperation::describe_configs);
    EXPECT_EQ(parse_resource_type("TransactionalId"), ResourceType::transactional_id);
    EXPECT_EQ(parse_permission("DENY"), AclPermissionType::deny);
    EXPECT_EQ(parse_pattern_type("prefixed"), PatternType::prefixed);
    EXPECT_FALSE(parse_operation("Fly"));
}

TEST(AclNamesTest, WireCodesAreKafkas) {
    EXPECT_EQ(resource_type_code(ResourceType::topic), 2);
    EXPECT_EQ(resource_type_code(ResourceType::cluster), 4);
    EXPECT_EQ(operation_code(AclOperation::all), 2);
    EXPECT_EQ(operation_code(AclOperation::idempotent_write), 12);
    EXPECT_EQ(operation_from_code(8), AclOperation::describe);
    EXPECT_FALSE(operation_from_code(1));  // ANY is a filter value, not an operation
    EXPECT_FALSE(resource_type_from_code(0));
}

TEST(AclNamesTest, PrintsLikeKafkasToString) {
    EXPECT_EQ(to_string(ResourcePattern{ResourceType::topic, "orders", PatternType::prefixed}),
              "ResourcePattern(resourceType=TOPIC, name=orders, patternType=PREFIXED)");
    EXPECT_EQ(to_string(AclEntry{"User:alice", "*", AclOperation::cluster_action,
                                 AclPermissionType::allow}),
              "(principal=User:alice, host=*, operation=CLUSTER_ACTION, permissionType=ALLOW)");
}

TEST(ResourcePatternFilterTest, LiteralFilterMatchesTheSamePatternOnly) {
    ResourcePatternFilter f{ResourceType::topic, "orders", PatternType::literal};
    EXPECT_TRUE(f.matches({ResourceType::topic, "orders", PatternType::literal}));
    EXPECT_FALSE(f.matches({ResourceType::topic, "orders", PatternType::prefixed}));
    EXPECT_FALSE(f.matches({ResourceType::topic, "*", PatternType::literal}));
    EXPECT_FALSE(f.matches({ResourceType::group, "orders", PatternType::literal}));
}

TEST(ResourcePatternFilterTest, AnyFilterMatchesTheNameInEitherPatternType) {
    ResourcePatternFilter f{ResourceType::topic, "orders", PatternType::any};
    EXPECT_TRUE(f.matches({ResourceType::topic, "orders", PatternType::literal}));
    EXPECT_TRUE(f.matches({ResourceType::topic, "orders", PatternType::prefixed}));
    EXPECT_FALSE(f.matches({ResourceType::topic, "ord", PatternType::prefixed}));
}

TEST(ResourcePatternFilterTest, MatchFilterMatchesWhatAppliesToTheName) {
    ResourcePatternFilter f{ResourceType::topic, "orders", PatternType::match};
    EXPECT_TRUE(f.matches({ResourceType::topic, "orders", PatternType::literal}));
    EXPECT_TRUE(f.matches({ResourceType::topic, "*", PatternType::literal}));
    EXPECT_TRUE(f.matches({ResourceType::topic, "ord", PatternType::prefixed}));
    EXPECT_FALSE(f.matches({ResourceType::topic, "orders-x", PatternType::prefixed}));
    EXPECT_FALSE(f.matches({ResourceType::topic, "payments", PatternType::literal}));
}

TEST(ResourcePatternFilterTest, NullFieldsMatchEverything) {
    ResourcePatternFilter f{std::nullopt, std::nullopt, PatternType::any};
    EXPECT_TRUE(f.matches({ResourceType::group, "g", PatternType::prefixed}));
    ResourcePatternFilter prefixed_only{std::nullopt, std::nullopt, PatternType::prefixed};
    EXPECT_FALSE(prefixed_only.matches({ResourceType::group, "g", PatternType::literal}));
}

TEST(AclEntryFilterTest, NullFieldsAreWildcards) {
    const AclEntry e{"User:alice", "*", AclOperation::read, AclPermissionType::allow};
    EXPECT_TRUE(AclEntryFilter{}.matches(e));
    EXPECT_TRUE(
        (AclEntryFilter{"User:alice", std::nullopt, AclOperation::read, std::nullopt}.matches(e)));
    EXPECT_FALSE((AclEntryFilter{"User:bob", std::nullopt, std::nullopt, std::nullopt}.matches(e)));
    EXPECT_FALSE(
        (AclEntryFilter{std::nullopt, std::nullopt, std::nullopt, AclPermissionType::deny}.matches(
            e)));
}

}  // namespace
}  // namespace samsa::auth
