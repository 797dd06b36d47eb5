#pragma once
// Reader and Writer: the primitive encodings of the Kafka protocol, used by the generated
// message codecs (and by nothing that could use a generated codec instead).
//
//   int8/16/32/64, uint16, uint32  big-endian, fixed width
//   float64                         IEEE 754 big-endian
//   bool                            one byte, 0 or 1
//   unsigned varint                 LEB128, 7 bits a byte, low group first (max 5 bytes)
//   varint / varlong                zig-zag then LEB128 (protobuf sint32/sint64)
//   uuid                            16 raw bytes
//   string                          int16 length + UTF-8 (-1 = null)
//   bytes / records                 int32 length + data (-1 = null)
//   array                           int32 count (-1 = null)
//   compact string/bytes/array      unsigned varint of (length + 1), 0 = null
//
// Reader throws DecodeError on any overrun or impossible length: a malformed request is a
// process-boundary event that closes the connection (see broker/net/connection.cc). Nothing
// it reads can make it allocate more than the frame it reads from.

#include "broker/protocol/records.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::protocol {

using Uuid = std::array<uint8_t, 16>;

class DecodeError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Reader {
  public:
    // Reads `data`; `owner` (if any) keeps it alive for Records that point into it.
    explicit Reader(std::span<const uint8_t> data, std::shared_ptr<const void> owner = {})
        : data_(data), owner_(std::move(owner)) {}

    int8_t read_int8() { return static_cast<int8_t>(take(1)[0]); }
    bool read_bool() { return take(1)[0] != 0; }
    int16_t read_int16() { return static_cast<int16_t>(read_be<uint16_t>()); }
    uint16_t read_uint16() { return read_be<uint16_t>(); }
    int32_t read_int32() { return static_cast<int32_t>(read_be<uint32_t>()); }
    uint32_t read_uint32() { return read_be<uint32_t>(); }
    int64_t read_int64() { return static_cast<int64_t>(read_be<uint64_t>()); }
    double read_float64();
    Uuid read_uuid();

    uint32_t read_unsigned_varint();
    int32_t read_varint();
    int64_t read_varlong();

    std::string read_string();
    std::optional<std::string> read_nullable_string();
    std::string read_compact_string();
    std::optional<std::string> read_compact_nullable_string();

    std::vector<uint8_t> read_bytes();
    std::optional<std::vector<uint8_t>> read_nullable_bytes();
    std::vector<uint8_t> read_compact_bytes();
    std::optional<std::vector<uint8_t>> read_compact_nullable_bytes();

    // Borrows the payload from the frame (no copy) when the Reader has an owner; copies otherwise.
    Records read_records(bool compact);

    // Returns the element count, or -1 for a null array. A count larger than the bytes left
    // is rejected before anyone allocates for it.
    int32_t read_array_length(bool compact);

    std::span<const uint8_t> read_raw(size_t n) { return take(n); }
    void skip(size_t n) { take(n); }

    size_t position() const { return pos_; }
    size_t remaining() const { return data_.size() - pos_; }

  private:
    std::span<const uint8_t> take(size_t n) {
        if (n > remaining()) [[unlikely]] {
            throw DecodeError("truncated: need " + std::to_string(n) + " bytes at offset " +
                              std::to_string(pos_) + ", have " + std::to_string(remaining()));
        }
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    template <typename U>
    U read_be() {
        auto s = take(sizeof(U));
        U v = 0;
        for (auto b : s) {
            v = static_cast<U>((v << 8) | b);
        }
        return v;
    }
    size_t checked_length(int64_t len);

    std::span<const uint8_t> data_;
    std::shared_ptr<const void> owner_;
    size_t pos_ = 0;
};

// A splice: file-backed records to be sent between buffer()[at-1] and buffer()[at].
struct Splice {
    size_t at = 0;
    FileSlice slice;
};

class Writer {
  public:
    Writer() { buf_.reserve(256); }

    void write_int8(int8_t v) { buf_.push_back(static_cast<uint8_t>(v)); }
    void write_bool(bool v) { buf_.push_back(v ? 1 : 0); }
    void write_int16(int16_t v) { write_be(static_cast<uint16_t>(v)); }
    void write_uint16(uint16_t v) { write_be(v); }
    void write_int32(int32_t v) { write_be(static_cast<uint32_t>(v)); }
    void write_uint32(uint32_t v) { write_be(v); }
    void write_int64(int64_t v) { write_be(static_cast<uint64_t>(v)); }
    void write_float64(double v);
    void write_uuid(const Uuid& v) { write_raw(v); }

    void write_unsigned_varint(uint32_t v);
    void write_varint(int32_t v);
    void write_varlong(int64_t v);

    // Throws std::length_error for a string longer than INT16_MAX bytes.
    void write_string(std::string_view s);
    void write_nullable_string(const std::optional<std::string>& s);
    void write_compact_string(std::string_view s);
    void write_compact_nullable_string(const std::optional<std::string>& s);

    void write_bytes(std::span<const uint8_t> b);
    void write_nullable_bytes(const std::optional<std::vector<uint8_t>>& b);
    void write_compact_bytes(std::span<const uint8_t> b);
    void write_compact_nullable_bytes(const std::optional<std::vector<uint8_t>>& b);

    // In-memory records are copied into the buffer; file slices become splices.
    void write_records(const Records& r, bool compact);

    // `n` = -1 writes a null array.
    void write_array_length(int32_t n, bool compact);

    void write_raw(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }

    // Overwrites four bytes written earlier (a frame's size prefix, say).
    void patch_int32(size_t at, int32_t v);

    // Bytes written so far, in memory and in splices.
    int64_t total_size() const { return static_cast<int64_t>(buf_.size()) + spliced_bytes_; }

    std::vector<uint8_t>& buffer() { return buf_; }
    const std::vector<uint8_t>& buffer() const { return buf_; }
    const std::vector<Splice>& splices() const { return splices_; }

  private:
    template <typename U>
    void write_be(U v) {
        uint8_t b[sizeof(U)];
        for (size_t i = 0; i < sizeof(U); ++i) {
            b[i] = static_cast<uint8_t>(v >> (8 * (sizeof(U) - 1 - i)));
        }
        buf_.insert(buf_.end(), b, b + sizeof(U));
    }

    std::vector<uint8_t> buf_;
    std::vector<Splice> splices_;
    int64_t spliced_bytes_ = 0;
};

// Size of the unsigned varint encoding of v (1..5 bytes).
inline size_t unsigned_varint_size(uint32_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

}  // namespace samsa::protocol
