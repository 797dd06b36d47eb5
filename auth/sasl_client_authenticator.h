#pragma once
// SaslClientAuthenticator: the client's side of the Kafka SASL exchange (Kafka's
// SaslClientAuthenticator), SaslHandshake v1 then SaslAuthenticate rounds until the mechanism
// is done. Transport-agnostic: the caller supplies the two request/response round trips, so
// a blocking channel over TCP or TLS, or a tool, runs the same exchange.

#include "auth/sasl_client.h"
#include "common/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace samsa::auth {

// A decoded SaslHandshake or SaslAuthenticate response.
struct SaslReply {
    int16_t error_code = 0;
    std::string error_message;
    std::string token;  // SaslAuthenticate's AuthBytes
};

struct SaslClientTransport {
    std::function<result<SaslReply>(const std::string& mechanism)> handshake;
    std::function<result<SaslReply>(const std::string& token)> authenticate;
};

struct SaslCredential {
    std::string mechanism;
    std::string username;
    std::string password;
    // Optional (SCRAM): SaltedPassword kept across exchanges (ScramSaltedPasswordCache).
    std::shared_ptr<ScramSaltedPasswordCache> salted_passwords;
};

// Empty on success; otherwise why the exchange failed (no secret in it).
std::string authenticate_sasl_client(const SaslCredential& credential,
                                     const SaslClientTransport& transport);

}  // namespace samsa::auth
