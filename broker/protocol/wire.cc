#include "broker/protocol/wire.h"

#include <bit>

namespace samsa::protocol {

// ---- Reader ----------------------------------------------------------------------------

double Reader::read_float64() {
    return std::bit_cast<double>(read_be<uint64_t>());
}

Uuid Reader::read_uuid() {
    Uuid u;
    auto s = take(u.size());
    std::memcpy(u.data(), s.data(), u.size());
    return u;
}

uint32_t Reader::read_unsigned_varint() {
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b = take(1)[0];
        if (shift == 28 && (b & 0xf0) != 0) {
            throw DecodeError("unsigned varint does not fit in 32 bits");
        }
        v |= static_cast<uint32_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            return v;
        }
    }
    throw DecodeError("unsigned varint longer than 5 bytes");
}

int32_t Reader::read_varint() {
    uint32_t raw = read_unsigned_varint();
    return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t Reader::read_varlong() {
    uint64_t raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        uint8_t b = take(1)[0];
        if (shift == 63 && (b & 0xfe) != 0) {
            throw DecodeError("varlong does not fit in 64 bits");
        }
        raw |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
        }
    }
    throw DecodeError("varlong longer than 10 bytes");
}

size_t Reader::checked_length(int64_t len) {
    if (len < 0) {
        throw DecodeError("negative length " + std::to_string(len));
    }
    if (static_cast<uint64_t>(len) > remaining()) {
        throw DecodeError("length " + std::to_string(len) + " exceeds the " +
                          std::to_string(remaining()) + " bytes left");
    }
    return static_cast<size_t>(len);
}

std::string Reader::read_string() {
    auto s = read_nullable_string();
    if (!s) {
        throw DecodeError("null where a non-nullable string was expected");
    }
    return std::move(*s);
}

std::optional<std::string> Reader::read_nullable_string() {
    int16_t len = read_int16();
    if (len == -1) {
        return std::nullopt;
    }
    auto s = take(checked_length(len));
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

std::string Reader::read_compact_string() {
    auto s = read_compact_nullable_string();
    if (!s) {
        throw DecodeError("null where a non-nullable compact string was expected");
    }
    return std::move(*s);
}

std::optional<std::string> Reader::read_compact_nullable_string() {
    uint32_t n = read_unsigned_varint();
    if (n == 0) {
        return std::nullopt;
    }
    auto s = take(checked_length(static_cast<int64_t>(n) - 1));
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

std::vector<uint8_t> Reader::read_bytes() {
    auto b = read_nullable_bytes();
    if (!b) {
        throw DecodeError("null where non-nullable bytes were expected");
    }
    return std::move(*b);
}

std::optional<std::vector<uint8_t>> Reader::read_nullable_bytes() {
    int32_t len = read_int32();
    if (len == -1) {
        return std::nullopt;
    }
    auto s = take(checked_length(len));
    return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<uint8_t> Reader::read_compact_bytes() {
    auto b = read_compact_nullable_bytes();
    if (!b) {
        throw DecodeError("null where non-nullable compact bytes were expected");
    }
    return std::move(*b);
}

std::optional<std::vector<uint8_t>> Reader::read_compact_nullable_bytes() {
    uint32_t n = read_unsigned_varint();
    if (n == 0) {
        return std::nullopt;
    }
    auto s = take(checked_length(static_cast<int64_t>(n) - 1));
    return std::vector<uint8_t>(s.begin(), s.end());
}

Records Reader::read_records(bool compact) {
    int64_t len;
    if (compact) {
        len = static_cast<int64_t>(read_unsigned_varint()) - 1;
    } else {
        len = read_int32();
    }
    if (len == -1) {
        return Records::null();
    }
    auto s = take(checked_length(len));
    if (owner_) {
        return Records::from_bytes(s, owner_);
    }
    return Records::copy_of(s);
}

int32_t Reader::read_array_length(bool compact) {
    int64_t n;
    if (compact) {
        n = static_cast<int64_t>(read_unsigned_varint()) - 1;
    } else {
        n = read_int32();
    }
    if (n == -1) {
        return -1;
    }
    // Every element takes at least one byte except structs with no fields in non-flexible
    // versions, which no Kafka message has; so a count above the bytes left is a lie.
    return static_cast<int32_t>(checked_length(n));
}

// ---- Writer ----------------------------------------------------------------------------

void Writer::write_float64(double v) {
    write_be(std::bit_cast<uint64_t>(v));
}

void Writer::write_unsigned_varint(uint32_t v) {
    while (v >= 0x80) {
        buf_.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(v));
}

void Writer::write_varint(int32_t v) {
    write_unsigned_varint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void Writer::write_varlong(int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
        buf_.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(z));
}

void Writer::write_string(std::string_view s) {
    if (s.size() > static_cast<size_t>(INT16_MAX)) {
        // The int16 length would wrap and the peer would misread the rest of the frame.
        throw std::length_error("string of " + std::to_string(s.size()) +
                                " bytes does not fit an int16 length");
    }
    write_int16(static_cast<int16_t>(s.size()));
    write_raw({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void Writer::write_nullable_string(const std::optional<std::string>& s) {
    if (!s) {
        write_int16(-1);
    } else {
        write_string(*s);
    }
}

void Writer::write_compact_string(std::string_view s) {
    write_unsigned_varint(static_cast<uint32_t>(s.size() + 1));
    write_raw({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void Writer::write_compact_nullable_string(const std::optional<std::string>& s) {
    if (!s) {
        write_unsigned_varint(0);
    } else {
        write_compact_string(*s);
    }
}

void Writer::write_bytes(std::span<const uint8_t> b) {
    write_int32(static_cast<int32_t>(b.size()));
    write_raw(b);
}

void Writer::write_nullable_bytes(const std::optional<std::vector<uint8_t>>& b) {
    if (!b) {
        write_int32(-1);
    } else {
        write_bytes(*b);
    }
}

void Writer::write_compact_bytes(std::span<const uint8_t> b) {
    write_unsigned_varint(static_cast<uint32_t>(b.size() + 1));
    write_raw(b);
}

void Writer::write_compact_nullable_bytes(const std::optional<std::vector<uint8_t>>& b) {
    if (!b) {
        write_unsigned_varint(0);
    } else {
        write_compact_bytes(*b);
    }
}

void Writer::write_records(const Records& r, bool compact) {
    if (r.is_null()) {
        if (compact) {
            write_unsigned_varint(0);
        } else {
            write_int32(-1);
        }
        return;
    }
    int64_t size = r.size_bytes();
    if (compact) {
        write_unsigned_varint(static_cast<uint32_t>(size + 1));
    } else {
        write_int32(static_cast<int32_t>(size));
    }
    if (r.in_memory()) {
        write_raw(r.bytes());
        return;
    }
    for (const auto& slice : r.slices()) {
        splices_.push_back(Splice{buf_.size(), slice});
        spliced_bytes_ += slice.size;
    }
}

void Writer::write_array_length(int32_t n, bool compact) {
    if (compact) {
        write_unsigned_varint(static_cast<uint32_t>(n + 1));
    } else {
        write_int32(n);
    }
}

void Writer::patch_int32(size_t at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (size_t i = 0; i < 4; ++i) {
        buf_.at(at + i) = static_cast<uint8_t>(u >> (8 * (3 - i)));
    }
}

}  // namespace samsa::protocol
