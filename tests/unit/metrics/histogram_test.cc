// Histogram buckets (doubling from 10 µs) and the percentiles read from them.

#include "broker/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace samsa::metrics {
namespace {

class HistogramTest : public ::testing::Test {
  protected:
    void SetUp() override { set_enabled(true); }
    void TearDown() override { set_enabled(false); }
};

TEST_F(HistogramTest, BucketBoundsDoubleFromTenMicroseconds) {
    EXPECT_DOUBLE_EQ(Histogram::upper_bound_ms(0), 0.01);
    EXPECT_DOUBLE_EQ(Histogram::upper_bound_ms(1), 0.02);
    EXPECT_DOUBLE_EQ(Histogram::upper_bound_ms(10), 10.24);
    EXPECT_TRUE(std::isinf(Histogram::upper_bound_ms(Histogram::kBuckets - 1)));
}

TEST_F(HistogramTest, ValuesLandInTheBucketWhoseBoundCoversThem) {
    Histogram h;
    h.observe_us(0);   // bucket 0 (<= 10 µs)
    h.observe_us(10);  // bucket 0
    h.observe_us(11);  // bucket 1 (<= 20 µs)
    h.observe_us(20);  // bucket 1
    h.observe_us(21);  // bucket 2 (<= 40 µs)
    const auto s = h.snapshot();
    EXPECT_EQ(s.buckets[0], 2u);
    EXPECT_EQ(s.buckets[1], 2u);
    EXPECT_EQ(s.buckets[2], 1u);
    EXPECT_EQ(s.count, 5u);
    EXPECT_DOUBLE_EQ(s.sum_ms, 0.062);
}

TEST_F(HistogramTest, HugeValuesGoToTheLastBucketAndReportAFiniteQuantile) {
    Histogram h;
    h.observe_us(uint64_t{1} << 40);
    const auto s = h.snapshot();
    EXPECT_EQ(s.buckets[Histogram::kBuckets - 1], 1u);
    EXPECT_FALSE(std::isinf(s.quantile_ms(0.5)));
    EXPECT_GT(s.quantile_ms(0.5), Histogram::upper_bound_ms(Histogram::kBuckets - 2));
}

TEST_F(HistogramTest, QuantilesAreTheBoundOfTheBucketHoldingTheRank) {
    Histogram h;
    for (int i = 0; i < 90; ++i) {
        h.observe_us(5);  // bucket 0: 0.01 ms
    }
    for (int i = 0; i < 9; ++i) {
        h.observe_us(1000);  // 1 ms: bucket 7 (<= 1.28 ms)
    }
    h.observe_us(100000);  // 100 ms: bucket 14 (<= 163.84 ms)
    const auto s = h.snapshot();
    EXPECT_DOUBLE_EQ(s.quantile_ms(0.5), 0.01);
    EXPECT_DOUBLE_EQ(s.quantile_ms(0.9), 0.01);   // rank 90 is the last fast one
    EXPECT_DOUBLE_EQ(s.quantile_ms(0.95), 1.28);  // rank 95
    EXPECT_DOUBLE_EQ(s.quantile_ms(0.99), 1.28);  // rank 99
    EXPECT_DOUBLE_EQ(s.quantile_ms(0.999), 163.84);
}

TEST_F(HistogramTest, EmptyHistogramReportsZero) {
    Histogram h;
    EXPECT_EQ(h.snapshot().quantile_ms(0.99), 0.0);
}

TEST_F(HistogramTest, ObservationsFromManyThreadsAllCount) {
    Histogram h;
    Counter c;
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                h.observe_us(50);
                c.add();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(h.snapshot().count, 12000u);
    EXPECT_EQ(c.value(), 12000u);
}

}  // namespace
}  // namespace samsa::metrics
