#include "auth/sasl_server.h"

#include "auth/plain_sasl_server.h"
#include "auth/scram_sasl_server.h"

namespace samsa::auth {

bool is_supported_mechanism(std::string_view mechanism) {
    return mechanism == "PLAIN" || parse_scram_mechanism(mechanism).has_value();
}

std::unique_ptr<SaslServer> create_sasl_server(std::string_view mechanism,
                                               const CredentialCache& credentials) {
    if (mechanism == "PLAIN") {
        return std::make_unique<PlainSaslServer>(credentials);
    }
    if (auto scram = parse_scram_mechanism(mechanism)) {
        return std::make_unique<ScramSaslServer>(*scram, credentials);
    }
    return nullptr;
}

}  // namespace samsa::auth
