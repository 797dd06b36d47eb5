#include "auth/scram_messages.h"

#include <charconv>
#include <vector>

namespace samsa::auth {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const size_t at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) {
            return out;
        }
        s = s.substr(at + 1);
    }
}

// "k=value": the value if the attribute is `key`.
std::optional<std::string_view> attribute(std::string_view part, char key) {
    if (part.size() < 2 || part[0] != key || part[1] != '=') {
        return std::nullopt;
    }
    return part.substr(2);
}

}  // namespace

std::string scram_escape_username(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == '=') {
            out += "=3D";
        } else if (c == ',') {
            out += "=2C";
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> scram_unescape_username(std::string_view saslname) {
    std::string out;
    for (size_t i = 0; i < saslname.size(); ++i) {
        if (saslname[i] != '=') {
            out += saslname[i];
            continue;
        }
        const std::string_view code = saslname.substr(i + 1, 2);
        if (code == "2C") {
            out += ',';
        } else if (code == "3D") {
            out += '=';
        } else {
            return std::nullopt;
        }
        i += 2;
    }
    return out;
}

std::optional<ScramClientFirst> parse_client_first(std::string_view message) {
    // Only "n": the client neither uses nor claims support for channel binding.
    if (!message.starts_with("n,")) {
        return std::nullopt;
    }
    const size_t second = message.find(',', 2);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    ScramClientFirst out;
    const std::string_view authz = message.substr(2, second - 2);
    if (!authz.empty()) {
        auto a = attribute(authz, 'a');
        auto name = a ? scram_unescape_username(*a) : std::nullopt;
        if (!name) {
            return std::nullopt;
        }
        out.authzid = *name;
    }
    out.gs2_header = std::string(message.substr(0, second + 1));
    out.bare = std::string(message.substr(second + 1));
    auto parts = split(out.bare, ',');
    size_t i = 0;
    if (i < parts.size() && parts[i].starts_with("m=")) {
        return std::nullopt;  // mandatory extensions: none is supported (RFC 5802 §5.1)
    }
    auto n = i < parts.size() ? attribute(parts[i++], 'n') : std::nullopt;
    auto r = i < parts.size() ? attribute(parts[i++], 'r') : std::nullopt;
    if (!n || !r || r->empty()) {
        return std::nullopt;
    }
    auto name = scram_unescape_username(*n);
    if (!name) {
        return std::nullopt;
    }
    out.username = *name;
    out.nonce = std::string(*r);
    return out;
}

std::string format_client_first(std::string_view username, std::string_view nonce) {
    return "n,,n=" + scram_escape_username(username) + ",r=" + std::string(nonce);
}

std::optional<ScramServerFirst> parse_server_first(std::string_view message) {
    auto parts = split(message, ',');
    if (parts.size() < 3) {
        return std::nullopt;
    }
    auto r = attribute(parts[0], 'r');
    auto s = attribute(parts[1], 's');
    auto i = attribute(parts[2], 'i');
    if (!r || !s || !i) {
        return std::nullopt;
    }
    ScramServerFirst out;
    out.nonce = std::string(*r);
    auto salt = base64_decode(*s);
    auto [end, ec] = std::from_chars(i->data(), i->data() + i->size(), out.iterations);
    if (!salt || ec != std::errc() || end != i->data() + i->size() || out.iterations <= 0) {
        return std::nullopt;
    }
    out.salt = std::move(*salt);
    return out;
}

std::string format_server_first(const ScramServerFirst& m) {
    return "r=" + m.nonce + ",s=" + base64_encode(m.salt) + ",i=" + std::to_string(m.iterations);
}

std::optional<ScramClientFinal> parse_client_final(std::string_view message) {
    const size_t p = message.rfind(",p=");
    if (p == std::string_view::npos) {
        return std::nullopt;
    }
    ScramClientFinal out;
    out.without_proof = std::string(message.substr(0, p));
    auto proof = base64_decode(message.substr(p + 3));
    auto parts = split(out.without_proof, ',');
    auto c = attribute(parts[0], 'c');
    auto r = parts.size() > 1 ? attribute(parts[1], 'r') : std::nullopt;
    if (!proof || !c || !r) {
        return std::nullopt;
    }
    out.channel_binding = std::string(*c);
    out.nonce = std::string(*r);
    out.proof = std::move(*proof);
    return out;
}

std::string format_client_final_without_proof(std::string_view nonce) {
    return "c=" + base64_encode("n,,") + ",r=" + std::string(nonce);
}

}  // namespace samsa::auth
