#pragma once
// SaslServerAuthenticator: the SASL state machine of one connection on a SASL_PLAINTEXT or
// SASL_SSL listener (Kafka's SaslServerAuthenticator). Transport-agnostic: the connection
// decodes frames and encodes responses; this class decides what is allowed and what the
// answers say, so the same authenticator serves TCP and TLS transports.
//
// States (Kafka's SaslState):
//
//   initial --ApiVersions--> handshake --SaslHandshake--> authenticate --token...--> complete
//      \________________SaslHandshake______________________/                \-> failed
//
//  - before authentication only ApiVersions, SaslHandshake and SaslAuthenticate may pass;
//    anything else, or a SASL request out of order, is Kafka's IllegalSaslStateException:
//    the connection closes (a SASL request first gets ILLEGAL_SASL_STATE in its response);
//  - SaslHandshake v0 (kafka-python): the tokens that follow are raw frames, int32 length +
//    bytes, with no request header (expects_raw_token()); v1: they come in SaslAuthenticate;
//  - an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list; bad
//    credentials SASL_AUTHENTICATION_FAILED with a message. Every failure ends in `failed`:
//    the connection sends its answer after connection.failed.authentication.delay.ms and closes;
//  - KIP-368: with connections.max.reauth.ms > 0 the session expires that long after
//    authenticating (SaslAuthenticate v1+ tells the client). The client re-authenticates on the
//    same connection with SaslHandshake + SaslAuthenticate (same mechanism, same user); a
//    connection whose session expired is closed at its next other request.
//
// Lives on its connection's thread; not thread-safe. Borrows the CredentialCache, which
// outlives every connection.

#include "auth/credential_cache.h"
#include "auth/sasl_server.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::auth {

// The API keys the state machine knows (Kafka's numbers).
inline constexpr int16_t kSaslHandshakeKey = 17;
inline constexpr int16_t kApiVersionsKey = 18;
inline constexpr int16_t kSaslAuthenticateKey = 36;

// A listener's SASL settings.
struct SaslListenerConfig {
    std::vector<std::string> enabled_mechanisms;  // (listener.name.<l>.)sasl.enabled.mechanisms
    std::chrono::milliseconds max_reauth{0};      // connections.max.reauth.ms, 0 = never
};

// The broker's SASL server settings, shared by every connection (read-only after start-up).
struct SaslServerConfig {
    std::map<std::string, SaslListenerConfig> listeners;  // by listener name
    const CredentialCache* credentials = nullptr;
    // connection.failed.authentication.delay.ms: a failure is answered this much later.
    std::chrono::milliseconds failed_authentication_delay{100};
};

// The outcome of a SASL step, in protocol terms; the caller maps it to Kafka error codes.
enum class SaslError { none, unsupported_mechanism, illegal_state, authentication_failed };

class SaslServerAuthenticator {
  public:
    using Clock = std::chrono::steady_clock;

    SaslServerAuthenticator(SaslListenerConfig config, const CredentialCache& credentials);

    enum class Gate {
        allow,          // process the request
        illegal_state,  // answer a SASL request with ILLEGAL_SASL_STATE, then close
        close,          // close without an answer (a non-SASL request before authentication)
        expired,        // the session expired without re-authentication: close
    };
    Gate gate(int16_t api_key, Clock::time_point now);

    // After a v0 handshake, until the exchange ends: the next frame is a raw token.
    bool expects_raw_token() const { return state_ == State::authenticate && raw_tokens_; }

    struct HandshakeResult {
        SaslError error = SaslError::none;
        std::vector<std::string> mechanisms;  // the enabled ones, always returned
    };
    HandshakeResult handshake(int16_t version, std::string_view mechanism);

    struct AuthenticateResult {
        SaslError error = SaslError::none;
        std::string message;  // on failure; no secret in it
        std::string token;    // for the client
        bool complete = false;
        int64_t session_lifetime_ms = 0;  // KIP-368, when complete
    };
    AuthenticateResult authenticate(std::string_view token, Clock::time_point now);

    bool authenticated() const { return authenticated_once_; }
    bool failed() const { return state_ == State::failed; }
    const std::string& mechanism() const { return mechanism_; }
    // The authenticated user (the principal is User:<name>); during an exchange, the user the
    // client named so far (for logging a failure).
    std::string username() const;

  private:
    enum class State { initial, handshake, authenticate, complete, failed };
    AuthenticateResult fail(SaslError error, std::string message);

    const SaslListenerConfig config_;
    const CredentialCache& credentials_;
    State state_ = State::initial;
    bool raw_tokens_ = false;
    bool authenticated_once_ = false;
    bool reauthenticating_ = false;
    std::string mechanism_;
    std::string username_;
    std::unique_ptr<SaslServer> server_;
    std::optional<Clock::time_point> session_expiry_;
};

}  // namespace samsa::auth
