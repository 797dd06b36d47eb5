// ReadBuffer: pending bytes survive compaction and growth; the large block comes and goes.

#include "broker/net/read_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace samsa::net {
namespace {

std::string text(std::span<const uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void receive(ReadBuffer& buffer, const std::string& bytes, size_t wanted = 1) {
    auto space = buffer.prepare(wanted);
    ASSERT_GE(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), bytes.size());
    buffer.commit(bytes.size());
}

TEST(ReadBufferTest, StartsSmallAndHandsOutItsFreeSpace) {
    ReadBuffer buffer;
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kSmallBytes);
    EXPECT_TRUE(buffer.data().empty());
    receive(buffer, "hello");
    EXPECT_EQ(text(buffer.data()), "hello");
    EXPECT_EQ(buffer.prepare(1).size(), ReadBuffer::kSmallBytes - 5);
}

TEST(ReadBufferTest, ConsumeAdvancesAndAnEmptyBufferStartsOver) {
    ReadBuffer buffer;
    receive(buffer, "abcdef");
    buffer.consume(2);
    EXPECT_EQ(text(buffer.data()), "cdef");
    buffer.consume(4);
    EXPECT_TRUE(buffer.data().empty());
    EXPECT_EQ(buffer.prepare(1).size(), ReadBuffer::kSmallBytes);
}

TEST(ReadBufferTest, CompactsWhenTheTailIsTooShort) {
    ReadBuffer buffer;
    receive(buffer, std::string(ReadBuffer::kSmallBytes - 30, 'x') + "0123456789");
    buffer.consume(ReadBuffer::kSmallBytes - 30);
    // 10 bytes pending 20 bytes from the end: asking for 100 more moves them to the front.
    auto space = buffer.prepare(100);
    EXPECT_EQ(space.size(), ReadBuffer::kSmallBytes - 10);
    EXPECT_EQ(text(buffer.data()), "0123456789");
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kSmallBytes);
}

TEST(ReadBufferTest, GrowsForAFrameLargerThanTheSmallBlockKeepingPendingBytes) {
    ReadBuffer buffer;
    receive(buffer, "head");
    auto space = buffer.prepare(10000);
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kLargeBytes);
    EXPECT_EQ(space.size(), ReadBuffer::kLargeBytes - 4);
    EXPECT_EQ(text(buffer.data()), "head");
}

TEST(ReadBufferTest, GrowsAfterAReadThatFilledTheBuffer) {
    ReadBuffer buffer;
    receive(buffer, std::string(ReadBuffer::kSmallBytes, 'y'));
    buffer.consume(ReadBuffer::kSmallBytes - 1);
    buffer.prepare(1);
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kLargeBytes);
    EXPECT_EQ(text(buffer.data()), "y");
}

TEST(ReadBufferTest, ShrinksOnlyWhenNothingIsPending) {
    ReadBuffer buffer;
    buffer.prepare(ReadBuffer::kSmallBytes + 1);
    ASSERT_EQ(buffer.capacity(), ReadBuffer::kLargeBytes);
    receive(buffer, "pending");
    buffer.shrink_if_empty();
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kLargeBytes);
    EXPECT_EQ(text(buffer.data()), "pending");
    buffer.consume(7);
    buffer.shrink_if_empty();
    EXPECT_EQ(buffer.capacity(), ReadBuffer::kSmallBytes);
}

TEST(ReadBufferTest, WantedIsCappedAtTheLargeBlock) {
    ReadBuffer buffer;
    EXPECT_EQ(buffer.prepare(10 << 20).size(), ReadBuffer::kLargeBytes);
}

}  // namespace
}  // namespace samsa::net
