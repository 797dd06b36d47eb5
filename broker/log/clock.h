#pragma once
// Clock: wall-clock milliseconds since the epoch, injectable so tests control time (segment
// roll by age, retention, flush intervals, LogAppendTime). Must be callable from any thread.

#include <chrono>
#include <cstdint>
#include <functional>

namespace samsa::log {

using Clock = std::function<int64_t()>;

inline int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline Clock system_clock() {
    return &system_now_ms;
}

}  // namespace samsa::log
