// Primitive encodings: varint edge values, overlong varints, compact null vs empty.

#include "broker/protocol/wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace samsa::protocol {
namespace {

using Bytes = std::vector<uint8_t>;

template <typename Fn>
Bytes written(Fn fn) {
    Writer w;
    fn(w);
    return w.buffer();
}

TEST(WireTest, VarintEdgeValuesHaveTheirZigZagEncoding) {
    EXPECT_EQ(written([](Writer& w) { w.write_varint(0); }), Bytes({0x00}));
    EXPECT_EQ(written([](Writer& w) { w.write_varint(-1); }), Bytes({0x01}));
    EXPECT_EQ(written([](Writer& w) { w.write_varint(1); }), Bytes({0x02}));
    EXPECT_EQ(written([](Writer& w) { w.write_varint(INT32_MAX); }),
              Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f}));
    EXPECT_EQ(written([](Writer& w) { w.write_varint(INT32_MIN); }),
              Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST(WireTest, VarintEdgeValuesRoundTrip) {
    for (int32_t v : {0, -1, 1, 63, -64, 64, INT32_MIN, INT32_MAX}) {
        Bytes b = written([v](Writer& w) { w.write_varint(v); });
        Reader r(b);
        EXPECT_EQ(r.read_varint(), v);
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(WireTest, VarlongEdgeValuesRoundTrip) {
    EXPECT_EQ(written([](Writer& w) { w.write_varlong(INT64_MIN); }),
              Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
    EXPECT_EQ(written([](Writer& w) { w.write_varlong(INT64_MAX); }),
              Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
    for (int64_t v :
         {int64_t{0}, int64_t{-1}, int64_t{INT32_MIN}, int64_t{INT32_MAX}, INT64_MIN, INT64_MAX}) {
        Bytes b = written([v](Writer& w) { w.write_varlong(v); });
        Reader r(b);
        EXPECT_EQ(r.read_varlong(), v);
        EXPECT_EQ(r.remaining(), 0u);
    }
}

TEST(WireTest, UnsignedVarintUsesSevenBitsPerByte) {
    EXPECT_EQ(written([](Writer& w) { w.write_unsigned_varint(127); }), Bytes({0x7f}));
    EXPECT_EQ(written([](Writer& w) { w.write_unsigned_varint(128); }), Bytes({0x80, 0x01}));
    Bytes max = written([](Writer& w) { w.write_unsigned_varint(UINT32_MAX); });
    EXPECT_EQ(max, Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
    EXPECT_EQ(max.size(), unsigned_varint_size(UINT32_MAX));
    Reader r(max);
    EXPECT_EQ(r.read_unsigned_varint(), UINT32_MAX);
}

TEST(WireTest, OverlongVarintsAreRejected) {
    const Bytes six_bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    const Bytes too_wide = {0xff, 0xff, 0xff, 0xff, 0x1f};
    Reader a(six_bytes);
    EXPECT_THROW(a.read_unsigned_varint(), DecodeError);
    Reader b(too_wide);
    EXPECT_THROW(b.read_unsigned_varint(), DecodeError);
    Reader c(six_bytes);
    EXPECT_THROW(c.read_varint(), DecodeError);

    const Bytes eleven_bytes(10, 0x80);
    Reader d(eleven_bytes);
    EXPECT_THROW(d.read_varlong(), DecodeError);
    Bytes ten_too_wide(9, 0xff);
    ten_too_wide.push_back(0x02);
    Reader e(ten_too_wide);
    EXPECT_THROW(e.read_varlong(), DecodeError);
}

TEST(WireTest, TruncatedVarintIsRejected) {
    const Bytes truncated = {0x80, 0x80};
    Reader r(truncated);
    EXPECT_THROW(r.read_unsigned_varint(), DecodeError);
}

TEST(WireTest, CompactNullAndEmptyDiffer) {
    EXPECT_EQ(written([](Writer& w) { w.write_compact_nullable_string(std::nullopt); }),
              Bytes({0x00}));
    EXPECT_EQ(written([](Writer& w) { w.write_compact_string(""); }), Bytes({0x01}));
    EXPECT_EQ(written([](Writer& w) { w.write_compact_nullable_bytes(std::nullopt); }),
              Bytes({0x00}));
    EXPECT_EQ(written([](Writer& w) { w.write_compact_bytes({}); }), Bytes({0x01}));
    EXPECT_EQ(written([](Writer& w) { w.write_array_length(-1, true); }), Bytes({0x00}));
    EXPECT_EQ(written([](Writer& w) { w.write_array_length(0, true); }), Bytes({0x01}));

    const Bytes null = {0x00};
    const Bytes empty = {0x01};
    EXPECT_EQ(Reader(null).read_compact_nullable_string(), std::nullopt);
    EXPECT_EQ(Reader(empty).read_compact_nullable_string(), std::optional<std::string>(""));
    EXPECT_THROW(Reader(null).read_compact_string(), DecodeError);
    EXPECT_EQ(Reader(empty).read_compact_string(), "");
    EXPECT_THROW(Reader(null).read_compact_bytes(), DecodeError);
    EXPECT_TRUE(Reader(empty).read_compact_bytes().empty());
    EXPECT_EQ(Reader(null).read_array_length(true), -1);
    EXPECT_EQ(Reader(empty).read_array_length(true), 0);
    EXPECT_TRUE(Reader(null).read_records(true).is_null());
    Records none = Reader(empty).read_records(true);
    EXPECT_FALSE(none.is_null());
    EXPECT_EQ(none.size_bytes(), 0);
}

TEST(WireTest, ClassicNullIsMinusOne) {
    EXPECT_EQ(written([](Writer& w) { w.write_nullable_string(std::nullopt); }),
              Bytes({0xff, 0xff}));
    EXPECT_EQ(written([](Writer& w) { w.write_nullable_bytes(std::nullopt); }),
              Bytes({0xff, 0xff, 0xff, 0xff}));
    const Bytes null16 = {0xff, 0xff};
    EXPECT_THROW(Reader(null16).read_string(), DecodeError);
    EXPECT_EQ(Reader(null16).read_nullable_string(), std::nullopt);
}

TEST(WireTest, LengthsBeyondTheBufferAreRejected) {
    const Bytes string_len_5 = {0x00, 0x05, 'a', 'b'};
    EXPECT_THROW(Reader(string_len_5).read_string(), DecodeError);
    const Bytes array_of_1000 = {0x00, 0x00, 0x03, 0xe8, 0x00};
    EXPECT_THROW(Reader(array_of_1000).read_array_length(false), DecodeError);
    const Bytes negative_len = {0xff, 0xfe};
    EXPECT_THROW(Reader(negative_len).read_nullable_string(), DecodeError);
}

TEST(WireTest, OversizedClassicStringCannotBeWritten) {
    Writer w;
    EXPECT_THROW(w.write_string(std::string(40000, 'x')), std::length_error);
}

TEST(WireTest, FixedWidthValuesAreBigEndian) {
    Bytes b = written([](Writer& w) {
        w.write_int16(-2);
        w.write_int32(0x01020304);
        w.write_uint16(0xfffe);
        w.write_float64(1.5);
    });
    EXPECT_EQ(
        b, Bytes({0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
    Reader r(b);
    EXPECT_EQ(r.read_int16(), -2);
    EXPECT_EQ(r.read_int32(), 0x01020304);
    EXPECT_EQ(r.read_uint16(), 0xfffe);
    EXPECT_EQ(r.read_float64(), 1.5);
}

}  // namespace
}  // namespace samsa::protocol
