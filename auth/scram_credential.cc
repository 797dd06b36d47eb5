#include "auth/scram_credential.h"

#include <charconv>
#include <map>

namespace samsa::auth {

namespace {

// "k1=v1,k2=v2" into a map; base64 has no ',' and '=' only as padding at the end of a value,
// so splitting at the first '=' of each part is exact.
std::map<std::string, std::string, std::less<>> split_pairs(std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view part = text.substr(0, comma);
        const size_t eq = part.find('=');
        if (eq != std::string_view::npos) {
            out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
        }
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

}  // namespace

std::string format_scram_credential(const ScramCredential& c) {
    return "salt=" + base64_encode(c.salt) + ",stored_key=" + base64_encode(c.stored_key) +
           ",server_key=" + base64_encode(c.server_key) +
           ",iterations=" + std::to_string(c.iterations);
}

std::optional<ScramCredential> parse_scram_credential(std::string_view text) {
    auto pairs = split_pairs(text);
    auto field = [&](std::string_view key) -> std::optional<Bytes> {
        auto it = pairs.find(key);
        return it == pairs.end() ? std::nullopt : base64_decode(it->second);
    };
    auto salt = field("salt");
    auto stored = field("stored_key");
    auto server = field("server_key");
    auto it = pairs.find("iterations");
    if (!salt || !stored || !server || it == pairs.end()) {
        return std::nullopt;
    }
    int32_t iterations = 0;
    const std::string& n = it->second;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), iterations);
    if (ec != std::errc() || end != n.data() + n.size() || iterations <= 0) {
        return std::nullopt;
    }
    return ScramCredential{std::move(*salt), std::move(*stored), std::move(*server), iterations};
}

ScramCredential scram_credential_from_salted(ScramMechanism m, std::string_view salt,
                                             std::string_view salted_password, int32_t iterations) {
    ScramCredential c;
    c.salt = std::string(salt);
    c.stored_key = scram_hash(m, scram_client_key(m, salted_password));
    c.server_key = scram_server_key(m, salted_password);
    c.iterations = iterations;
    return c;
}

ScramCredential derive_scram_credential(ScramMechanism m, std::string_view password,
                                        std::string_view salt, int32_t iterations) {
    return scram_credential_from_salted(m, salt, scram_hi(m, password, salt, iterations),
                                        iterations);
}

bool scram_password_matches(ScramMechanism m, const ScramCredential& c, std::string_view password) {
    const ScramCredential derived = derive_scram_credential(m, password, c.salt, c.iterations);
    // Both keys compared (no early exit between them).
    const bool stored = constant_time_equals(derived.stored_key, c.stored_key);
    const bool server = constant_time_equals(derived.server_key, c.server_key);
    return stored && server;
}

}  // namespace samsa::auth
