#pragma once
// Histogram: latencies in nanoseconds, for percentiles of millions of samples without keeping
// them. Log-linear buckets: exact below 128 ns, then 64 per power of two, so a reported value
// is within 1.6% of the true one (the maximum is exact). Not thread-safe: one per thread,
// merged at the end.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace samsa::loadgen {

class Histogram {
  public:
    void record(int64_t ns) {
        uint64_t v = ns > 0 ? static_cast<uint64_t>(ns) : 0;
        ++counts_[bucket_of(v)];
        ++count_;
        max_ = std::max(max_, v);
    }
    void merge(const Histogram& other) {
        for (size_t i = 0; i < kBuckets; ++i) {
            counts_[i] += other.counts_[i];
        }
        count_ += other.count_;
        max_ = std::max(max_, other.max_);
    }
    uint64_t count() const { return count_; }
    double max_us() const { return static_cast<double>(max_) / 1e3; }
    // The value at quantile q (0..1) in microseconds, 0 when empty.
    double percentile_us(double q) const {
        if (count_ == 0) {
            return 0;
        }
        auto rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
        uint64_t seen = 0;
        for (size_t i = 0; i < kBuckets; ++i) {
            seen += counts_[i];
            if (seen >= rank) {
                return static_cast<double>(std::min(middle_of(i), max_)) / 1e3;
            }
        }
        return max_us();
    }

  private:
    // Bucket b >= 128 holds [m << s, (m + 1) << s) with s = b / 64 - 1 and m = 64 + b % 64;
    // the largest uint64 lands in bucket 57 * 64 + 127.
    static constexpr size_t kBuckets = 59 * 64;

    static size_t bucket_of(uint64_t v) {
        if (v < 128) {
            return v;
        }
        int shift = std::bit_width(v) - 7;
        return static_cast<size_t>(shift) * 64 + static_cast<size_t>(v >> shift);
    }
    static uint64_t middle_of(size_t bucket) {
        if (bucket < 128) {
            return bucket;
        }
        size_t shift = bucket / 64 - 1;
        return ((bucket % 64 + 64) << shift) + (uint64_t{1} << shift) / 2;
    }

    std::vector<uint64_t> counts_ = std::vector<uint64_t>(kBuckets);
    uint64_t count_ = 0;
    uint64_t max_ = 0;
};

}  // namespace samsa::loadgen
