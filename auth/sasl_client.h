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

#include "auth/scram_mechanism.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

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

// RFC 5802 §5.1: a client may keep SaltedPassword for a (password, salt, iteration count) and
// skip Hi() -- thousands of HMACs, the client's whole cost of a SCRAM exchange -- when the
// server offers the same salt and count again. Kafka's clients do not; this is opt-in (the
// connection-storm benchmark measures both ways). One cache per password; thread-safe.
class ScramSaltedPasswordCache {
  public:
    // The cached SaltedPassword, or nullopt.
    std::optional<std::string> find(ScramMechanism mechanism, std::string_view salt,
                                    int iterations) const;
    void put(ScramMechanism mechanism, std::string_view salt, int iterations, std::string salted);

  private:
    using Key = std::tuple<ScramMechanism, std::string, int>;
    mutable std::mutex mu_;
    std::map<Key, std::string, std::less<>> entries_;
};

// nullptr for an unsupported mechanism. `salted_passwords`: optional, SCRAM only, for this
// password.
std::unique_ptr<SaslClient> create_sasl_client(
    std::string_view mechanism, std::string username, std::string password,
    std::shared_ptr<ScramSaltedPasswordCache> salted_passwords = nullptr);

}  // namespace samsa::auth
