#include "auth/ssl_peer.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace samsa::auth {

std::optional<std::string> peer_certificate_subject(ssl_st* ssl) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
    if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) {
        return std::nullopt;
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    // RFC 2253 order and escaping, but UTF-8 kept as is (Java does not escape it).
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0,
                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

std::string negotiated_cipher(ssl_st* ssl) {
    return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

}  // namespace samsa::auth
