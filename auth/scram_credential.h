#pragma once
// ScramCredential: what the broker keeps of a SCRAM user's password (RFC 5802 §3): the salt,
// the iteration count, StoredKey = H(ClientKey) and ServerKey. Neither the password nor the
// salted password can be recovered from it.
//
// Stored format (Kafka's ScramCredentialUtils, the value of the SCRAM-SHA-256 / SCRAM-SHA-512
// keys of /config/users/<user>):
//
//   salt=<base64>,stored_key=<base64>,server_key=<base64>,iterations=<n>
//
// base64 is the standard alphabet with padding.

#include "auth/scram_formatter.h"
#include "auth/scram_mechanism.h"

#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

struct ScramCredential {
    Bytes salt;
    Bytes stored_key;
    Bytes server_key;
    int32_t iterations = 0;

    friend bool operator==(const ScramCredential&, const ScramCredential&) = default;
};

// Kafka's credentialToString.
std::string format_scram_credential(const ScramCredential& c);
// Kafka's credentialFromString; nullopt when a part is missing or malformed.
std::optional<ScramCredential> parse_scram_credential(std::string_view text);

// The credential of `password` (Kafka's ScramFormatter.generateCredential).
ScramCredential derive_scram_credential(ScramMechanism m, std::string_view password,
                                        std::string_view salt, int32_t iterations);
// The credential from an already salted password (what AlterUserScramCredentials carries).
ScramCredential scram_credential_from_salted(ScramMechanism m, std::string_view salt,
                                             std::string_view salted_password, int32_t iterations);

// Does `password` produce `c`? Derives with c's salt and iterations and compares the stored
// keys in constant time (PLAIN over SCRAM credentials).
bool scram_password_matches(ScramMechanism m, const ScramCredential& c, std::string_view password);

}  // namespace samsa::auth
