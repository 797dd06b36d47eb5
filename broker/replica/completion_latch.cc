#include "broker/replica/completion_latch.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samsa::replica {

namespace asio = boost::asio;

CompletionLatch::CompletionLatch(asio::any_io_executor executor, size_t count)
    : executor_(std::move(executor)), remaining_(count), outcomes_(count) {}

void CompletionLatch::complete(size_t index, std::error_code outcome) {
    std::optional<Handler> handler;
    {
        std::lock_guard lock(mu_);
        outcomes_[index] = outcome;
        if (--remaining_ == 0 && handler_) {
            handler.swap(handler_);
        }
    }
    if (handler) {
        // Runs it here when this thread is the executor's, else posts it there.
        asio::dispatch(executor_, std::move(*handler));
    }
}

asio::awaitable<void> CompletionLatch::wait() {
    // Not a coroutine itself: the initiation runs once the caller has suspended, and decides
    // under the lock whether everything came already (then the caller is resumed at once,
    // through the executor) or the last completion will resume it.
    return asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [self = shared_from_this()](auto handler) {
            std::unique_lock lock(self->mu_);
            if (self->remaining_ == 0) {
                lock.unlock();
                asio::post(self->executor_, std::move(handler));
                return;
            }
            self->handler_.emplace(std::move(handler));
        },
        asio::use_awaitable);
}

}  // namespace samsa::replica
