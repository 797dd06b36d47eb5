// Every generated message at every version it defines: a sample with every field set (and a
// variant with nulls) encodes, decodes back to itself and re-encodes to the same bytes; every
// proper prefix of an encoding fails with DecodeError; unknown tagged fields are skipped.

#include "broker/protocol/generated/testing/samples.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace samsa::protocol {
namespace {

template <typename Tuple>
struct ToTypes;
template <typename... T>
struct ToTypes<std::tuple<T...>> {
    using type = ::testing::Types<T...>;
};

struct MessageName {
    template <typename T>
    static std::string GetName(int) {
        return std::string(T::kName);
    }
};

template <typename T>
std::vector<uint8_t> encoded(const T& m, int16_t version) {
    Writer w;
    m.encode(w, version);
    EXPECT_TRUE(w.splices().empty());
    return w.buffer();
}

template <typename T>
T sample(int16_t version, int variant) {
    T m;
    samples::fill_sample(m, version, variant);
    return m;
}

template <typename T>
class RoundTripTest : public ::testing::Test {};

TYPED_TEST_SUITE(RoundTripTest, ToTypes<samples::AllMessages>::type, MessageName);

TYPED_TEST(RoundTripTest, EveryVersionDecodesToWhatWasEncoded) {
    using T = TypeParam;
    for (int16_t v = T::kLowestVersion; v <= T::kHighestVersion; ++v) {
        for (int variant = 0; variant < samples::kVariants; ++variant) {
            SCOPED_TRACE("version " + std::to_string(v) + " variant " + std::to_string(variant));
            const T original = sample<T>(v, variant);
            const std::vector<uint8_t> bytes = encoded(original, v);
            Reader r(bytes);
            T decoded;
            decoded.decode(r, v);
            EXPECT_EQ(r.remaining(), 0u);
            EXPECT_TRUE(decoded == original);
            EXPECT_EQ(encoded(decoded, v), bytes);
        }
    }
}

TYPED_TEST(RoundTripTest, SampleDiffersFromTheDefaultsWhereverAFieldExists) {
    using T = TypeParam;
    for (int16_t v = T::kLowestVersion; v <= T::kHighestVersion; ++v) {
        SCOPED_TRACE("version " + std::to_string(v));
        const std::vector<uint8_t> defaults = encoded(T{}, v);
        // Bodies without fields: ApiVersionsRequest v0-2 (nothing at all) and ListGroupsRequest
        // v3 (flexible: only the empty tagged-field section).
        const bool no_fields =
            defaults.empty() || (v >= T::kFlexibleFrom && defaults == std::vector<uint8_t>{0});
        if (!no_fields) {
            EXPECT_NE(encoded(sample<T>(v, 0), v), defaults);
        }
    }
}

TYPED_TEST(RoundTripTest, EveryTruncationFailsWithDecodeError) {
    using T = TypeParam;
    for (int16_t v = T::kLowestVersion; v <= T::kHighestVersion; ++v) {
        for (int variant = 0; variant < samples::kVariants; ++variant) {
            const std::vector<uint8_t> bytes = encoded(sample<T>(v, variant), v);
            for (size_t len = 0; len < bytes.size(); ++len) {
                SCOPED_TRACE("version " + std::to_string(v) + " variant " +
                             std::to_string(variant) + " prefix " + std::to_string(len));
                Reader r(std::span<const uint8_t>(bytes.data(), len));
                T decoded;
                EXPECT_THROW(decoded.decode(r, v), DecodeError);
            }
        }
    }
}

TYPED_TEST(RoundTripTest, UnknownVersionsAreRejected) {
    using T = TypeParam;
    const std::vector<uint8_t> bytes(64, 0);
    for (int16_t v : {int16_t(T::kLowestVersion - 1), int16_t(T::kHighestVersion + 1)}) {
        Reader r(bytes);
        T m;
        EXPECT_THROW(m.decode(r, v), DecodeError);
        Writer w;
        EXPECT_THROW(m.encode(w, v), std::logic_error);
    }
}

TYPED_TEST(RoundTripTest, UnknownTaggedFieldsAreSkipped) {
    using T = TypeParam;
    if (T::kFlexibleFrom > T::kHighestVersion) {
        GTEST_SKIP() << "never flexible";
    }
    for (int16_t v = T::kFlexibleFrom; v <= T::kHighestVersion; ++v) {
        SCOPED_TRACE("version " + std::to_string(v));
        // With every field at its default no tagged field is written, so the body ends with
        // the top level's empty tagged-field section: one 0x00 byte.
        const T defaults{};
        std::vector<uint8_t> bytes = encoded(defaults, v);
        ASSERT_FALSE(bytes.empty());
        ASSERT_EQ(bytes.back(), 0x00);
        bytes.back() = 2;  // two tagged fields, unknown to us
        // Tag 100 with three bytes, then tag 200 (a two-byte varint) with none.
        bytes.insert(bytes.end(), {0x64, 0x03, 0x61, 0x62, 0x63, 0xc8, 0x01, 0x00});
        Reader r(bytes);
        T decoded;
        decoded.decode(r, v);
        EXPECT_EQ(r.remaining(), 0u);
        EXPECT_TRUE(decoded == defaults);
    }
}

}  // namespace
}  // namespace samsa::protocol
