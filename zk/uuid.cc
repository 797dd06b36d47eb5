#include "zk/uuid.h"

#include "common/assert.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>

namespace samsa::zk {
namespace {

constexpr std::size_t kTextLength = 22;  // ceil(16 * 4 / 3), no padding

Uuid from_bytes(const std::array<uint8_t, 16>& b) {
    uint64_t msb = 0;
    uint64_t lsb = 0;
    for (int i = 0; i < 8; ++i) {
        msb = (msb << 8) | b[i];
        lsb = (lsb << 8) | b[i + 8];
    }
    return Uuid(msb, lsb);
}

}  // namespace

Uuid Uuid::random() {
    while (true) {
        std::array<uint8_t, 16> b{};
        SAMSA_ASSERT(RAND_bytes(b.data(), static_cast<int>(b.size())) == 1,
                     "OpenSSL RAND_bytes failed");
        b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
        b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // IETF variant
        const Uuid id = from_bytes(b);
        if (id != kZeroUuid && id.to_string().front() != '-') {
            return id;
        }
    }
}

std::array<uint8_t, 16> Uuid::bytes() const {
    std::array<uint8_t, 16> b{};
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<uint8_t>(msb_ >> (56 - 8 * i));
        b[i + 8] = static_cast<uint8_t>(lsb_ >> (56 - 8 * i));
    }
    return b;
}

std::string Uuid::to_string() const {
    const auto b = bytes();
    unsigned char out[25] = {};  // 24 characters of standard base64 + NUL
    EVP_EncodeBlock(out, b.data(), static_cast<int>(b.size()));
    std::string text(reinterpret_cast<const char*>(out), kTextLength);
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

std::optional<Uuid> Uuid::from_string(std::string_view text) {
    if (text.size() != kTextLength) {
        return std::nullopt;
    }
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (c == '+' || c == '/' || c == '=') {
            return std::nullopt;  // not base64url
        }
    }
    standard += "==";
    unsigned char out[18] = {};
    if (EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(standard.data()),
                        static_cast<int>(standard.size())) != 18) {
        return std::nullopt;
    }
    std::array<uint8_t, 16> b{};
    std::copy_n(out, 16, b.begin());
    const Uuid id = from_bytes(b);
    // The last character carries 2 unused bits: only the canonical text round-trips.
    if (id.to_string() != text) {
        return std::nullopt;
    }
    return id;
}

}  // namespace samsa::zk
