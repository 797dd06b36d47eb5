#include "broker/console/console_auth.h"

#include "auth/scram_formatter.h"

#include <algorithm>
#include <cctype>

namespace samsa::console {

std::optional<BasicCredential> parse_basic_authorization(std::string_view header) {
    constexpr std::string_view kScheme = "basic ";
    if (header.size() <= kScheme.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
            return std::nullopt;
        }
    }
    std::string_view encoded = header.substr(kScheme.size());
    while (!encoded.empty() && encoded.front() == ' ') {
        encoded.remove_prefix(1);
    }
    while (!encoded.empty() && encoded.back() == ' ') {
        encoded.remove_suffix(1);
    }
    const auto decoded = auth::base64_decode(encoded);
    if (!decoded) {
        return std::nullopt;
    }
    const auto colon = decoded->find(':');
    if (colon == std::string::npos || colon == 0) {
        return std::nullopt;
    }
    return BasicCredential{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string choose_sasl_mechanism(const std::vector<std::string>& enabled) {
    for (const char* preferred : {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"}) {
        if (std::find(enabled.begin(), enabled.end(), preferred) != enabled.end()) {
            return preferred;
        }
    }
    return {};
}

std::string credential_key(const BasicCredential& credential) {
    static const std::string key = auth::random_bytes(32);
    std::string data = credential.username;
    data.push_back('\0');
    data += credential.password;
    const std::string mac = auth::scram_hmac(auth::ScramMechanism::sha256, key, data);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : mac) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

}  // namespace samsa::console
