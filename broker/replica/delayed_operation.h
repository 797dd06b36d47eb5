#pragma once
// Delayed operations without a purgatory thread (Kafka's DelayedOperation / purgatory).
//
// A request that must wait — a fetch for min.bytes, an acks=all produce for the high watermark,
// CreateTopics for leaders to appear — creates a Waiter on its own executor and registers it
// (weakly) on every WatchList that can change its outcome: a Partition's (appends, HW moves,
// leadership changes) or the MetadataCache's (UpdateMetadata). Whoever changes that state
// calls WatchList::notify_all(); each live Waiter wakes on its own executor, re-checks its
// condition and either completes or waits again until its deadline.
//
// To not miss a wake-up, register first, then check the condition, then wait: a notify that
// lands between the check and the wait leaves the Waiter marked, and wait() returns at once.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace samsa::replica {

// Always owned by a shared_ptr (make_shared): notify() keeps it alive until the wake-up lands.
class Waiter : public std::enable_shared_from_this<Waiter> {
  public:
    // `executor` is where wait() runs and where notifications land (a connection's strand).
    explicit Waiter(boost::asio::any_io_executor executor);

    // Thread-safe. Wakes a pending wait(), or makes the next one return at once.
    void notify();

    // Waits until notified or `deadline`. Returns true if notified. Call from `executor` only.
    boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);

  private:
    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer timer_;
    bool notified_ = false;  // touched on executor_ only
};

// A set of weakly held waiters. Thread-safe; waiters that died are pruned as they are met.
class WatchList {
  public:
    void add(const std::shared_ptr<Waiter>& waiter);
    void notify_all();
    // Registered waiters, dead or alive (for tests).
    size_t size() const;

  private:
    mutable std::mutex mu_;
    std::vector<std::weak_ptr<Waiter>> waiters_;
    // waiters_.size(), readable without mu_: notify_all() runs after every append, and most
    // partitions have nobody waiting. Sequentially consistent with the state the waiters
    // check (the log end offset, the high watermark, also seq_cst atomics), so a waiter that
    // registers while an append notifies either is seen here or sees the append.
    std::atomic<size_t> count_{0};
};

}  // namespace samsa::replica
