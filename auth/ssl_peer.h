#pragma once
// What a finished TLS handshake tells about the peer.

#include <optional>
#include <string>

struct ssl_st;  // OpenSSL's SSL

namespace samsa::auth {

// The subject of the certificate the peer presented (and OpenSSL verified), in RFC 2253 form
// as Java prints it ("CN=alice,OU=eng,O=Samsa"); nothing when the peer sent no certificate.
std::optional<std::string> peer_certificate_subject(ssl_st* ssl);

// "TLSv1.3 TLS_AES_256_GCM_SHA384", for logs.
std::string negotiated_cipher(ssl_st* ssl);

}  // namespace samsa::auth
