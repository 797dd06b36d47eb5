// The SASL state machine: handshake v0 (raw tokens) and v1 flows, requests out of order,
// unknown mechanisms, wrong passwords, and KIP-368 session expiry and re-authentication.

#include "auth/sasl_server_authenticator.h"

#include "auth/sasl_client.h"
#include "auth/scram_credential.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

using Gate = SaslServerAuthenticator::Gate;
using namespace std::chrono_literals;
constexpr int16_t kMetadata = 3;

class SaslServerAuthenticatorTest : public ::testing::Test {
  protected:
    SaslServerAuthenticatorTest() {
        std::map<ScramMechanism, ScramCredential> both;
        for (const ScramMechanism m : kScramMechanisms) {
            both[m] = derive_scram_credential(m, "alice-secret", random_bytes(16), 4096);
        }
        cache_.update_user("alice", both);
    }

    SaslServerAuthenticator make(std::chrono::milliseconds reauth = 0ms) {
        return SaslServerAuthenticator({{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, reauth},
                                       cache_);
    }

    // Runs a whole exchange through authenticate(); the last result.
    SaslServerAuthenticator::AuthenticateResult exchange(SaslServerAuthenticator& a,
                                                         const std::string& mechanism,
                                                         const std::string& password) {
        auto client = create_sasl_client(mechanism, "alice", password);
        std::string token = client->first_token();
        for (;;) {
            auto r = a.authenticate(token, now_);
            if (r.error != SaslError::none || r.complete) {
                return r;
            }
            auto step = client->evaluate_challenge(r.token);
            EXPECT_TRUE(step.ok && step.token) << step.error;
            token = *step.token;
        }
    }

    CredentialCache cache_;
    SaslServerAuthenticator::Clock::time_point now_ = SaslServerAuthenticator::Clock::now();
};

TEST_F(SaslServerAuthenticatorTest, HandshakeV1ThenScramAuthenticates) {
    auto a = make();
    EXPECT_EQ(a.gate(kApiVersionsKey, now_), Gate::allow);
    EXPECT_EQ(a.gate(kSaslHandshakeKey, now_), Gate::allow);
    EXPECT_EQ(a.handshake(1, "SCRAM-SHA-512").error, SaslError::none);
    EXPECT_FALSE(a.expects_raw_token());
    EXPECT_EQ(a.gate(kSaslAuthenticateKey, now_), Gate::allow);
    auto r = exchange(a, "SCRAM-SHA-512", "alice-secret");
    EXPECT_EQ(r.error, SaslError::none) << r.message;
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(a.authenticated());
    EXPECT_EQ(a.username(), "alice");
    EXPECT_EQ(a.gate(kMetadata, now_), Gate::allow);
    EXPECT_EQ(r.session_lifetime_ms, 0);
}

TEST_F(SaslServerAuthenticatorTest, HandshakeV0ExpectsRawTokensForPlain) {
    auto a = make();
    EXPECT_EQ(a.gate(kSaslHandshakeKey, now_), Gate::allow);
    EXPECT_EQ(a.handshake(0, "PLAIN").error, SaslError::none);
    EXPECT_TRUE(a.expects_raw_token());
    auto r = exchange(a, "PLAIN", "alice-secret");
    EXPECT_TRUE(r.complete) << r.message;
    EXPECT_TRUE(r.token.empty());  // PLAIN success: an empty frame
    EXPECT_FALSE(a.expects_raw_token());
}

TEST_F(SaslServerAuthenticatorTest, RequestsBeforeAuthenticationAreRefused) {
    auto a = make();
    EXPECT_EQ(a.gate(kMetadata, now_), Gate::close);
    auto b = make();
    EXPECT_EQ(b.gate(kSaslAuthenticateKey, now_), Gate::illegal_state);
    auto c = make();
    EXPECT_EQ(c.gate(kSaslHandshakeKey, now_), Gate::allow);
    c.handshake(1, "PLAIN");
    EXPECT_EQ(c.gate(kSaslHandshakeKey, now_), Gate::illegal_state);
    EXPECT_EQ(c.gate(kMetadata, now_), Gate::close);
}

TEST_F(SaslServerAuthenticatorTest, UnknownMechanismListsEnabledOnes) {
    auto a = make();
    auto r = a.handshake(1, "GSSAPI");
    EXPECT_EQ(r.error, SaslError::unsupported_mechanism);
    EXPECT_EQ(r.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}));
    EXPECT_TRUE(a.failed());
}

TEST_F(SaslServerAuthenticatorTest, WrongPasswordFailsForEveryMechanism) {
    for (const char* m : {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}) {
        auto a = make();
        a.handshake(1, m);
        auto r = exchange(a, m, "wrong");
        EXPECT_EQ(r.error, SaslError::authentication_failed) << m;
        EXPECT_FALSE(r.message.empty());
        EXPECT_EQ(r.message.find("wrong"), std::string::npos) << "no secret in the message";
        EXPECT_TRUE(a.failed());
        EXPECT_EQ(a.username(), "alice");
    }
}

TEST_F(SaslServerAuthenticatorTest, SessionExpiresAndCanReauthenticate) {
    auto a = make(1000ms);
    a.handshake(1, "SCRAM-SHA-256");
    auto r = exchange(a, "SCRAM-SHA-256", "alice-secret");
    ASSERT_TRUE(r.complete);
    EXPECT_EQ(r.session_lifetime_ms, 1000);
    EXPECT_EQ(a.gate(kMetadata, now_ + 999ms), Gate::allow);
    EXPECT_EQ(a.gate(kMetadata, now_ + 1000ms), Gate::expired);

    now_ += 900ms;  // re-authenticate before expiry: the session is extended
    EXPECT_EQ(a.gate(kSaslHandshakeKey, now_), Gate::allow);
    EXPECT_EQ(a.handshake(1, "SCRAM-SHA-256").error, SaslError::none);
    ASSERT_TRUE(exchange(a, "SCRAM-SHA-256", "alice-secret").complete);
    EXPECT_EQ(a.gate(kMetadata, now_ + 999ms), Gate::allow);
}

TEST_F(SaslServerAuthenticatorTest, ReauthenticationKeepsTheMechanism) {
    auto a = make(1000ms);
    a.handshake(1, "SCRAM-SHA-256");
    ASSERT_TRUE(exchange(a, "SCRAM-SHA-256", "alice-secret").complete);
    EXPECT_EQ(a.handshake(1, "PLAIN").error, SaslError::unsupported_mechanism);
}

}  // namespace
}  // namespace samsa::auth
