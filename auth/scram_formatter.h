#pragma once
// The cryptographic primitives of SCRAM (RFC 5802 §2.2, Kafka's ScramFormatter), all through
// OpenSSL: Hi() is PBKDF2-HMAC, H() the mechanism's digest, HMAC() its HMAC. Also base64
// (standard alphabet, padded, as RFC 5802 and Kafka's credential format use it) and random
// bytes. Stateless and thread-safe.

#include "auth/scram_mechanism.h"

#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

// Byte strings are kept in std::string: keys, salts, proofs are binary.
using Bytes = std::string;

Bytes scram_hi(ScramMechanism m, std::string_view password, std::string_view salt,
               int32_t iterations);
Bytes scram_hmac(ScramMechanism m, std::string_view key, std::string_view data);
Bytes scram_hash(ScramMechanism m, std::string_view data);
Bytes xor_bytes(std::string_view a, std::string_view b);  // a and b of equal length

// ClientKey = HMAC(SaltedPassword, "Client Key"), ServerKey = HMAC(SaltedPassword, "Server Key").
Bytes scram_client_key(ScramMechanism m, std::string_view salted_password);
Bytes scram_server_key(ScramMechanism m, std::string_view salted_password);

// Equal length and content, in time that does not depend on where they differ.
bool constant_time_equals(std::string_view a, std::string_view b);

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not padded standard base64.
std::optional<Bytes> base64_decode(std::string_view text);

Bytes random_bytes(size_t n);
// A nonce: printable, without ',' (RFC 5802 §5.1 "r="): base64 of random bytes.
std::string scram_nonce();

}  // namespace samsa::auth
