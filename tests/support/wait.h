#pragma once
// Condition waits for tests: poll `condition` until it holds or `timeout` passes. Never a bare
// sleep-and-hope; a false return is a test failure the caller reports with what it last saw.

#include <chrono>
#include <thread>

namespace samsa::test {

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace samsa::test
