#pragma once
// FakeScheduler: a Scheduler whose clock only moves when the test says so. Tasks run from
// advance(), in deadline order, on the test's thread, never from schedule() itself.

#include "broker/group/scheduler.h"

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace samsa::group::testing {

class FakeScheduler final : public Scheduler {
  public:
    int64_t now_ms() const override { return now_; }

    uint64_t schedule(int64_t delay_ms, std::function<void()> task) override {
        const uint64_t id = next_id_++;
        tasks_[id] = Task{now_ + std::max<int64_t>(0, delay_ms), std::move(task)};
        return id;
    }

    void cancel(uint64_t id) override { tasks_.erase(id); }

    // Runs every task due within `ms` (and the tasks those schedule), moving the clock to
    // each task's deadline, then to now + ms.
    void advance(int64_t ms) {
        const int64_t target = now_ + ms;
        for (;;) {
            auto next = tasks_.end();
            for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
                if (it->second.due <= target &&
                    (next == tasks_.end() || it->second.due < next->second.due)) {
                    next = it;
                }
            }
            if (next == tasks_.end()) {
                break;
            }
            now_ = std::max(now_, next->second.due);
            auto task = std::move(next->second.fn);
            tasks_.erase(next);
            task();
        }
        now_ = target;
    }

    // Runs what is due now.
    void run_due() { advance(0); }

    size_t pending() const { return tasks_.size(); }

  private:
    struct Task {
        int64_t due = 0;
        std::function<void()> fn;
    };
    int64_t now_ = 1'700'000'000'000;
    uint64_t next_id_ = 1;
    std::map<uint64_t, Task> tasks_;
};

}  // namespace samsa::group::testing
