// SCRAM: the RFC 7677 known-answer exchange, the credential format, derivation checked
// against an independent implementation (Python's hashlib with Kafka's formulas), username
// escaping, and the client and server talking to each other.

#include "auth/credential_cache.h"
#include "auth/sanitizer.h"
#include "auth/sasl_client.h"
#include "auth/scram_credential.h"
#include "auth/scram_formatter.h"
#include "auth/scram_messages.h"
#include "auth/scram_sasl_server.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

// RFC 7677 §3: user "user", password "pencil".
constexpr const char* kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

void add_rfc7677_user(CredentialCache& cache) {
    auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    cache.update_user("user",
                      {{ScramMechanism::sha256,
                        derive_scram_credential(ScramMechanism::sha256, "pencil", *salt, 4096)}});
}

TEST(ScramTest, ServerReproducesRfc7677Exchange) {
    CredentialCache cache;
    add_rfc7677_user(cache);
    ScramSaslServer server(ScramMechanism::sha256, cache, kServerNonce);
    SaslStep first = server.evaluate_response(kClientFirst);
    ASSERT_EQ(first.outcome, SaslStep::Outcome::challenge) << first.error;
    EXPECT_EQ(first.token, kServerFirst);
    SaslStep last = server.evaluate_response(kClientFinal);
    ASSERT_EQ(last.outcome, SaslStep::Outcome::complete) << last.error;
    EXPECT_EQ(last.token, kServerFinal);
    EXPECT_EQ(server.username(), "user");
}

TEST(ScramTest, ServerRejectsWrongProof) {
    CredentialCache cache;
    add_rfc7677_user(cache);
    ScramSaslServer server(ScramMechanism::sha256, cache, kServerNonce);
    ASSERT_EQ(server.evaluate_response(kClientFirst).outcome, SaslStep::Outcome::challenge);
    std::string bad = kClientFinal;
    bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(server.evaluate_response(bad).outcome, SaslStep::Outcome::failed);
}

TEST(ScramTest, ServerRejectsUnknownUserAndForeignNonce) {
    CredentialCache cache;
    add_rfc7677_user(cache);
    ScramSaslServer unknown(ScramMechanism::sha256, cache);
    EXPECT_EQ(unknown.evaluate_response("n,,n=nobody,r=abc").outcome, SaslStep::Outcome::failed);
    ScramSaslServer server(ScramMechanism::sha256, cache, "other-nonce");
    ASSERT_EQ(server.evaluate_response(kClientFirst).outcome, SaslStep::Outcome::challenge);
    EXPECT_EQ(server.evaluate_response(kClientFinal).outcome, SaslStep::Outcome::failed);
}

TEST(ScramTest, CredentialFormatRoundTrips) {
    const ScramCredential c =
        derive_scram_credential(ScramMechanism::sha512, "secret", random_bytes(20), 4096);
    const std::string text = format_scram_credential(c);
    EXPECT_TRUE(text.starts_with("salt=")) << text;
    EXPECT_NE(text.find(",stored_key="), std::string::npos);
    EXPECT_TRUE(text.ends_with(",iterations=4096")) << text;
    auto parsed = parse_scram_credential(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, c);
    EXPECT_FALSE(parse_scram_credential("salt=abc,iterations=4096"));
    EXPECT_FALSE(parse_scram_credential(text.substr(0, text.find(",iterations"))));
}

// Expected values computed with Python's hashlib/hmac from Kafka's ScramFormatter formulas
// (an implementation independent of this one).
TEST(ScramTest, DerivationMatchesKafkasFormulas) {
    const std::string salt = "1w8wanzvn0lffmc2o8eo4ajt0c";
    EXPECT_EQ(format_scram_credential(
                  derive_scram_credential(ScramMechanism::sha512, "alice-secret", salt, 4096)),
              "salt=MXc4d2FuenZuMGxmZm1jMm84ZW80YWp0MGM=,stored_key=QF4+JpF7oUoCzY3niS4eCaySc1Hq"
              "sofAOENjOeL9U/aJdUG5dPsr7NVF16+7zl0JB6ONbQrH6eHbGJ76iINuIQ==,server_key=W53RSEHBP87"
              "4pC35913hQVgwUHQzpvFA6vxEHcbt2a/GVVRVzqLKnKGLTTTB7Pq6XEIsAtu1R3l1Z+BRKd05hg==,"
              "iterations=4096");
    EXPECT_EQ(format_scram_credential(
                  derive_scram_credential(ScramMechanism::sha256, "alice-secret", salt, 8192)),
              "salt=MXc4d2FuenZuMGxmZm1jMm84ZW80YWp0MGM=,stored_key=Ayi1QR43MD4YuupYoKADJIKFPXfvP"
              "MyY+9lVak7Lo6E=,server_key=czfpbZnC0Qvw6TuJm3Eo+xqs/v66TpunbBi+FY/h/cc=,"
              "iterations=8192");
}

TEST(ScramTest, PasswordCheckUsesStoredSaltAndIterations) {
    const ScramCredential c =
        derive_scram_credential(ScramMechanism::sha256, "right", "some-salt", 4096);
    EXPECT_TRUE(scram_password_matches(ScramMechanism::sha256, c, "right"));
    EXPECT_FALSE(scram_password_matches(ScramMechanism::sha256, c, "wrong"));
}

TEST(ScramTest, UsernamesAreEscapedAndUnescaped) {
    EXPECT_EQ(scram_escape_username("a=b,c"), "a=3Db=2Cc");
    EXPECT_EQ(scram_unescape_username("a=3Db=2Cc"), "a=b,c");
    EXPECT_FALSE(scram_unescape_username("a=4Fb"));
    auto first = parse_client_first("n,,n=a=3Db=2Cc,r=xyz");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->username, "a=b,c");
}

TEST(ScramTest, ClientAndServerAgree) {
    for (const ScramMechanism m : kScramMechanisms) {
        CredentialCache cache;
        cache.update_user("we,ird=name",
                          {{m, derive_scram_credential(m, "pw", random_bytes(16), 4096)}});
        ScramSaslServer server(m, cache);
        auto client = create_sasl_client(mechanism_name(m), "we,ird=name", "pw");
        SaslStep s1 = server.evaluate_response(client->first_token());
        ASSERT_EQ(s1.outcome, SaslStep::Outcome::challenge) << s1.error;
        SaslClientStep c1 = client->evaluate_challenge(s1.token);
        ASSERT_TRUE(c1.ok && c1.token) << c1.error;
        SaslStep s2 = server.evaluate_response(*c1.token);
        ASSERT_EQ(s2.outcome, SaslStep::Outcome::complete) << s2.error;
        SaslClientStep c2 = client->evaluate_challenge(s2.token);
        EXPECT_TRUE(c2.ok) << c2.error;
        EXPECT_FALSE(c2.token);
    }
}

// Runs one exchange of `client` against `server`; true when both sides accept it.
bool exchange(SaslServer& server, SaslClient& client) {
    SaslStep s1 = server.evaluate_response(client.first_token());
    SaslClientStep c1 = client.evaluate_challenge(s1.token);
    if (s1.outcome != SaslStep::Outcome::challenge || !c1.ok || !c1.token) {
        return false;
    }
    SaslStep s2 = server.evaluate_response(*c1.token);
    return s2.outcome == SaslStep::Outcome::complete && client.evaluate_challenge(s2.token).ok;
}

TEST(ScramTest, ClientReusesTheCachedSaltedPassword) {
    const ScramMechanism m = ScramMechanism::sha512;
    CredentialCache cache;
    cache.update_user("u", {{m, derive_scram_credential(m, "pw", "the-salt", 4096)}});
    auto salted = std::make_shared<ScramSaltedPasswordCache>();
    ScramSaslServer first_server(m, cache);
    ASSERT_TRUE(exchange(first_server, *create_sasl_client("SCRAM-SHA-512", "u", "pw", salted)));
    auto kept = salted->find(m, "the-salt", 4096);
    ASSERT_TRUE(kept);
    EXPECT_EQ(*kept, scram_hi(m, "pw", "the-salt", 4096));
    ScramSaslServer second_server(m, cache);
    EXPECT_TRUE(exchange(second_server, *create_sasl_client("SCRAM-SHA-512", "u", "pw", salted)));
    // The client takes the cached value without computing Hi() again: a wrong one fails.
    salted->put(m, "the-salt", 4096, scram_hi(m, "other", "the-salt", 4096));
    ScramSaslServer third_server(m, cache);
    EXPECT_FALSE(exchange(third_server, *create_sasl_client("SCRAM-SHA-512", "u", "pw", salted)));
}

TEST(ScramTest, ClientRejectsForgedServerSignature) {
    CredentialCache cache;
    cache.update_user("u", {{ScramMechanism::sha256,
                             derive_scram_credential(ScramMechanism::sha256, "pw", "s", 4096)}});
    ScramSaslServer server(ScramMechanism::sha256, cache);
    auto client = create_sasl_client("SCRAM-SHA-256", "u", "pw");
    SaslStep s1 = server.evaluate_response(client->first_token());
    SaslClientStep c1 = client->evaluate_challenge(s1.token);
    ASSERT_TRUE(c1.ok);
    EXPECT_FALSE(client->evaluate_challenge("v=" + base64_encode(std::string(32, 'x'))).ok);
}

TEST(SanitizerTest, MatchesKafkasSanitizer) {
    EXPECT_EQ(sanitize("alice"), "alice");
    EXPECT_EQ(sanitize("user 1*+@x.y_z-"), "user%201%2A%2B%40x.y_z-");
    EXPECT_EQ(desanitize("user%201%2A%2B%40x.y_z-"), "user 1*+@x.y_z-");
    EXPECT_FALSE(desanitize("bad%2"));
}

}  // namespace
}  // namespace samsa::auth
