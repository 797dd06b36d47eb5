#include "broker/net/processor.h"

#include "common/logging.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <pthread.h>

namespace samsa::net {

namespace {

int64_t clock_ns(clockid_t clock) {
    timespec ts{};
    if (clock_gettime(clock, &ts) != 0) {
        return -1;
    }
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Processor::Processor(std::string name) : name_(std::move(name)) {}

Processor::~Processor() {
    stop();
}

void Processor::start() {
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] {
        // Linux limits thread names to 15 characters.
        pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
        for (;;) {
            try {
                io_.run();
                return;
            } catch (const std::exception& e) {
                // Connection coroutines catch their own errors, so this is a bug in a plain
                // handler. Asio allows run() to be called again: the other connections of
                // this thread keep being served.
                get_logger("net")->error("network thread {}: handler failed: {}", name_, e.what());
            }
        }
    });
    std::lock_guard lock(idle_mu_);
    running_ = pthread_getcpuclockid(thread_.native_handle(), &cpu_clock_) == 0;
    last_wall_ns_ = clock_ns(CLOCK_MONOTONIC);
    last_cpu_ns_ = running_ ? clock_ns(cpu_clock_) : 0;
}

double Processor::idle_fraction() {
    std::lock_guard lock(idle_mu_);
    if (!running_) {
        return last_idle_;
    }
    const int64_t wall = clock_ns(CLOCK_MONOTONIC);
    const int64_t cpu = clock_ns(cpu_clock_);
    const int64_t wall_delta = wall - last_wall_ns_;
    // Scrapes closer together than 10 ms would measure noise: keep the previous figure.
    if (cpu < 0 || wall_delta < 10'000'000) {
        return last_idle_;
    }
    const double busy = static_cast<double>(cpu - last_cpu_ns_) / static_cast<double>(wall_delta);
    last_idle_ = std::clamp(1.0 - busy, 0.0, 1.0);
    last_wall_ns_ = wall;
    last_cpu_ns_ = cpu;
    return last_idle_;
}

void Processor::stop() {
    {
        std::lock_guard lock(idle_mu_);
        running_ = false;  // the thread's CPU clock goes with it
    }
    work_.reset();
    io_.stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

}  // namespace samsa::net
