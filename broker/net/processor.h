#pragma once
// Processor: one network thread (Kafka's Processor) — an io_context of its own, run by exactly
// one thread.
//
// Why one io_context per thread rather than one shared by all network threads: a connection
// lives on one Processor for its whole life, so its socket, its request handlers and the
// wake-ups of its delayed operations all run on one thread, in one event loop, with no strand
// and no cross-thread hand-off. A shared io_context made every completion a candidate for any
// thread (a futex wake-up and a context switch per hop); here a request costs what its own
// work costs. Work that can block for long (fsync, segment roll, ZooKeeper) still leaves the
// Processor, through run_on() to the broker's I/O pool, and comes back to it.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace samsa::net {

class Processor {
  public:
    // `name` names the thread (shown by top -H, perf and gdb).
    explicit Processor(std::string name);
    ~Processor();
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    // Starts the thread. Call once.
    void start();
    // Stops the event loop and joins the thread; handlers still queued are not run. The
    // io_context (and what is queued on it) lives until the Processor is destroyed, so work
    // finishing elsewhere may still post to it meanwhile. Idempotent.
    void stop();

    // The fraction of wall-clock time since the previous call (or the start) that the thread
    // spent off the CPU, i.e. waiting for events (Kafka's Processor IdlePercent, 0..1). From
    // the thread's CPU clock: nothing is measured on the thread itself.
    double idle_fraction();

    boost::asio::io_context& io() { return io_; }
    boost::asio::io_context::executor_type executor() { return io_.get_executor(); }

  private:
    const std::string name_;
    // Concurrency hint 1: one thread runs this context, which lets Asio keep completions on a
    // thread-private queue. Other threads may still post to it (delayed-operation wake-ups,
    // results from the I/O pool): those take the context's lock and wake it through its
    // eventfd.
    boost::asio::io_context io_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;

    std::mutex idle_mu_;
    bool running_ = false;  // guarded by idle_mu_: the CPU clock is valid while true
    clockid_t cpu_clock_{};
    int64_t last_wall_ns_ = 0;
    int64_t last_cpu_ns_ = 0;
    double last_idle_ = 1.0;
};

}  // namespace samsa::net
