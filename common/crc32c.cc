#include "common/crc32c.h"

#include <boost/crc.hpp>

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace samsa {
namespace {

constexpr uint32_t kPoly = 0x82F63B78;  // reflected 0x1EDC6F41

// Combining interleaved streams: the CRC register of stream A must be advanced past the bytes
// of stream B as if B were zeros, then xor-ed with B's register (CRCs are linear over GF(2)).
// "Advance by n zero bytes" is a 32x32 bit matrix, applied here as four 256-entry tables,
// built once per stream length by repeated squaring (Mark Adler's construction).
using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

uint32_t gf2_times(const uint32_t* mat, uint32_t vec) {
    uint32_t sum = 0;
    for (; vec != 0; vec >>= 1, ++mat) {
        if (vec & 1) {
            sum ^= *mat;
        }
    }
    return sum;
}

void gf2_square(uint32_t* square, const uint32_t* mat) {
    for (int n = 0; n < 32; ++n) {
        square[n] = gf2_times(mat, mat[n]);
    }
}

// Builds the operator that appends `len` zero bytes (`len` a power of two) into `even`.
void zeros_operator(uint32_t* even, size_t len) {
    uint32_t odd[32];
    odd[0] = kPoly;  // one zero bit
    for (uint32_t n = 1, row = 1; n < 32; ++n, row <<= 1) {
        odd[n] = row;
    }
    gf2_square(even, odd);  // two zero bits
    gf2_square(odd, even);  // four zero bits
    for (;;) {
        gf2_square(even, odd);  // first pass: one zero byte
        len >>= 1;
        if (len == 0) {
            return;
        }
        gf2_square(odd, even);
        len >>= 1;
        if (len == 0) {
            std::memcpy(even, odd, sizeof(odd));
            return;
        }
    }
}

ShiftTable make_shift_table(size_t len) {
    uint32_t op[32];
    zeros_operator(op, len);
    ShiftTable t{};
    for (uint32_t n = 0; n < 256; ++n) {
        for (int b = 0; b < 4; ++b) {
            t[b][n] = gf2_times(op, n << (8 * b));
        }
    }
    return t;
}

[[maybe_unused]] uint32_t shift(const ShiftTable& t, uint32_t crc) {
    return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
}

constexpr size_t kLong = 8192;  // bytes per stream for buffers of 24 KiB and more
constexpr size_t kShort = 256;  // bytes per stream for buffers of 768 B and more

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

// Three streams of `block` bytes each, `rounds` times; returns the advanced register.
__attribute__((target("sse4.2"))) uint64_t crc_3way(uint64_t crc0, const uint8_t*& next,
                                                    size_t& size, size_t block,
                                                    const ShiftTable& table) {
    while (size >= 3 * block) {
        uint64_t crc1 = 0;
        uint64_t crc2 = 0;
        const uint8_t* end = next + block;
        do {
            crc0 = _mm_crc32_u64(crc0, load64(next));
            crc1 = _mm_crc32_u64(crc1, load64(next + block));
            crc2 = _mm_crc32_u64(crc2, load64(next + 2 * block));
            next += 8;
        } while (next < end);
        crc0 = shift(table, static_cast<uint32_t>(crc0)) ^ crc1;
        crc0 = shift(table, static_cast<uint32_t>(crc0)) ^ crc2;
        next += 2 * block;
        size -= 3 * block;
    }
    return crc0;
}
#endif

}  // namespace

bool crc32c_hardware_available() {
#if defined(__x86_64__)
    static const bool available = __builtin_cpu_supports("sse4.2");
    return available;
#else
    return false;
#endif
}

uint32_t crc32c_software(uint32_t crc, const uint8_t* data, size_t size) {
    // Boost takes the initial remainder unreflected; ours continues a reflected register.
    uint32_t init = 0;
    for (uint32_t v = crc ^ 0xFFFFFFFF, i = 0; i < 32; ++i) {
        init |= ((v >> i) & 1u) << (31 - i);
    }
    boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> engine(init);
    engine.process_bytes(data, size);
    return engine.checksum();
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_hardware(uint32_t crc, const uint8_t* data,
                                                           size_t size) {
    static const ShiftTable long_table = make_shift_table(kLong);
    static const ShiftTable short_table = make_shift_table(kShort);

    const uint8_t* next = data;
    uint64_t crc0 = crc ^ 0xFFFFFFFF;
    while (size > 0 && (reinterpret_cast<uintptr_t>(next) & 7) != 0) {
        crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *next++);
        --size;
    }
    crc0 = crc_3way(crc0, next, size, kLong, long_table);
    crc0 = crc_3way(crc0, next, size, kShort, short_table);
    for (; size >= 8; size -= 8, next += 8) {
        crc0 = _mm_crc32_u64(crc0, load64(next));
    }
    for (; size > 0; --size) {
        crc0 = _mm_crc32_u8(static_cast<uint32_t>(crc0), *next++);
    }
    return static_cast<uint32_t>(crc0) ^ 0xFFFFFFFF;
}
#else
uint32_t crc32c_hardware(uint32_t crc, const uint8_t* data, size_t size) {
    return crc32c_software(crc, data, size);
}
#endif

uint32_t crc32c_extend(uint32_t crc, const uint8_t* data, size_t size) {
    return crc32c_hardware_available() ? crc32c_hardware(crc, data, size)
                                       : crc32c_software(crc, data, size);
}

uint32_t crc32c(std::span<const uint8_t> data) {
    return crc32c_extend(0, data.data(), data.size());
}

}  // namespace samsa
