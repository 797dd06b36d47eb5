#include "tests/support/thread_executor.h"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace samsa::test {

struct ThreadExecutor::State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> tasks;
    bool stopping = false;

    void post(std::function<void()> task) {
        {
            std::lock_guard lock(mu);
            if (stopping) {
                return;
            }
            tasks.push_back(std::move(task));
        }
        cv.notify_one();
    }
};

ThreadExecutor::ThreadExecutor() : state_(std::make_shared<State>()) {
    thread_ = std::thread([state = state_] {
        std::unique_lock lock(state->mu);
        while (true) {
            state->cv.wait(lock, [&] { return state->stopping || !state->tasks.empty(); });
            if (state->tasks.empty()) {
                return;  // stopping and drained
            }
            auto task = std::move(state->tasks.front());
            state->tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    });
}

ThreadExecutor::~ThreadExecutor() {
    {
        std::lock_guard lock(state_->mu);
        state_->stopping = true;
    }
    state_->cv.notify_all();
    thread_.join();
}

void ThreadExecutor::post(std::function<void()> task) {
    state_->post(std::move(task));
}

std::function<void(std::function<void()>)> ThreadExecutor::executor() {
    return [state = state_](std::function<void()> task) { state->post(std::move(task)); };
}

}  // namespace samsa::test
