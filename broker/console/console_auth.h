#pragma once
// HTTP Basic credentials for the console of a secured cluster. The console does not judge
// them itself: it hands them to the broker over SASL (console_service.cc), so the broker's
// credential store and ACLs decide. Here: parsing the header, the SASL mechanism to use, and
// the key a verified credential is remembered by (an HMAC under a per-process random key, so
// no password is kept in memory past the request that carried it, besides the SASL client
// configuration of the session that uses it).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::console {

struct BasicCredential {
    std::string username;
    std::string password;
};

// "Basic base64(user:password)" (scheme case-insensitive); nullopt for anything else.
std::optional<BasicCredential> parse_basic_authorization(std::string_view header);

// The mechanism the console authenticates with among a listener's enabled ones: SCRAM-SHA-512,
// then SCRAM-SHA-256, then PLAIN; empty when none of them is enabled.
std::string choose_sasl_mechanism(const std::vector<std::string>& enabled);

// HMAC-SHA-256(process key, username NUL password), hex.
std::string credential_key(const BasicCredential& credential);

}  // namespace samsa::console
