#pragma once
// The four security protocols a listener can speak (Kafka's SecurityProtocol). A listener is
// typed by one of these; the connection picks its transport (TCP or TLS) and whether SASL
// authentication must complete before requests are dispatched.

#include <optional>
#include <string_view>

namespace samsa::auth {

enum class SecurityProtocol { plaintext, ssl, sasl_plaintext, sasl_ssl };

constexpr std::string_view to_string(SecurityProtocol p) {
    switch (p) {
        case SecurityProtocol::plaintext:
            return "PLAINTEXT";
        case SecurityProtocol::ssl:
            return "SSL";
        case SecurityProtocol::sasl_plaintext:
            return "SASL_PLAINTEXT";
        case SecurityProtocol::sasl_ssl:
            return "SASL_SSL";
    }
    return "UNKNOWN";
}

constexpr std::optional<SecurityProtocol> parse_security_protocol(std::string_view s) {
    if (s == "PLAINTEXT")
        return SecurityProtocol::plaintext;
    if (s == "SSL")
        return SecurityProtocol::ssl;
    if (s == "SASL_PLAINTEXT")
        return SecurityProtocol::sasl_plaintext;
    if (s == "SASL_SSL")
        return SecurityProtocol::sasl_ssl;
    return std::nullopt;
}

constexpr bool uses_tls(SecurityProtocol p) {
    return p == SecurityProtocol::ssl || p == SecurityProtocol::sasl_ssl;
}

constexpr bool uses_sasl(SecurityProtocol p) {
    return p == SecurityProtocol::sasl_plaintext || p == SecurityProtocol::sasl_ssl;
}

}  // namespace samsa::auth
