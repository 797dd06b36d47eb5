#include "auth/ssl_principal_mapper.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

TEST(SslPrincipalMapper, DefaultKeepsTheWholeSubject) {
    SslPrincipalMapper m("DEFAULT");
    EXPECT_EQ(m.name("CN=alice,OU=eng,O=Samsa"), "CN=alice,OU=eng,O=Samsa");
}

TEST(SslPrincipalMapper, FirstMatchingRuleWins) {
    // Kafka's documentation example.
    SslPrincipalMapper m(
        "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L,DEFAULT");
    EXPECT_EQ(m.name("CN=kafka-broker,OU=ServiceUsers,O=Samsa"), "kafka-broker");
    EXPECT_EQ(m.name("CN=Alice,OU=ENG,O=Samsa"), "alice@eng");
    EXPECT_EQ(m.name("CN=bob"), "CN=bob");
}

TEST(SslPrincipalMapper, UpperCaseFlagAndSpacesBetweenRules) {
    SslPrincipalMapper m("RULE:^CN=([a-z]+)$/$1/U ,  DEFAULT");
    EXPECT_EQ(m.name("CN=carol"), "CAROL");
}

TEST(SslPrincipalMapper, NoRuleAppliesRefuses) {
    SslPrincipalMapper m("RULE:^CN=(.*),OU=eng$/$1/");
    EXPECT_EQ(m.name("CN=alice,OU=eng"), "alice");
    EXPECT_EQ(m.name("CN=mallory,OU=ops"), std::nullopt);
}

TEST(SslPrincipalMapper, EscapedSlashInPattern) {
    SslPrincipalMapper m("RULE:^CN=([^\\/]*)\\/x$/$1/");
    EXPECT_EQ(m.name("CN=a/x"), "a");
}

TEST(SslPrincipalMapper, MalformedRulesAreRejected) {
    EXPECT_THROW(SslPrincipalMapper("RULE:^CN=(.*)$/$1"), std::invalid_argument);
    EXPECT_THROW(SslPrincipalMapper("NOPE"), std::invalid_argument);
    EXPECT_THROW(SslPrincipalMapper("RULE:([/x/"), std::invalid_argument);
    EXPECT_THROW(SslPrincipalMapper("DEFAULT DEFAULT"), std::invalid_argument);
    EXPECT_THROW(SslPrincipalMapper(""), std::invalid_argument);
}

}  // namespace
}  // namespace samsa::auth
