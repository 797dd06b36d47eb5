// The ACL znodes' content in Kafka's layout (ZK-MODE §a).

#include "auth/acl_json.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

TEST(AclJsonTest, EncodesKafkasLayout) {
    const std::set<AclEntry> acls{
        {"User:alice", "*", AclOperation::read, AclPermissionType::allow}};
    EXPECT_EQ(encode_acls(acls),
              R"({"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",)"
              R"("operation":"Read","host":"*"}]})");
}

TEST(AclJsonTest, RoundTripsEveryOperationAndPermission) {
    std::set<AclEntry> acls;
    for (auto op :
         {AclOperation::all, AclOperation::read, AclOperation::write, AclOperation::create,
          AclOperation::delete_, AclOperation::alter, AclOperation::describe,
          AclOperation::cluster_action, AclOperation::describe_configs, AclOperation::alter_configs,
          AclOperation::idempotent_write}) {
        acls.insert({"User:bob", "10.0.0.1", op, AclPermissionType::deny});
        acls.insert({"User:*", "*", op, AclPermissionType::allow});
    }
    auto decoded = decode_acls(encode_acls(acls));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded.value(), acls);
}

TEST(AclJsonTest, ReadsWhatKafkaWrites) {
    auto decoded = decode_acls(
        R"({"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",)"
        R"("operation":"ClusterAction","host":"*"},{"host":"1.2.3.4","operation":"DescribeConfigs",)"
        R"("permissionType":"Deny","principal":"User:bob"}]})");
    ASSERT_TRUE(decoded);
    const std::set<AclEntry> expected{
        {"User:alice", "*", AclOperation::cluster_action, AclPermissionType::allow},
        {"User:bob", "1.2.3.4", AclOperation::describe_configs, AclPermissionType::deny}};
    EXPECT_EQ(decoded.value(), expected);
}

TEST(AclJsonTest, RejectsMalformedContent) {
    EXPECT_FALSE(decode_acls("{"));
    EXPECT_FALSE(decode_acls(R"({"version":1})"));
    EXPECT_FALSE(decode_acls(R"({"version":1,"acls":[{"principal":"User:a"}]})"));
    EXPECT_FALSE(decode_acls(
        R"({"version":1,"acls":[{"principal":"User:a","permissionType":"Maybe","operation":"Read","host":"*"}]})"));
    EXPECT_TRUE(decode_acls("").value().empty());
}

TEST(AclJsonTest, LiteralChangeNotificationIsTypeColonName) {
    const ResourcePattern p{ResourceType::topic, "orders:v2", PatternType::literal};
    EXPECT_EQ(encode_acl_change(p), "TOPIC:orders:v2");
    EXPECT_EQ(decode_literal_acl_change("TOPIC:orders:v2").value(), p);
    EXPECT_EQ(decode_literal_acl_change("Topic:orders:v2").value(), p);
    EXPECT_FALSE(decode_literal_acl_change("orders"));
    EXPECT_FALSE(decode_literal_acl_change("Table:orders"));
}

TEST(AclJsonTest, ExtendedChangeNotificationIsJson) {
    const ResourcePattern p{ResourceType::transactional_id, "tx-", PatternType::prefixed};
    EXPECT_EQ(
        encode_acl_change(p),
        R"({"version":1,"resourceType":"TRANSACTIONAL_ID","name":"tx-","patternType":"PREFIXED"})");
    EXPECT_EQ(decode_extended_acl_change(encode_acl_change(p)).value(), p);
    EXPECT_FALSE(decode_extended_acl_change(
        R"({"version":1,"resourceType":"TOPIC","name":"x","patternType":"MATCH"})"));
}

}  // namespace
}  // namespace samsa::auth
