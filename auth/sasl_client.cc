#include "auth/sasl_client.h"

#include "auth/scram_formatter.h"
#include "auth/scram_messages.h"

namespace samsa::auth {

namespace {

// PLAIN: one token, "\0user\0password"; the server's answer is empty.
class PlainSaslClient final : public SaslClient {
  public:
    PlainSaslClient(std::string user, std::string password)
        : user_(std::move(user)), password_(std::move(password)) {}

    std::string first_token() override {
        std::string t;
        t += '\0';
        t += user_;
        t += '\0';
        t += password_;
        return t;
    }
    SaslClientStep evaluate_challenge(std::string_view) override { return {true, {}, {}}; }

  private:
    std::string user_;
    std::string password_;
};

// SCRAM (RFC 5802 §3): client-first, then the proof, then the server's signature is checked.
class ScramSaslClient final : public SaslClient {
  public:
    ScramSaslClient(ScramMechanism m, std::string user, std::string password,
                    std::shared_ptr<ScramSaltedPasswordCache> salted_passwords)
        : mechanism_(m),
          user_(std::move(user)),
          password_(std::move(password)),
          salted_passwords_(std::move(salted_passwords)) {}

    std::string first_token() override {
        nonce_ = scram_nonce();
        client_first_bare_ = format_client_first(user_, nonce_).substr(3);  // without "n,,"
        return "n,," + client_first_bare_;
    }

    SaslClientStep evaluate_challenge(std::string_view challenge) override {
        return server_signature_.empty() ? receive_server_first(challenge)
                                         : receive_server_final(challenge);
    }

  private:
    SaslClientStep receive_server_first(std::string_view challenge) {
        auto first = parse_server_first(challenge);
        if (!first || !first->nonce.starts_with(nonce_) || first->nonce.size() == nonce_.size()) {
            return {false, {}, "invalid SCRAM server first message"};
        }
        if (first->iterations < kScramMinIterations) {
            return {false, {}, "SCRAM iterations below the minimum"};
        }
        const Bytes salted = salted_password(first->salt, first->iterations);
        const std::string without_proof = format_client_final_without_proof(first->nonce);
        const std::string auth_message =
            client_first_bare_ + "," + std::string(challenge) + "," + without_proof;
        const Bytes client_key = scram_client_key(mechanism_, salted);
        const Bytes signature =
            scram_hmac(mechanism_, scram_hash(mechanism_, client_key), auth_message);
        server_signature_ =
            scram_hmac(mechanism_, scram_server_key(mechanism_, salted), auth_message);
        return {true, without_proof + ",p=" + base64_encode(xor_bytes(client_key, signature)), {}};
    }

    Bytes salted_password(const Bytes& salt, int iterations) {
        if (salted_passwords_) {
            if (auto cached = salted_passwords_->find(mechanism_, salt, iterations)) {
                return *cached;
            }
        }
        Bytes salted = scram_hi(mechanism_, password_, salt, iterations);
        if (salted_passwords_) {
            salted_passwords_->put(mechanism_, salt, iterations, salted);
        }
        return salted;
    }

    SaslClientStep receive_server_final(std::string_view challenge) {
        if (!challenge.starts_with("v=")) {
            return {false, {}, "SCRAM server final message: " + std::string(challenge)};
        }
        auto signature = base64_decode(challenge.substr(2));
        if (!signature || !constant_time_equals(*signature, server_signature_)) {
            return {false, {}, "invalid SCRAM server signature"};
        }
        return {true, {}, {}};
    }

    const ScramMechanism mechanism_;
    const std::string user_;
    const std::string password_;
    const std::shared_ptr<ScramSaltedPasswordCache> salted_passwords_;
    std::string nonce_;
    std::string client_first_bare_;
    Bytes server_signature_;
};

}  // namespace

std::optional<std::string> ScramSaltedPasswordCache::find(ScramMechanism mechanism,
                                                          std::string_view salt,
                                                          int iterations) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(Key{mechanism, std::string(salt), iterations});
    if (it == entries_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void ScramSaltedPasswordCache::put(ScramMechanism mechanism, std::string_view salt, int iterations,
                                   std::string salted) {
    std::lock_guard lock(mu_);
    entries_.insert_or_assign(Key{mechanism, std::string(salt), iterations}, std::move(salted));
}

std::unique_ptr<SaslClient> create_sasl_client(
    std::string_view mechanism, std::string username, std::string password,
    std::shared_ptr<ScramSaltedPasswordCache> salted_passwords) {
    if (mechanism == "PLAIN") {
        return std::make_unique<PlainSaslClient>(std::move(username), std::move(password));
    }
    if (auto m = parse_scram_mechanism(mechanism)) {
        return std::make_unique<ScramSaslClient>(*m, std::move(username), std::move(password),
                                                 std::move(salted_passwords));
    }
    return nullptr;
}

}  // namespace samsa::auth
