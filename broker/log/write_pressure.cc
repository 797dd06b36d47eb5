#include "broker/log/write_pressure.h"

#include "common/logging.h"

#include <charconv>
#include <fcntl.h>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>

namespace samsa::log {

namespace {

constexpr auto kActivePeriod = std::chrono::milliseconds(20);
constexpr auto kIdlePeriod = std::chrono::milliseconds(500);

std::optional<DirtyPageCounts> read_counts(const std::string& path) {
    // One read into a stack buffer: /proc/vmstat is a few KiB, and this runs a hundred times
    // a second while producers write.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return std::nullopt;
    }
    char buf[16384];
    size_t size = 0;
    ssize_t n;
    while (size < sizeof buf && (n = ::read(fd, buf + size, sizeof buf - size)) > 0) {
        size += static_cast<size_t>(n);
    }
    ::close(fd);
    return parse_vmstat(std::string(buf, size));
}

}  // namespace

std::optional<DirtyPageCounts> parse_vmstat(const std::string& text) {
    DirtyPageCounts c;
    int found = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        auto eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
        auto space = line.find(' ');
        if (space == std::string_view::npos) {
            continue;
        }
        std::string_view name = line.substr(0, space);
        int64_t* field = name == "nr_dirty"                        ? &c.dirty
                         : name == "nr_writeback"                  ? &c.writeback
                         : name == "nr_dirty_threshold"            ? &c.dirty_threshold
                         : name == "nr_dirty_background_threshold" ? &c.background_threshold
                                                                   : nullptr;
        if (field == nullptr) {
            continue;
        }
        auto value = line.substr(space + 1);
        if (std::from_chars(value.data(), value.data() + value.size(), *field).ec == std::errc()) {
            ++found;
        }
    }
    return found == 4 ? std::optional(c) : std::nullopt;
}

int64_t dirty_headroom_bytes(const DirtyPageCounts& c, int64_t page_size, int64_t margin) {
    // mm/page-writeback.c: dirty_freerun_ceiling(thresh, bg_thresh) = (thresh + bg_thresh) / 2,
    // compared with dirty + writeback pages.
    const int64_t freerun = (c.dirty_threshold + c.background_threshold) / 2;
    return (freerun - c.dirty - c.writeback) * page_size - margin;
}

WritePressure::~WritePressure() {
    stop();
}

void WritePressure::start(std::string vmstat_path) {
    long page = ::sysconf(_SC_PAGESIZE);
    page_size_ = page > 0 ? page : 4096;
    if (!read_counts(vmstat_path)) {
        get_logger("log")->warn(
            "cannot read the dirty page counters from {}: network threads "
            "will only notice write stalls after they happen",
            vmstat_path);
        return;
    }
    sampler_ = std::thread([this, path = std::move(vmstat_path)] { sample_loop(path); });
}

void WritePressure::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (sampler_.joinable()) {
        sampler_.join();
    }
}

void WritePressure::update(const DirtyPageCounts& counts) {
    budget_.store(dirty_headroom_bytes(counts, page_size_, kMarginBytes),
                  std::memory_order_relaxed);
}

void WritePressure::report_stall() {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    // Stalls right after a hold ended: the disk is still behind, hold longer. A long quiet
    // spell: start again from the short hold.
    if (now - last_hold_end_ < std::chrono::seconds(1)) {
        stall_hold_ = std::min<Clock::duration>(stall_hold_ * 2, kMaxStallHold);
    } else if (now - last_hold_end_ > std::chrono::seconds(30)) {
        stall_hold_ = kStallHold;
    }
    last_hold_end_ = now + stall_hold_;
    hold_until(last_hold_end_);
    get_logger("log")->info(
        "a write from a network thread slept in the kernel: appends go to "
        "the I/O pool for the next {} ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(stall_hold_).count());
}

void WritePressure::hold_until(Clock::time_point until) {
    const auto until_rep = until.time_since_epoch().count();
    auto current = stalled_until_.load(std::memory_order_relaxed);
    while (current < until_rep &&
           !stalled_until_.compare_exchange_weak(current, until_rep, std::memory_order_relaxed)) {
    }
}

namespace {

// The next inline append on this thread confirms a slow one (see WriteProbe).
thread_local bool confirm_next_write = false;

long voluntary_context_switches() {
    rusage usage{};
    return ::getrusage(RUSAGE_THREAD, &usage) == 0 ? usage.ru_nvcsw : -1;
}

}  // namespace

WritePressure::WriteProbe::WriteProbe(WritePressure& pressure) : pressure_(pressure) {
    if (confirm_next_write) {
        voluntary_switches_ = voluntary_context_switches();
    }
    start_ = Clock::now();
}

WritePressure::WriteProbe::~WriteProbe() {
    const auto elapsed = Clock::now() - start_;
    const bool slow = elapsed > kStallThreshold;
    if (elapsed > kCertainStall) {
        confirm_next_write = false;
        pressure_.report_stall();
        return;
    }
    if (voluntary_switches_ < 0) {
        confirm_next_write = slow;
        return;
    }
    confirm_next_write = false;
    if (slow && voluntary_context_switches() > voluntary_switches_) {
        pressure_.report_stall();
    }
}

void WritePressure::sample_loop(std::string vmstat_path) {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        if (auto counts = read_counts(vmstat_path)) {
            update(*counts);
        }
        const bool active = active_.exchange(false, std::memory_order_relaxed);
        lock.lock();
        cv_.wait_for(lock, active ? kActivePeriod : kIdlePeriod, [&] { return stopping_; });
    }
}

WritePressure::PoolWriteProbe::PoolWriteProbe(WritePressure& pressure)
    : pressure_(pressure),
      start_(Clock::now()),
      voluntary_switches_(voluntary_context_switches()) {}

WritePressure::PoolWriteProbe::~PoolWriteProbe() {
    const auto now = Clock::now();
    if (now - start_ > kStallThreshold && voluntary_context_switches() > voluntary_switches_) {
        pressure_.hold_until(now + kStallHold);
    }
}

}  // namespace samsa::log
