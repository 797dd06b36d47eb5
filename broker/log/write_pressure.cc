#include "broker/log/write_pressure.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/logging.h"

namespace samsa::log {

namespace {

constexpr auto kActivePeriod = std::chrono::milliseconds(10);
constexpr auto kIdlePeriod = std::chrono::milliseconds(500);

std::optional<DirtyPageCounts> read_counts(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_vmstat(text.str());
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

WritePressure::~WritePressure() { stop(); }

void WritePressure::start(std::string vmstat_path) {
    long page = ::sysconf(_SC_PAGESIZE);
    page_size_ = page > 0 ? page : 4096;
    if (!read_counts(vmstat_path)) {
        get_logger("log")->warn("cannot read the dirty page counters from {}: network threads "
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

void WritePressure::report_write_time(Clock::duration elapsed) {
    if (elapsed > kStallThreshold) {
        stalled_until_.store((Clock::now() + kStallHold).time_since_epoch().count(),
                             std::memory_order_relaxed);
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

}  // namespace samsa::log
