#pragma once
// CredentialCache: every user's SCRAM credentials, per mechanism (Kafka's CredentialCache).
// Filled at start-up from /config/users and updated from config change notifications; read
// by every SASL exchange.
//
// Thread-safe: readers (network threads) take a shared lock, the loader an exclusive one.
// Lookups return copies, so an update never changes a credential under an exchange.

#include "auth/scram_credential.h"
#include "auth/scram_mechanism.h"

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace samsa::auth {

class CredentialCache {
  public:
    std::optional<ScramCredential> get(ScramMechanism m, const std::string& user) const;
    // Replaces every credential of `user` with `credentials` (empty: the user is gone).
    void update_user(const std::string& user,
                     const std::map<ScramMechanism, ScramCredential>& credentials);
    void remove_user(const std::string& user) { update_user(user, {}); }
    // The credentials of `user`, by mechanism (for DescribeUserScramCredentials).
    std::map<ScramMechanism, ScramCredential> user(const std::string& user) const;
    std::vector<std::string> users() const;

  private:
    mutable std::shared_mutex mu_;
    std::map<std::string, std::map<ScramMechanism, ScramCredential>> users_;
};

}  // namespace samsa::auth
