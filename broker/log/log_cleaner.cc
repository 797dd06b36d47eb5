#include "broker/log/log_cleaner.h"

#include "broker/log/errc.h"
#include "common/logging.h"

#include <algorithm>

namespace samsa::log {

LogCleaner::LogCleaner(CleanerConfig config, std::vector<std::string> log_dirs, LogSource logs,
                       Clock clock)
    : config_(config),
      log_dirs_(std::move(log_dirs)),
      logs_(std::move(logs)),
      clock_(std::move(clock)),
      throttler_(make_throttler(config.max_io_bytes_per_second)) {
    load_checkpoints();
}

std::unique_ptr<Throttler> LogCleaner::make_throttler(double bytes_per_second) {
    return std::make_unique<Throttler>(bytes_per_second,
                                       [this](std::chrono::milliseconds ms) { sleep_for(ms); });
}

LogCleaner::~LogCleaner() {
    shutdown();
}

void LogCleaner::load_checkpoints() {
    std::lock_guard lock(mu_);
    for (const auto& dir : log_dirs_) {
        auto read = CheckpointFile(dir + "/" + kCleanerOffsetCheckpointFile).read();
        if (!read) {
            get_logger("log")->warn("cannot read {}/{}, cleaning its logs from their start", dir,
                                    kCleanerOffsetCheckpointFile);
            continue;
        }
        for (const auto& [tp, offset] : read.value()) {
            checkpoints_[tp] = offset;
        }
    }
}

void LogCleaner::startup() {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (!threads_.empty() || shut_down_) {
        return;
    }
    start_threads();
}

void LogCleaner::shutdown() {
    std::lock_guard lifecycle(lifecycle_mu_);
    shut_down_ = true;
    stop_threads();
}

void LogCleaner::start_threads() {
    std::lock_guard lock(mu_);
    stopping_ = false;
    for (int32_t i = 0; i < config_.num_threads; ++i) {
        threads_.emplace_back([this, i] { run(static_cast<size_t>(i)); });
    }
    get_logger("log")->info("log cleaner started with {} thread(s)", config_.num_threads);
}

void LogCleaner::stop_threads() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    std::lock_guard lock(mu_);
    threads_.clear();
}

void LogCleaner::reconfigure(const CleanerConfig& config) {
    std::lock_guard lifecycle(lifecycle_mu_);
    const bool running = !threads_.empty();
    if (running) {
        stop_threads();
    }
    // No cleaner thread runs: config_ and throttler_ can change.
    {
        std::lock_guard lock(mu_);
        const bool enable = config_.enable;
        config_ = config;
        config_.enable = enable;
    }
    throttler_ = make_throttler(config.max_io_bytes_per_second);
    get_logger("log")->info(
        "log cleaner reconfigured: {} thread(s), dedupe buffer {} bytes, io buffer {} bytes, "
        "load factor {}, {} bytes/s, backoff {} ms",
        config.num_threads, config.dedupe_buffer_size, config.io_buffer_size,
        config.dedupe_buffer_load_factor, config.max_io_bytes_per_second, config.backoff_ms);
    if (running && !shut_down_) {
        start_threads();
    }
}

CleanerConfig LogCleaner::config() const {
    std::lock_guard lock(mu_);
    return config_;
}

size_t LogCleaner::running_threads() const {
    std::lock_guard lock(mu_);
    return threads_.size();
}

bool LogCleaner::stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
}

void LogCleaner::sleep_for(std::chrono::milliseconds ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, ms, [this] { return stopping_; });
}

std::optional<LogToClean> LogCleaner::evaluate(const CleanerLog& entry, int64_t now) const {
    const LogConfig& config = entry.log->config();
    if (!config.cleanup_policy_compact) {
        return std::nullopt;
    }
    LogToClean c;
    c.tp = entry.tp;
    c.log = entry.log;
    c.log_dir = entry.log_dir;
    c.snapshot = entry.log->cleaning_snapshot();
    const CleaningSnapshot& s = c.snapshot;
    if (s.segments.empty()) {
        return std::nullopt;
    }
    auto it = checkpoints_.find(entry.tp);
    c.first_dirty_offset = it == checkpoints_.end() ? s.log_start_offset : it->second;
    if (c.first_dirty_offset < s.log_start_offset || c.first_dirty_offset > s.log_end_offset) {
        c.first_dirty_offset = s.log_start_offset;
    }
    int64_t uncleanable = std::min(s.active_base_offset, s.high_watermark);
    const CleanableSegment* first_dirty_segment = nullptr;
    for (const CleanableSegment& seg : s.segments) {
        if (seg.end_offset <= c.first_dirty_offset) {
            continue;
        }
        if (first_dirty_segment == nullptr) {
            first_dirty_segment = &seg;
        }
        if (config.min_compaction_lag_ms > 0 &&
            seg.largest_timestamp > now - config.min_compaction_lag_ms) {
            uncleanable = std::min(uncleanable, seg.base_offset);
            break;
        }
    }
    c.first_uncleanable_offset = std::max(uncleanable, c.first_dirty_offset);
    for (const CleanableSegment& seg : s.segments) {
        if (seg.base_offset < c.first_dirty_offset) {
            c.clean_bytes += seg.size;
        }
        if (seg.base_offset < c.first_uncleanable_offset && seg.end_offset > c.first_dirty_offset) {
            c.dirty_bytes += seg.size;
        }
    }
    if (c.dirty_bytes == 0 || c.first_uncleanable_offset == c.first_dirty_offset) {
        return std::nullopt;
    }
    c.must_clean = config.max_compaction_lag_ms < kLongMax && first_dirty_segment != nullptr &&
                   first_dirty_segment->base_offset < c.first_uncleanable_offset &&
                   now - first_dirty_segment->largest_timestamp > config.max_compaction_lag_ms;
    if (!c.must_clean && c.dirty_ratio() < config.min_cleanable_dirty_ratio) {
        return std::nullopt;
    }
    return c;
}

std::optional<LogToClean> LogCleaner::choose_log_to_clean(bool claim) {
    std::vector<CleanerLog> logs = logs_();
    int64_t now = clock_();
    std::lock_guard lock(mu_);
    std::optional<LogToClean> best;
    for (const CleanerLog& entry : logs) {
        if (in_progress_.contains(entry.tp) || uncleanable_.contains(entry.tp)) {
            continue;
        }
        auto candidate = evaluate(entry, now);
        if (!candidate) {
            continue;
        }
        if (!best || (candidate->must_clean && !best->must_clean) ||
            (candidate->must_clean == best->must_clean &&
             candidate->dirty_ratio() > best->dirty_ratio())) {
            best = std::move(candidate);
        }
    }
    if (best && claim) {
        in_progress_.insert(best->tp);
    }
    return best;
}

result<std::optional<TopicPartition>> LogCleaner::clean_with(Cleaner& cleaner) {
    auto chosen = choose_log_to_clean(true);
    if (!chosen) {
        return std::optional<TopicPartition>();
    }
    auto cleaned = cleaner.clean(*chosen);
    {
        std::lock_guard lock(mu_);
        in_progress_.erase(chosen->tp);
        last_stats_ = cleaner.stats();
        if (cleaned) {
            checkpoints_[chosen->tp] = cleaned.value();
        } else if (cleaned.error() != make_error_code(Errc::cleaning_aborted) &&
                   cleaned.error() != make_error_code(Errc::log_closed)) {
            uncleanable_.insert(chosen->tp);
            get_logger("log")->error("{}: cleaning failed, the log is marked uncleanable: {}",
                                     chosen->tp, cleaned.error().message());
        }
    }
    if (!cleaned) {
        return cleaned.error();
    }
    SAMSA_TRY(write_checkpoint(chosen->log_dir));
    return std::optional<TopicPartition>(chosen->tp);
}

result<std::optional<TopicPartition>> LogCleaner::clean_once() {
    Cleaner cleaner(
        config_, static_cast<size_t>(config_.dedupe_buffer_size / std::max(1, config_.num_threads)),
        throttler_.get(), clock_, [this] { return stopping(); });
    return clean_with(cleaner);
}

void LogCleaner::run(size_t thread_index) {
    auto logger = get_logger("log");
    Cleaner cleaner(
        config_, static_cast<size_t>(config_.dedupe_buffer_size / std::max(1, config_.num_threads)),
        throttler_.get(), clock_, [this] { return stopping(); });
    while (!stopping()) {
        auto r = clean_with(cleaner);
        if (r && r.value()) {
            continue;  // maybe more to clean: look again at once
        }
        if (!r && r.error() == make_error_code(Errc::cleaning_aborted)) {
            logger->info(
                "cleaner thread {}: pass abandoned (the log changed or the cleaner "
                "stops)",
                thread_index);
        }
        sleep_for(std::chrono::milliseconds(config_.backoff_ms));
    }
}

result<void> LogCleaner::write_checkpoint(const std::string& log_dir) {
    OffsetMap entries;
    {
        std::vector<CleanerLog> logs = logs_();
        std::lock_guard lock(mu_);
        for (const CleanerLog& entry : logs) {
            auto it = checkpoints_.find(entry.tp);
            if (entry.log_dir == log_dir && it != checkpoints_.end()) {
                entries[entry.tp] = it->second;
            }
        }
    }
    std::lock_guard lock(checkpoint_mu_);
    return CheckpointFile(log_dir + "/" + kCleanerOffsetCheckpointFile).write(entries);
}

void LogCleaner::forget(const TopicPartition& tp) {
    std::lock_guard lock(mu_);
    checkpoints_.erase(tp);
    uncleanable_.erase(tp);
}

std::map<TopicPartition, int64_t> LogCleaner::checkpoints() const {
    std::lock_guard lock(mu_);
    return checkpoints_;
}

CleanerStats LogCleaner::last_stats() const {
    std::lock_guard lock(mu_);
    return last_stats_;
}

}  // namespace samsa::log
