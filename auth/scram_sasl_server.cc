#include "auth/scram_sasl_server.h"

namespace samsa::auth {

namespace {
constexpr const char* kInvalidCredentials =
    "Authentication failed during authentication due to "
    "invalid credentials with SASL mechanism ";
}

SaslStep ScramSaslServer::evaluate_response(std::string_view token) {
    switch (state_) {
        case State::receive_client_first:
            return receive_client_first(token);
        case State::receive_client_final:
            return receive_client_final(token);
        case State::done:
            break;
    }
    return SaslStep::failed("Unexpected SASL token after the SCRAM exchange completed");
}

SaslStep ScramSaslServer::receive_client_first(std::string_view token) {
    state_ = State::done;  // any failure ends the exchange
    auto first = parse_client_first(token);
    if (!first) {
        return SaslStep::failed("Invalid SCRAM client first message");
    }
    username_ = first->username;
    if (!first->authzid.empty() && first->authzid != first->username) {
        return SaslStep::failed(
            "Authentication failed: Client requested an authorization id "
            "that is different from username");
    }
    auto credential = credentials_.get(mechanism_, username_);
    if (!credential) {
        return SaslStep::failed(kInvalidCredentials + std::string(mechanism_name(mechanism_)));
    }
    credential_ = std::move(*credential);
    nonce_ = first->nonce + (server_nonce_.empty() ? scram_nonce() : server_nonce_);
    server_first_ = format_server_first({nonce_, credential_.salt, credential_.iterations});
    client_first_ = std::move(*first);
    state_ = State::receive_client_final;
    return SaslStep::challenge(server_first_);
}

SaslStep ScramSaslServer::receive_client_final(std::string_view token) {
    state_ = State::done;
    auto final_message = parse_client_final(token);
    if (!final_message) {
        return SaslStep::failed("Invalid SCRAM client final message");
    }
    // endsWith, as Kafka's ScramSaslServer checks it: librdkafka (2.0) sends the client nonce
    // again in front of the combined one. The proof covers the message as sent either way.
    if (!final_message->nonce.ends_with(nonce_)) {
        return SaslStep::failed("Invalid client nonce in the final client message.");
    }
    if (final_message->channel_binding != base64_encode(client_first_.gs2_header)) {
        return SaslStep::failed("Invalid SCRAM channel binding");
    }
    const std::string auth_message =
        client_first_.bare + "," + server_first_ + "," + final_message->without_proof;
    const Bytes signature = scram_hmac(mechanism_, credential_.stored_key, auth_message);
    if (final_message->proof.size() != signature.size()) {
        return SaslStep::failed(kInvalidCredentials + std::string(mechanism_name(mechanism_)));
    }
    // ClientKey = ClientProof XOR ClientSignature; the proof is good if H(ClientKey) is
    // StoredKey.
    const Bytes client_key = xor_bytes(final_message->proof, signature);
    if (!constant_time_equals(scram_hash(mechanism_, client_key), credential_.stored_key)) {
        return SaslStep::failed(kInvalidCredentials + std::string(mechanism_name(mechanism_)));
    }
    const Bytes server_signature = scram_hmac(mechanism_, credential_.server_key, auth_message);
    return SaslStep::complete("v=" + base64_encode(server_signature));
}

}  // namespace samsa::auth
