#pragma once
// The two SCRAM mechanisms Kafka supports (Kafka's ScramMechanism): their SASL names, the
// digest behind each, and the type byte DescribeUserScramCredentials and
// AlterUserScramCredentials use for them on the wire.

#include <cstdint>
#include <optional>
#include <string_view>

namespace samsa::auth {

enum class ScramMechanism : int8_t { sha256 = 1, sha512 = 2 };

// RFC 5802 §5.1 allows fewer, Kafka does not (ScramMechanism.minIterations).
inline constexpr int32_t kScramMinIterations = 4096;
// The upper bound AlterUserScramCredentials accepts (Kafka's ZK-mode limit).
inline constexpr int32_t kScramMaxIterations = 16384;

constexpr std::string_view mechanism_name(ScramMechanism m) {
    return m == ScramMechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

constexpr std::optional<ScramMechanism> parse_scram_mechanism(std::string_view name) {
    if (name == "SCRAM-SHA-256")
        return ScramMechanism::sha256;
    if (name == "SCRAM-SHA-512")
        return ScramMechanism::sha512;
    return std::nullopt;
}

constexpr std::optional<ScramMechanism> scram_mechanism_from_type(int8_t type) {
    if (type == 1)
        return ScramMechanism::sha256;
    if (type == 2)
        return ScramMechanism::sha512;
    return std::nullopt;
}

inline constexpr ScramMechanism kScramMechanisms[] = {ScramMechanism::sha256,
                                                      ScramMechanism::sha512};

}  // namespace samsa::auth
