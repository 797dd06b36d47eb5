#include "auth/credential_cache.h"

#include <mutex>

namespace samsa::auth {

std::optional<ScramCredential> CredentialCache::get(ScramMechanism m,
                                                    const std::string& user) const {
    std::shared_lock lock(mu_);
    auto it = users_.find(user);
    if (it == users_.end()) {
        return std::nullopt;
    }
    auto c = it->second.find(m);
    return c == it->second.end() ? std::nullopt : std::optional(c->second);
}

void CredentialCache::update_user(const std::string& user,
                                  const std::map<ScramMechanism, ScramCredential>& credentials) {
    std::unique_lock lock(mu_);
    if (credentials.empty()) {
        users_.erase(user);
    } else {
        users_[user] = credentials;
    }
}

std::map<ScramMechanism, ScramCredential> CredentialCache::user(const std::string& user) const {
    std::shared_lock lock(mu_);
    auto it = users_.find(user);
    return it == users_.end() ? std::map<ScramMechanism, ScramCredential>{} : it->second;
}

std::vector<std::string> CredentialCache::users() const {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, _] : users_) {
        out.push_back(name);
    }
    return out;
}

}  // namespace samsa::auth
