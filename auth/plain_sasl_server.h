#pragma once
// PlainSaslServer: SASL/PLAIN (RFC 4616; Kafka's PlainSaslServer), one round:
// "<authzid>\0<user>\0<password>", authzid empty or the user itself.
//
// Unlike Kafka, which checks PLAIN passwords against the JAAS file (user_<name>="..."), the
// password is checked against the user's SCRAM credential in ZooKeeper: derived with the
// stored salt and iterations, compared in constant time. So there is one user database and
// no plaintext password in any file. SCRAM-SHA-512 is tried first when the user has both.

#include "auth/sasl_server.h"

namespace samsa::auth {

class PlainSaslServer final : public SaslServer {
  public:
    explicit PlainSaslServer(const CredentialCache& credentials) : credentials_(credentials) {}

    SaslStep evaluate_response(std::string_view token) override;
    const std::string& username() const override { return username_; }

  private:
    const CredentialCache& credentials_;
    std::string username_;
    bool done_ = false;
};

}  // namespace samsa::auth
