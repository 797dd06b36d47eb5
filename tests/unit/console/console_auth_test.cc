#include "broker/console/console_auth.h"

#include <gtest/gtest.h>

namespace samsa::console {
namespace {

TEST(BasicAuthorization, DecodesUserAndPassword) {
    // base64("admin:admin-secret")
    const auto c = parse_basic_authorization("Basic YWRtaW46YWRtaW4tc2VjcmV0");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->username, "admin");
    EXPECT_EQ(c->password, "admin-secret");
    // The scheme is case-insensitive; a password may hold ':'.
    const auto d = parse_basic_authorization("bAsIc  YTpiOmM=");  // "a:b:c"
    ASSERT_TRUE(d);
    EXPECT_EQ(d->username, "a");
    EXPECT_EQ(d->password, "b:c");
}

TEST(BasicAuthorization, RefusesAnythingElse) {
    EXPECT_FALSE(parse_basic_authorization(""));
    EXPECT_FALSE(parse_basic_authorization("Basic "));
    EXPECT_FALSE(parse_basic_authorization("Bearer YWRtaW46eA=="));
    EXPECT_FALSE(parse_basic_authorization("Basic not-base64!"));
    EXPECT_FALSE(parse_basic_authorization("Basic YWRtaW4="));  // "admin": no ':'
    EXPECT_FALSE(parse_basic_authorization("Basic OnB3"));      // ":pw": no user
}

TEST(SaslMechanism, ScramSha512ThenSha256ThenPlain) {
    EXPECT_EQ(choose_sasl_mechanism({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}), "SCRAM-SHA-512");
    EXPECT_EQ(choose_sasl_mechanism({"PLAIN", "SCRAM-SHA-256"}), "SCRAM-SHA-256");
    EXPECT_EQ(choose_sasl_mechanism({"PLAIN"}), "PLAIN");
    EXPECT_EQ(choose_sasl_mechanism({"GSSAPI"}), "");
    EXPECT_EQ(choose_sasl_mechanism({}), "");
}

TEST(CredentialKey, KeyedByTheWholeCredentialWithoutHoldingIt) {
    const BasicCredential a{"admin", "admin-secret"};
    const std::string key = credential_key(a);
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key, credential_key(a));
    EXPECT_EQ(key.find("admin"), std::string::npos);
    EXPECT_NE(key, credential_key(BasicCredential{"admin", "admin-secreT"}));
    // The NUL separator: "ab"+"c" is not "a"+"bc".
    EXPECT_NE(credential_key(BasicCredential{"ab", "c"}),
              credential_key(BasicCredential{"a", "bc"}));
}

}  // namespace
}  // namespace samsa::console
