#pragma once
// SaslServer: the server side of one SASL mechanism for one exchange (javax.security.sasl's
// SaslServer as Kafka uses it). The authenticator feeds it the client's tokens in order;
// each step answers with a token for the client, completes, or fails with a message that may
// be shown to the client (never a secret).

#include "auth/credential_cache.h"

#include <memory>
#include <string>
#include <string_view>

namespace samsa::auth {

struct SaslStep {
    enum class Outcome { challenge, complete, failed };
    Outcome outcome = Outcome::failed;
    std::string token;  // for the client (challenge, or the final message on complete)
    std::string error;  // on failed

    static SaslStep challenge(std::string t) { return {Outcome::challenge, std::move(t), {}}; }
    static SaslStep complete(std::string t) { return {Outcome::complete, std::move(t), {}}; }
    static SaslStep failed(std::string e) { return {Outcome::failed, {}, std::move(e)}; }
};

class SaslServer {
  public:
    virtual ~SaslServer() = default;
    virtual SaslStep evaluate_response(std::string_view token) = 0;
    // The authenticated user, once complete; before that, the user the client named (for
    // logging a failure), possibly empty.
    virtual const std::string& username() const = 0;
};

// The mechanisms this broker serves: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.
bool is_supported_mechanism(std::string_view mechanism);
// nullptr for an unsupported mechanism. The cache must outlive the server.
std::unique_ptr<SaslServer> create_sasl_server(std::string_view mechanism,
                                               const CredentialCache& credentials);

}  // namespace samsa::auth
