#pragma once
// ScramSaslServer: the server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677;
// Kafka's ScramSaslServer), no channel binding. Two rounds:
//   client-first -> server-first (our nonce appended, the user's salt and iterations);
//   client-final -> verify the proof against StoredKey -> server-final (ServerSignature).
// An unknown user, a bad proof, a nonce that does not end with ours (Kafka's check) or a
// malformed message fails.

#include "auth/sasl_server.h"
#include "auth/scram_messages.h"

namespace samsa::auth {

class ScramSaslServer final : public SaslServer {
  public:
    // `server_nonce`: the nonce to append to the client's, for known-answer tests only;
    // empty = a fresh random one per exchange.
    ScramSaslServer(ScramMechanism mechanism, const CredentialCache& credentials,
                    std::string server_nonce = {})
        : mechanism_(mechanism),
          credentials_(credentials),
          server_nonce_(std::move(server_nonce)) {}

    SaslStep evaluate_response(std::string_view token) override;
    const std::string& username() const override { return username_; }

  private:
    SaslStep receive_client_first(std::string_view token);
    SaslStep receive_client_final(std::string_view token);

    enum class State { receive_client_first, receive_client_final, done };
    const ScramMechanism mechanism_;
    const CredentialCache& credentials_;
    const std::string server_nonce_;
    State state_ = State::receive_client_first;
    std::string username_;
    ScramClientFirst client_first_;
    std::string server_first_;
    std::string nonce_;
    ScramCredential credential_;
};

}  // namespace samsa::auth
