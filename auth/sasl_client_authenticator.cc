#include "auth/sasl_client_authenticator.h"

namespace samsa::auth {

std::string authenticate_sasl_client(const SaslCredential& credential,
                                     const SaslClientTransport& transport) {
    auto client = create_sasl_client(credential.mechanism, credential.username, credential.password,
                                     credential.salted_passwords);
    if (!client) {
        return "unsupported SASL mechanism " + credential.mechanism;
    }
    auto handshake = transport.handshake(credential.mechanism);
    if (!handshake) {
        return "SaslHandshake failed: " + handshake.error().message();
    }
    if (handshake.value().error_code != 0) {
        return "SaslHandshake refused mechanism " + credential.mechanism + " (error " +
               std::to_string(handshake.value().error_code) + ")";
    }
    std::string token = client->first_token();
    for (;;) {
        auto reply = transport.authenticate(token);
        if (!reply) {
            return "SaslAuthenticate failed: " + reply.error().message();
        }
        if (reply.value().error_code != 0) {
            return "authentication failed (error " + std::to_string(reply.value().error_code) +
                   "): " + reply.value().error_message;
        }
        SaslClientStep step = client->evaluate_challenge(reply.value().token);
        if (!step.ok) {
            return step.error;
        }
        if (!step.token) {
            return {};
        }
        token = std::move(*step.token);
    }
}

}  // namespace samsa::auth
