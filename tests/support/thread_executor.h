#pragma once
// ThreadExecutor: one thread running posted tasks in order - a stand-in, in tests, for the asio
// strand the broker hands to samsa::zk. executor() returns a function object that stays safe to
// call after the ThreadExecutor is gone (tasks posted then are dropped).

#include <functional>
#include <memory>
#include <thread>

namespace samsa::test {

class ThreadExecutor {
  public:
    ThreadExecutor();
    // Runs the tasks already queued, then joins the thread.
    ~ThreadExecutor();
    ThreadExecutor(const ThreadExecutor&) = delete;
    ThreadExecutor& operator=(const ThreadExecutor&) = delete;

    void post(std::function<void()> task);
    // Same signature as zk::Executor.
    std::function<void(std::function<void()>)> executor();
    std::thread::id thread_id() const { return thread_.get_id(); }

  private:
    struct State;
    std::shared_ptr<State> state_;
    std::thread thread_;
};

}  // namespace samsa::test
