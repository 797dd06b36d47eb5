#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace samsa {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
    EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, MatchesRfc3720Vectors) {
    std::vector<uint8_t> zeros(32, 0x00);
    std::vector<uint8_t> ones(32, 0xFF);
    std::vector<uint8_t> ascending(32);
    for (int i = 0; i < 32; ++i) {
        ascending[i] = static_cast<uint8_t>(i);
    }
    EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
    EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
    EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
    EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32cTest, HardwareEqualsSoftwareOnRandomBuffersOfEveryShape) {
    if (!crc32c_hardware_available()) {
        GTEST_SKIP() << "no SSE4.2";
    }
    std::mt19937 rng(42);
    std::vector<uint8_t> buf(200'000);
    for (auto& b : buf) {
        b = static_cast<uint8_t>(rng());
    }
    // Lengths around the 3-way block boundaries and misaligned starts.
    for (size_t len :
         {0, 1, 7, 8, 9, 255, 256, 767, 768, 769, 5000, 24575, 24576, 24577, 100000, 199990}) {
        for (size_t start : {0, 1, 3, 7}) {
            const uint8_t* p = buf.data() + start;
            ASSERT_EQ(crc32c_hardware(0, p, len), crc32c_software(0, p, len))
                << "len " << len << " start " << start;
        }
    }
}

TEST(Crc32cTest, ExtendEqualsOneShot) {
    auto all = bytes_of("The quick brown fox jumps over the lazy dog");
    uint32_t crc = crc32c_extend(0, all.data(), 10);
    crc = crc32c_extend(crc, all.data() + 10, all.size() - 10);
    EXPECT_EQ(crc, crc32c(all));
    uint32_t sw = crc32c_software(0, all.data(), 10);
    sw = crc32c_software(sw, all.data() + 10, all.size() - 10);
    EXPECT_EQ(sw, crc32c(all));
}

}  // namespace
}  // namespace samsa
