// CleanerOffsetMap: key -> latest offset, bounded memory.
#include "broker/log/offset_map.h"

#include <gtest/gtest.h>

#include <string>

namespace samsa::log::test {
namespace {

std::span<const uint8_t> key(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(CleanerOffsetMapTest, KeepsTheLatestOffsetPerKey) {
    CleanerOffsetMap map(24 * 100);
    EXPECT_EQ(map.get(key("a")), -1);
    map.put(key("a"), 1);
    map.put(key("b"), 2);
    map.put(key("a"), 7);
    EXPECT_EQ(map.get(key("a")), 7);
    EXPECT_EQ(map.get(key("b")), 2);
    EXPECT_EQ(map.get(key("c")), -1);
    EXPECT_EQ(map.size(), 2u);
    EXPECT_EQ(map.latest_offset(), 7);
}

TEST(CleanerOffsetMapTest, CapacityFollowsMemoryAndLoadFactor) {
    CleanerOffsetMap map(24 * 100, 0.5);
    EXPECT_EQ(map.slots(), 100u);
    EXPECT_EQ(map.capacity(), 50u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_FALSE(map.full());
        map.put(key("key-" + std::to_string(i)), i);
    }
    EXPECT_TRUE(map.full());
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(map.get(key("key-" + std::to_string(i))), i);
    }
    // A present key can still be updated when full.
    map.put(key("key-3"), 99);
    EXPECT_EQ(map.get(key("key-3")), 99);
    EXPECT_EQ(map.get(key("absent")), -1);
}

TEST(CleanerOffsetMapTest, FullTableWithLoadFactorOneStillAnswers) {
    CleanerOffsetMap map(24 * 4, 1.0);
    for (int i = 0; i < 4; ++i) {
        map.put(key(std::to_string(i)), i * 10);
    }
    EXPECT_TRUE(map.full());
    EXPECT_EQ(map.get(key("2")), 20);
    EXPECT_EQ(map.get(key("nope")), -1);
}

TEST(CleanerOffsetMapTest, ClearForgetsEverything) {
    CleanerOffsetMap map(24 * 10);
    map.put(key("a"), 5);
    map.clear();
    EXPECT_EQ(map.size(), 0u);
    EXPECT_EQ(map.get(key("a")), -1);
    EXPECT_EQ(map.latest_offset(), -1);
    map.put(key("a"), 6);
    EXPECT_EQ(map.get(key("a")), 6);
}

TEST(CleanerOffsetMapTest, EmptyKeyIsAKey) {
    CleanerOffsetMap map(24 * 10);
    map.put(key(""), 3);
    EXPECT_EQ(map.get(key("")), 3);
}

}  // namespace
}  // namespace samsa::log::test
