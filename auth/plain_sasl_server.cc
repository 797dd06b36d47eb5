#include "auth/plain_sasl_server.h"

namespace samsa::auth {

namespace {
constexpr const char* kInvalid = "Authentication failed: Invalid username or password";
}

SaslStep PlainSaslServer::evaluate_response(std::string_view token) {
    if (done_) {
        return SaslStep::failed("Unexpected SASL token after the PLAIN exchange completed");
    }
    done_ = true;
    const size_t first = token.find('\0');
    const size_t second = first == std::string_view::npos ? first : token.find('\0', first + 1);
    if (second == std::string_view::npos) {
        return SaslStep::failed("Invalid SASL/PLAIN response: expected 3 tokens");
    }
    const std::string_view authzid = token.substr(0, first);
    username_ = std::string(token.substr(first + 1, second - first - 1));
    const std::string_view password = token.substr(second + 1);
    if (username_.empty()) {
        return SaslStep::failed("Authentication failed: username not specified");
    }
    if (password.empty()) {
        return SaslStep::failed("Authentication failed: password not specified");
    }
    if (!authzid.empty() && authzid != username_) {
        return SaslStep::failed(
            "Authentication failed: Client requested an authorization id "
            "that is different from username");
    }
    for (const ScramMechanism m : {ScramMechanism::sha512, ScramMechanism::sha256}) {
        if (auto c = credentials_.get(m, username_)) {
            if (scram_password_matches(m, *c, password)) {
                return SaslStep::complete({});
            }
            return SaslStep::failed(kInvalid);
        }
    }
    return SaslStep::failed(kInvalid);
}

}  // namespace samsa::auth
