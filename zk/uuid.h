#pragma once
// Uuid: Kafka's 128-bit id (org.apache.kafka.common.Uuid), used for topic ids and the cluster
// id. Its text form is the 16 bytes, most significant first, in base64url without padding:
// always 22 characters, e.g. "vGnGEbmNQ5SrHOqj7yc8Ng".
//
// random() draws 16 bytes from OpenSSL's CSPRNG and stamps them as a version-4 UUID, as
// java.util.UUID.randomUUID() (behind Kafka's Uuid.randomUuid and the cluster id) does. It also
// never returns an id whose text starts with '-' (Kafka 3.x's rule: such ids read as options
// on a command line) nor the reserved zero id.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samsa::zk {

class Uuid {
  public:
    constexpr Uuid() = default;
    constexpr Uuid(uint64_t most_significant_bits, uint64_t least_significant_bits)
        : msb_(most_significant_bits), lsb_(least_significant_bits) {}

    static Uuid random();
    // Parses the 22-character base64url form; nullopt for anything else.
    static std::optional<Uuid> from_string(std::string_view text);

    std::string to_string() const;
    std::array<uint8_t, 16> bytes() const;
    uint64_t most_significant_bits() const { return msb_; }
    uint64_t least_significant_bits() const { return lsb_; }

    friend constexpr auto operator<=>(const Uuid&, const Uuid&) = default;

  private:
    uint64_t msb_ = 0;
    uint64_t lsb_ = 0;
};

inline constexpr Uuid kZeroUuid{};

}  // namespace samsa::zk
