#pragma once
// The four SCRAM messages of RFC 5802 §7, without channel binding (gs2 header "n,,", or
// "n,a=<authzid>,"), as Kafka's ScramMessages parses and writes them:
//
//   client-first:  n,[a=<authzid>],n=<saslname>,r=<client nonce>[,<extensions>]
//   server-first:  r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>
//   client-final:  c=<base64 gs2 header>,r=<nonce>[,<extensions>],p=<base64 proof>
//   server-final:  v=<base64 server signature>      (or e=<error>)
//
// Usernames travel as saslname: '=' is escaped as "=3D" and ',' as "=2C".

#include "auth/scram_formatter.h"

#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

std::string scram_escape_username(std::string_view name);
// nullopt for an '=' not followed by 2C or 3D (RFC 5802: the exchange must fail).
std::optional<std::string> scram_unescape_username(std::string_view saslname);

struct ScramClientFirst {
    std::string gs2_header;  // "n,," or "n,a=<authzid>,"
    std::string authzid;
    std::string username;  // unescaped
    std::string nonce;
    std::string bare;  // the message without the gs2 header (part of AuthMessage)
};
std::optional<ScramClientFirst> parse_client_first(std::string_view message);
std::string format_client_first(std::string_view username, std::string_view nonce);

struct ScramServerFirst {
    std::string nonce;
    Bytes salt;
    int32_t iterations = 0;
};
std::optional<ScramServerFirst> parse_server_first(std::string_view message);
std::string format_server_first(const ScramServerFirst& m);

struct ScramClientFinal {
    std::string channel_binding;  // base64, as sent
    std::string nonce;
    Bytes proof;
    std::string without_proof;  // part of AuthMessage
};
std::optional<ScramClientFinal> parse_client_final(std::string_view message);
// The client-final message without its proof ("c=biws,r=<nonce>").
std::string format_client_final_without_proof(std::string_view nonce);

}  // namespace samsa::auth
