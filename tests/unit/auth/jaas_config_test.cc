#include "auth/jaas_config.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

TEST(JaasConfigTest, ParsesScramLoginModule) {
    auto c = parse_jaas_config(
        "org.apache.kafka.common.security.scram.ScramLoginModule required\n"
        "    username=\"admin\" password=\"admin-secret\";");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->login_module, "org.apache.kafka.common.security.scram.ScramLoginModule");
    EXPECT_EQ(c->control_flag, "required");
    ASSERT_TRUE(c->option("username"));
    EXPECT_EQ(*c->option("username"), "admin");
    EXPECT_EQ(*c->option("password"), "admin-secret");
}

TEST(JaasConfigTest, QuotedValuesKeepEscapesAndSpaces) {
    auto c = parse_jaas_config(
        R"(org.apache.kafka.common.security.plain.PlainLoginModule required username=bob )"
        R"(password="a \"b\" c;d";)");
    ASSERT_TRUE(c);
    EXPECT_EQ(*c->option("username"), "bob");
    EXPECT_EQ(*c->option("password"), "a \"b\" c;d");
}

TEST(JaasConfigTest, RejectsMissingSemicolonAndUnterminatedQuote) {
    std::string error;
    EXPECT_FALSE(parse_jaas_config("M required username=\"a\"", &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(parse_jaas_config("M required username=\"a;", &error));
    EXPECT_FALSE(parse_jaas_config("M;", &error));
}

}  // namespace
}  // namespace samsa::auth
