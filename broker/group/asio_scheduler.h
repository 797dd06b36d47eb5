#pragma once
// AsioScheduler: Scheduler over steady_timers on an executor (the broker's I/O pool). Asio
// stays in the .cc.

#include "broker/group/scheduler.h"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace samsa::group {

class AsioScheduler final : public Scheduler {
  public:
    explicit AsioScheduler(boost::asio::any_io_executor executor);
    ~AsioScheduler() override;

    int64_t now_ms() const override;
    uint64_t schedule(int64_t delay_ms, std::function<void()> task) override;
    void cancel(uint64_t id) override;
    // Cancels every timer and runs no task from now on; waits for a running task to finish.
    // The executor can then be joined without waiting for far-off timers.
    void shutdown();

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace samsa::group
