#pragma once
// SaslClient: the client side of PLAIN and SCRAM-SHA-256/512, for the broker's own
// connections to other brokers (inter-broker SASL) and for samsa-admin. Transport-agnostic:
// the caller carries the tokens (SaslHandshake v1 + SaslAuthenticate).
//
//   auto client = create_sasl_client("SCRAM-SHA-512", "admin", "admin-secret");
//   token = client->first_token();
//   while (!done) { reply = send(token); step = client->evaluate_challenge(reply); ... }
//
// SCRAM verifies the server's signature in the last step, so a server that does not know
// the password cannot pass for one that does.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

struct SaslClientStep {
    bool ok = false;
    std::optional<std::string> token;  // to send next; none when the exchange is complete
    std::string error;
};

class SaslClient {
  public:
    virtual ~SaslClient() = default;
    virtual std::string first_token() = 0;
    virtual SaslClientStep evaluate_challenge(std::string_view challenge) = 0;
};

// nullptr for an unsupported mechanism.
std::unique_ptr<SaslClient> create_sasl_client(std::string_view mechanism, std::string username,
                                               std::string password);

}  // namespace samsa::auth
