// Throttler: sleeps once the observed rate is above the desired one.
#include "broker/log/throttler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace samsa::log::test {
namespace {

TEST(ThrottlerTest, SleepsWhenAboveTheRate) {
    std::chrono::milliseconds slept{0};
    Throttler t(
        1000.0, [&](std::chrono::milliseconds ms) { slept += ms; }, /*check ms=*/1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    t.maybe_throttle(1000);  // 1000 bytes at 1000 B/s: about a second in all
    EXPECT_GE(slept.count(), 900);
    EXPECT_LE(slept.count(), 1000);
}

TEST(ThrottlerTest, UnlimitedNeverSleeps) {
    bool slept = false;
    Throttler t(
        std::numeric_limits<double>::max(), [&](std::chrono::milliseconds) { slept = true; }, 0);
    t.maybe_throttle(1 << 30);
    EXPECT_FALSE(slept);
}

}  // namespace
}  // namespace samsa::log::test
