#include "broker/log/throttler.h"

#include <limits>

namespace samsa::log {

Throttler::Throttler(double bytes_per_second, Sleep sleep, int64_t check_interval_ms)
    : rate_(bytes_per_second),
      sleep_(std::move(sleep)),
      check_interval_ms_(check_interval_ms),
      period_start_(std::chrono::steady_clock::now()) {}

void Throttler::maybe_throttle(int64_t bytes) {
    if (rate_ >= std::numeric_limits<double>::max() || rate_ <= 0) {
        return;
    }
    std::chrono::milliseconds pause{0};
    {
        std::lock_guard lock(mu_);
        observed_ += bytes;
        auto now = std::chrono::steady_clock::now();
        auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - period_start_).count();
        if (elapsed < check_interval_ms_) {
            return;
        }
        double wanted_ms = static_cast<double>(observed_) * 1000.0 / rate_;
        if (wanted_ms > static_cast<double>(elapsed)) {
            pause = std::chrono::milliseconds(static_cast<int64_t>(wanted_ms) - elapsed);
        }
        observed_ = 0;
        period_start_ = now + pause;
    }
    if (pause.count() > 0) {
        sleep_(pause);
    }
}

}  // namespace samsa::log
