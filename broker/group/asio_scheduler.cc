#include "broker/group/asio_scheduler.h"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <shared_mutex>

namespace samsa::group {

// Shared with the timers' handlers, so a handler that outlives the scheduler finds it stopped.
struct AsioScheduler::State {
    explicit State(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}
    boost::asio::any_io_executor executor;
    std::mutex mu;
    uint64_t next_id = 1;
    std::map<uint64_t, std::shared_ptr<boost::asio::steady_timer>> timers;
    bool stopped = false;
    // Tasks run under a shared lock; shutdown() takes it exclusively to wait them out.
    std::shared_mutex running;
};

AsioScheduler::AsioScheduler(boost::asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

AsioScheduler::~AsioScheduler() {
    shutdown();
}

int64_t AsioScheduler::now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A steady_timer is not safe for concurrent use: every call on one (expires_after, async_wait,
// cancel) happens under state->mu, and its handler takes mu before touching the map.
uint64_t AsioScheduler::schedule(int64_t delay_ms, std::function<void()> task) {
    std::lock_guard lock(state_->mu);
    if (state_->stopped) {
        return 0;
    }
    const uint64_t id = state_->next_id++;
    auto timer = std::make_shared<boost::asio::steady_timer>(state_->executor);
    timer->expires_after(std::chrono::milliseconds(std::max<int64_t>(0, delay_ms)));
    std::weak_ptr<State> weak = state_;
    timer->async_wait([weak, id, task = std::move(task)](const boost::system::error_code& ec) {
        auto state = weak.lock();
        if (!state) {
            return;
        }
        {
            std::lock_guard lock(state->mu);
            state->timers.erase(id);
            if (state->stopped || ec) {
                return;
            }
        }
        std::shared_lock running(state->running);
        task();
    });
    state_->timers[id] = std::move(timer);
    return id;
}

void AsioScheduler::cancel(uint64_t id) {
    std::lock_guard lock(state_->mu);
    auto it = state_->timers.find(id);
    if (it != state_->timers.end()) {
        it->second->cancel();
        state_->timers.erase(it);
    }
}

void AsioScheduler::shutdown() {
    {
        std::lock_guard lock(state_->mu);
        state_->stopped = true;
        for (auto& [id, t] : state_->timers) {
            t->cancel();
        }
        state_->timers.clear();
    }
    // A task already running finishes before we return.
    std::unique_lock wait_running(state_->running);
}

}  // namespace samsa::group
