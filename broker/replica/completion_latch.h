#pragma once
// CompletionLatch (see below).

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace samsa::replica {

// CompletionLatch: a coroutine's wait for `count` completions that may come from any thread
// (a produce request's group commits, one per partition). Each completion carries an outcome,
// kept by index. When the last one comes from the waiting coroutine's own thread, the
// coroutine resumes right there, without a round through the event loop; from another thread
// it is posted to its executor.
//
// Always owned by a shared_ptr: completions hold it, so it outlives a waiter that is gone.
class CompletionLatch : public std::enable_shared_from_this<CompletionLatch> {
public:
    CompletionLatch(boost::asio::any_io_executor executor, size_t count);

    // Thread-safe. Records completion `index` (< count) with `outcome`.
    void complete(size_t index, std::error_code outcome);
    // Resumes when every completion has come. Call once, from the executor.
    boost::asio::awaitable<void> wait();
    // Valid after wait() (or once all completions came).
    std::error_code outcome(size_t index) const { return outcomes_[index]; }

private:
    using Handler = boost::asio::any_completion_handler<void()>;
    boost::asio::any_io_executor executor_;
    std::mutex mu_;
    size_t remaining_;                        // guarded by mu_
    std::vector<std::error_code> outcomes_;   // written under mu_, read after the wait
    std::optional<Handler> handler_;          // guarded by mu_
};

}  // namespace samsa::replica
