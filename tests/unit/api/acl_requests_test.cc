// The ACL APIs' wire fields as ACL bindings and filters, with Kafka's validation.

#include "broker/api/acl_requests.h"

#include <gtest/gtest.h>

namespace samsa::api {
namespace {

using auth::AclOperation;
using auth::AclPermissionType;
using auth::PatternType;
using auth::ResourceType;

struct Creation {
    std::string name = "orders";
    std::string principal = "User:alice";
    std::string host = "*";
    AclCreationFields fields(int8_t type = 2, int8_t pattern = 3, int8_t op = 3,
                             int8_t permission = 3) const {
        return {type, &name, pattern, &principal, &host, op, permission};
    }
};

TEST(AclRequestsTest, ValidCreationBecomesABinding) {
    Creation c;
    auto b = to_acl_binding(c.fields(2, 4, 4, 2));
    ASSERT_TRUE(std::holds_alternative<auth::AclBinding>(b));
    const auto& binding = std::get<auth::AclBinding>(b);
    EXPECT_EQ(binding.pattern,
              (auth::ResourcePattern{ResourceType::topic, "orders", PatternType::prefixed}));
    EXPECT_EQ(binding.entry,
              (auth::AclEntry{"User:alice", "*", AclOperation::write, AclPermissionType::deny}));
}

TEST(AclRequestsTest, CreationRejectsFilterValuesAndUnknownCodes) {
    Creation c;
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(c.fields(1))));     // ANY type
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(c.fields(2, 2))));  // MATCH
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(c.fields(2, 3, 1))));  // ANY op
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(c.fields(2, 3, 3, 1))));
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(c.fields(9))));
}

TEST(AclRequestsTest, ClusterResourceMustBeKafkaCluster) {
    Creation c;
    c.name = "my-cluster";
    auto b = to_acl_binding(c.fields(4));
    ASSERT_TRUE(std::holds_alternative<std::string>(b));
    EXPECT_EQ(std::get<std::string>(b),
              "The only valid name for the CLUSTER resource is kafka-cluster");
    c.name = "kafka-cluster";
    EXPECT_TRUE(std::holds_alternative<auth::AclBinding>(to_acl_binding(c.fields(4))));
}

TEST(AclRequestsTest, EmptyNameAndPrincipalWithoutTypeAreRejected) {
    Creation c;
    c.name = "";
    EXPECT_EQ(std::get<std::string>(to_acl_binding(c.fields())), "Invalid empty resource name");
    Creation d;
    d.principal = "alice";
    EXPECT_TRUE(std::holds_alternative<std::string>(to_acl_binding(d.fields())));
}

TEST(AclRequestsTest, FilterWithAnyCodesAndNullsMatchesEverything) {
    const std::optional<std::string> none;
    auto f = to_acl_filter({1, &none, 1, &none, &none, 1, 1});
    ASSERT_TRUE(std::holds_alternative<auth::AclBindingFilter>(f));
    const auto& filter = std::get<auth::AclBindingFilter>(f);
    EXPECT_TRUE(
        filter.matches({{ResourceType::group, "g", PatternType::prefixed},
                        {"User:x", "1.2.3.4", AclOperation::alter, AclPermissionType::deny}}));
}

TEST(AclRequestsTest, FilterRejectsUnknownCodes) {
    const std::optional<std::string> none;
    EXPECT_TRUE(
        std::holds_alternative<std::string>(to_acl_filter({0, &none, 1, &none, &none, 1, 1})));
    EXPECT_TRUE(
        std::holds_alternative<std::string>(to_acl_filter({2, &none, 0, &none, &none, 1, 1})));
    EXPECT_TRUE(
        std::holds_alternative<std::string>(to_acl_filter({2, &none, 3, &none, &none, 0, 1})));
    EXPECT_TRUE(
        std::holds_alternative<std::string>(to_acl_filter({2, &none, 3, &none, &none, 1, 0})));
}

}  // namespace
}  // namespace samsa::api
