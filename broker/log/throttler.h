#pragma once
// Throttler: holds a thread's I/O to a rate in bytes per second (Kafka's utils.Throttler, as
// the log cleaner uses it for log.cleaner.io.max.bytes.per.second). Callers report the bytes
// they read or wrote; every check interval the observed rate is compared with the desired one
// and, when above it, the caller sleeps long enough to fall back to it.
//
// Thread-safe: the cleaner threads share one, as Kafka's do.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace samsa::log {

class Throttler {
  public:
    // `sleep` waits for the given time, or less if the owner is stopping.
    using Sleep = std::function<void(std::chrono::milliseconds)>;

    Throttler(double bytes_per_second, Sleep sleep, int64_t check_interval_ms = 300);

    void maybe_throttle(int64_t bytes);

  private:
    const double rate_;
    const Sleep sleep_;
    const int64_t check_interval_ms_;
    std::mutex mu_;
    std::chrono::steady_clock::time_point period_start_;  // guarded by mu_
    int64_t observed_ = 0;                                // guarded by mu_
};

}  // namespace samsa::log
