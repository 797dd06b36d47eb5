#pragma once
// LogLock: a Log's reader-writer lock, which knows whether its holder may be slow.
//
// Network threads append to and read from a Log themselves and must never wait long for its
// lock. Holders are of two kinds:
//  - fast: network threads, through try_lock_fast() / try_lock_shared_fast(); they hold the
//    lock for microseconds (an append to the page cache, a lookup in the indexes);
//  - slow: everyone else (the I/O pool, the LogManager's threads, tests), through the usual
//    lock() / lock_shared(), so std::unique_lock and std::shared_lock work as always. A slow
//    holder may block in the kernel while it holds the lock: a write the kernel throttles,
//    a roll, a retention pass, a read of cold data.
// Slow holders announce themselves before they wait for the lock. A network thread that finds
// the lock taken by a slow holder (or announced by one) gives up at once; one that finds it
// taken by another fast holder waits, but never more than kFastWait, because even a fast
// holder can be descheduled.
//
// Thread-safe.

#include <atomic>
#include <chrono>
#include <shared_mutex>

namespace samsa::log {

class LogLock {
  public:
    static constexpr auto kFastWait = std::chrono::milliseconds(1);

    // Slow holders (Lockable / SharedLockable).
    void lock() {
        slow_.fetch_add(1);
        mu_.lock();
    }
    void unlock() {
        mu_.unlock();
        slow_.fetch_sub(1);
    }
    void lock_shared() {
        slow_.fetch_add(1);
        mu_.lock_shared();
    }
    void unlock_shared() {
        mu_.unlock_shared();
        slow_.fetch_sub(1);
    }

    // Fast holders: true when the lock is held (release with unlock_fast()/
    // unlock_shared_fast()); false if a slow holder has or wants it, or after kFastWait.
    bool try_lock_fast() {
        return try_fast([this] { return mu_.try_lock(); },
                        [this] { return mu_.try_lock_for(kFastWait); });
    }
    void unlock_fast() { mu_.unlock(); }
    bool try_lock_shared_fast() {
        return try_fast([this] { return mu_.try_lock_shared(); },
                        [this] { return mu_.try_lock_shared_for(kFastWait); });
    }
    void unlock_shared_fast() { mu_.unlock_shared(); }

  private:
    // Another fast holder keeps the lock for a few microseconds: spin that long before
    // sleeping on it (a futex wait and wake-up cost more than the spin), then wait at most
    // kFastWait, in case that holder was descheduled.
    template <typename Try, typename TryFor>
    bool try_fast(Try try_now, TryFor try_for) {
        constexpr auto kSpin = std::chrono::microseconds(20);
        std::chrono::steady_clock::time_point deadline{};
        for (int i = 1;; ++i) {
            if (try_now()) {
                return true;
            }
            if (slow_.load(std::memory_order_relaxed) != 0) {
                return false;
            }
            if ((i & 31) == 0) {
                auto now = std::chrono::steady_clock::now();
                if (deadline == std::chrono::steady_clock::time_point{}) {
                    deadline = now + kSpin;
                } else if (now >= deadline) {
                    break;
                }
            }
            cpu_relax();
        }
        return slow_.load() == 0 && try_for();
    }

    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    std::shared_timed_mutex mu_;
    std::atomic<int> slow_{0};  // slow holders, and slow callers waiting to hold
};

// RAII for fast holders; owns the lock only if the try succeeded (owns()).
class FastLock {
  public:
    FastLock(LogLock& lock, bool exclusive)
        : lock_(lock),
          exclusive_(exclusive),
          owns_(exclusive ? lock.try_lock_fast() : lock.try_lock_shared_fast()) {}
    ~FastLock() { unlock(); }
    FastLock(const FastLock&) = delete;
    FastLock& operator=(const FastLock&) = delete;

    bool owns() const { return owns_; }
    void unlock() {
        if (owns_) {
            exclusive_ ? lock_.unlock_fast() : lock_.unlock_shared_fast();
            owns_ = false;
        }
    }

  private:
    LogLock& lock_;
    const bool exclusive_;
    bool owns_;
};

}  // namespace samsa::log
