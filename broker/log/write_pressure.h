#pragma once
// WritePressure: may a buffered write block for long right now?
//
// Appending to the page cache takes microseconds, so network threads append themselves
// (net/connection.h) — unless the kernel is about to throttle writers. Linux lets a process
// dirty page-cache pages freely while the machine's dirty + writeback pages stay under the
// "freerun" ceiling, halfway between the background and the foreground dirty thresholds
// (mm/page-writeback.c, balance_dirty_pages); above it, a write() sleeps, for up to 200 ms
// at a time, to let the disk catch up. A network thread sleeping there would stall every
// connection it serves (a consumer reading from the page cache included), so while this says
// high(), network threads hand their appends to the I/O pool, whose threads may sleep.
//
// Two signals make high():
//  - headroom: a sampler thread reads /proc/vmstat every 20 ms while appends happen (every
//    500 ms otherwise) and sets a byte budget: the distance to the freerun ceiling, less a
//    margin. Inline appends spend it (wrote()); once spent, pressure is high until a sample
//    finds room again. So inline writes cannot push the machine past the ceiling by more
//    than the margin, however fast they come between samples.
//  - stalls: an inline append that slept in the kernel for more than a couple of
//    milliseconds anyway (direct reclaim, a busy journal, a device whose own dirty limit was
//    reached) turns pressure on for a while (WriteProbe, report_stall()). The hold doubles
//    when stalls keep coming right after it ends, up to kMaxStallHold.
//
// Thread-safe: high() and wrote() are lock-free and cheap (one or two relaxed atomics); they
// sit on the produce path.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace samsa::log {

// The /proc/vmstat counters the kernel's dirty throttling works from, in pages.
struct DirtyPageCounts {
    int64_t dirty = 0;                 // nr_dirty
    int64_t writeback = 0;             // nr_writeback
    int64_t dirty_threshold = 0;       // nr_dirty_threshold
    int64_t background_threshold = 0;  // nr_dirty_background_threshold
};

// Parses /proc/vmstat's text; nullopt if a counter is missing.
std::optional<DirtyPageCounts> parse_vmstat(const std::string& text);

// Bytes that may still be dirtied before the kernel starts throttling writers, less `margin`
// (may be negative).
int64_t dirty_headroom_bytes(const DirtyPageCounts& counts, int64_t page_size, int64_t margin);

class WritePressure {
  public:
    using Clock = std::chrono::steady_clock;
    // Margin kept below the kernel's freerun ceiling.
    static constexpr int64_t kMarginBytes = 64 << 20;
    static constexpr int64_t kSpendStep = 64 << 10;
    // An inline append that slept longer than this is a stall.
    static constexpr auto kStallThreshold = std::chrono::milliseconds(2);
    // One this slow is a stall without confirmation: the scheduler does not take a thread
    // away for this long, and a writer the kernel throttles may sleep for seconds.
    static constexpr auto kCertainStall = std::chrono::milliseconds(50);
    // How long a first stall keeps pressure high, and the most a run of stalls does.
    static constexpr auto kStallHold = std::chrono::milliseconds(200);
    static constexpr auto kMaxStallHold = std::chrono::seconds(5);

    // Times one inline append, for the stall signal. A slow one (kStallThreshold) is not
    // trusted alone: the thread may merely have been descheduled (the broker shares its cores
    // with everything else). It makes the thread's next inline append a confirming one, which
    // also reads the thread's voluntary context switches (getrusage) around itself: if that
    // one is slow too and slept, the kernel is making writes wait, and report_stall() is
    // called. A very slow one (kCertainStall) needs no confirmation.
    class WriteProbe {
      public:
        explicit WriteProbe(WritePressure& pressure);
        ~WriteProbe();
        WriteProbe(const WriteProbe&) = delete;
        WriteProbe& operator=(const WriteProbe&) = delete;

      private:
        WritePressure& pressure_;
        Clock::time_point start_;
        long voluntary_switches_ = -1;  // >= 0 when this probe confirms
    };

    WritePressure() = default;
    ~WritePressure();
    WritePressure(const WritePressure&) = delete;
    WritePressure& operator=(const WritePressure&) = delete;

    // Starts the sampler thread (reading `vmstat_path`). Without it, only stalls count.
    void start(std::string vmstat_path = "/proc/vmstat");
    void stop();

    bool high() const {
        if (budget_.load(std::memory_order_relaxed) <= 0) {
            return true;
        }
        auto until = stalled_until_.load(std::memory_order_relaxed);
        return until != 0 && Clock::now().time_since_epoch().count() < until;
    }
    void wrote(int64_t bytes) {
        // Spent in 64 KiB steps per thread: network threads do not all write one cache line
        // on every append, and the margin (kMarginBytes) dwarfs what a step leaves uncounted.
        thread_local int64_t unspent = 0;
        unspent += bytes;
        if (unspent >= kSpendStep) {
            budget_.fetch_sub(unspent, std::memory_order_relaxed);
            unspent = 0;
        }
        if (!active_.load(std::memory_order_relaxed)) {
            active_.store(true, std::memory_order_relaxed);
        }
    }
    // A write stalled: pressure goes high for the current hold.
    void report_stall();

    // Times an append on the I/O pool (where blocking is fine, and so is a getrusage either
    // side): one that slept longer than kStallThreshold keeps pressure high for kStallHold
    // more. So while the disk stays slow, the appends it delays keep network threads away
    // from it, and none of them has to stall again to find out.
    class PoolWriteProbe {
      public:
        explicit PoolWriteProbe(WritePressure& pressure);
        ~PoolWriteProbe();
        PoolWriteProbe(const PoolWriteProbe&) = delete;
        PoolWriteProbe& operator=(const PoolWriteProbe&) = delete;

      private:
        WritePressure& pressure_;
        Clock::time_point start_;
        long voluntary_switches_;
    };

    // Sets the budget from a sample (the sampler does this; tests call it directly).
    void update(const DirtyPageCounts& counts);

  private:
    void sample_loop(std::string vmstat_path);
    // Pressure stays high until at least `until`.
    void hold_until(Clock::time_point until);

    std::atomic<int64_t> budget_{INT64_MAX};
    std::atomic<Clock::rep> stalled_until_{0};
    std::atomic<bool> active_{false};
    int64_t page_size_ = 4096;

    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread sampler_;
    Clock::duration stall_hold_ = kStallHold;  // guarded by mu_
    Clock::time_point last_hold_end_{};        // guarded by mu_
};

}  // namespace samsa::log
