#include "auth/scram_formatter.h"

#include "common/assert.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace samsa::auth {

namespace {

const EVP_MD* digest(ScramMechanism m) {
    return m == ScramMechanism::sha256 ? EVP_sha256() : EVP_sha512();
}

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Bytes scram_hi(ScramMechanism m, std::string_view password, std::string_view salt,
               int32_t iterations) {
    Bytes out(static_cast<size_t>(EVP_MD_get_size(digest(m))), '\0');
    const int ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                                     bytes(salt), static_cast<int>(salt.size()), iterations,
                                     digest(m), static_cast<int>(out.size()),
                                     reinterpret_cast<unsigned char*>(out.data()));
    SAMSA_ASSERT(ok == 1, "PKCS5_PBKDF2_HMAC failed");
    return out;
}

Bytes scram_hmac(ScramMechanism m, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const unsigned char* r = HMAC(digest(m), key.data(), static_cast<int>(key.size()), bytes(data),
                                  data.size(), out, &len);
    SAMSA_ASSERT(r != nullptr, "HMAC failed");
    return Bytes(reinterpret_cast<const char*>(out), len);
}

Bytes scram_hash(ScramMechanism m, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const int ok = EVP_Digest(data.data(), data.size(), out, &len, digest(m), nullptr);
    SAMSA_ASSERT(ok == 1, "EVP_Digest failed");
    return Bytes(reinterpret_cast<const char*>(out), len);
}

Bytes xor_bytes(std::string_view a, std::string_view b) {
    SAMSA_ASSERT(a.size() == b.size(), "xor of {} and {} bytes", a.size(), b.size());
    Bytes out(a.size(), '\0');
    for (size_t i = 0; i < a.size(); ++i) {
        out[i] = static_cast<char>(a[i] ^ b[i]);
    }
    return out;
}

Bytes scram_client_key(ScramMechanism m, std::string_view salted_password) {
    return scram_hmac(m, salted_password, "Client Key");
}

Bytes scram_server_key(ScramMechanism m, std::string_view salted_password) {
    return scram_hmac(m, salted_password, "Server Key");
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(in),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    Bytes out(text.size() / 4 * 3 + 1, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text),
                                  static_cast<int>(text.size()));
    if (n < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes: drop them.
    size_t size = static_cast<size_t>(n);
    for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) {
        --size;
    }
    out.resize(size);
    return out;
}

Bytes random_bytes(size_t n) {
    Bytes out(n, '\0');
    SAMSA_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1,
                 "OpenSSL RAND_bytes failed");
    return out;
}

std::string scram_nonce() {
    return base64_encode(random_bytes(24));
}

}  // namespace samsa::auth
