#include "broker/replica/delayed_operation.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samsa::replica {

namespace asio = boost::asio;

Waiter::Waiter(asio::any_io_executor executor) : executor_(executor), timer_(executor) {}

void Waiter::notify() {
    // The timer is not thread-safe: flip the flag and cancel on the waiter's own executor.
    asio::dispatch(executor_, [self = shared_from_this()] {
        self->notified_ = true;
        self->timer_.cancel();
    });
}

asio::awaitable<bool> Waiter::wait_until(std::chrono::steady_clock::time_point deadline) {
    if (!notified_) {
        timer_.expires_at(deadline);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    bool was_notified = notified_;
    notified_ = false;
    co_return was_notified;
}

void WatchList::add(const std::shared_ptr<Waiter>& waiter) {
    std::lock_guard lock(mu_);
    std::erase_if(waiters_, [](const auto& w) { return w.expired(); });
    waiters_.push_back(waiter);
    count_.store(waiters_.size());
}

size_t WatchList::size() const {
    std::lock_guard lock(mu_);
    return waiters_.size();
}

void WatchList::notify_all() {
    if (count_.load() == 0) {
        return;
    }
    std::vector<std::shared_ptr<Waiter>> live;
    {
        std::lock_guard lock(mu_);
        live.reserve(waiters_.size());
        std::erase_if(waiters_, [&](const auto& w) {
            auto p = w.lock();
            if (!p) {
                return true;
            }
            live.push_back(std::move(p));
            return false;
        });
        count_.store(waiters_.size());
    }
    for (auto& w : live) {
        w->notify();
    }
}

}  // namespace samsa::replica
