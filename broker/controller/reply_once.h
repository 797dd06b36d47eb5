#pragma once
// ReplyOnce: how a controller event answers the request that queued it (ControlledShutdown,
// ElectLeaders), exactly once, even when the event never runs.

#include <functional>
#include <utility>

namespace samsa::controller {

// Answers a request exactly once: with the event's result, or with `if_dropped` (NOT_CONTROLLER)
// when the event is dropped unrun (the queue is cleared on session expiry and refuses events
// once the controller stops), so whoever asked never waits for nothing.
template <typename Result>
class ReplyOnce {
  public:
    ReplyOnce(std::function<void(Result)> done, Result if_dropped)
        : done_(std::move(done)), if_dropped_(std::move(if_dropped)) {}
    ~ReplyOnce() {
        if (done_) {
            done_(std::move(if_dropped_));
        }
    }
    ReplyOnce(const ReplyOnce&) = delete;
    ReplyOnce& operator=(const ReplyOnce&) = delete;

    void operator()(Result result) { std::exchange(done_, nullptr)(std::move(result)); }

  private:
    std::function<void(Result)> done_;
    Result if_dropped_;
};

}  // namespace samsa::controller
