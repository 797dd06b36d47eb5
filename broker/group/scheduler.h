#pragma once
// Scheduler: the coordinator's clock and timers (session expiry, rebalance deadlines, the
// initial rebalance delay, offset expiry). An interface so that unit tests drive time by hand
// (tests/unit/group/fake_scheduler.h) and the broker uses Asio timers (asio_scheduler.h).

#include <cstdint>
#include <functional>

namespace samsa::group {

class Scheduler {
  public:
    virtual ~Scheduler() = default;
    // Wall-clock milliseconds (commit timestamps, state timestamps, deadlines).
    virtual int64_t now_ms() const = 0;
    // Runs `task` once after `delay_ms`, on some thread other than the caller's (never inline:
    // the caller may hold locks the task takes). Returns an id for cancel().
    virtual uint64_t schedule(int64_t delay_ms, std::function<void()> task) = 0;
    // Best effort: the task may already be running. Tasks check that they are still current.
    virtual void cancel(uint64_t id) = 0;
};

}  // namespace samsa::group
