#include "broker/log/log_manager.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <random>

namespace samsa::log {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "<topic>-<partition>" -> TopicPartition (Kafka's Log.parseTopicPartitionName).
std::optional<TopicPartition> parse_partition_dir(const std::string& name) {
    auto dash = name.rfind('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) {
        return std::nullopt;
    }
    TopicPartition tp{name.substr(0, dash), 0};
    const char* first = name.data() + dash + 1;
    const char* last = name.data() + name.size();
    auto [end, ec] = std::from_chars(first, last, tp.partition);
    if (ec != std::errc() || end != last || tp.partition < 0) {
        return std::nullopt;
    }
    return tp;
}

// "<topic>-<p>.<32 hex>-delete", the topic cut so the name fits in 255 bytes.
std::string delete_dir_name(const TopicPartition& tp) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string suffix =
        fmt::format("-{}.{:016x}{:016x}{}", tp.partition, rng(), rng(), kDeleteDirSuffix);
    return tp.topic.substr(0, std::min(tp.topic.size(), 255 - suffix.size())) + suffix;
}

int64_t saturating_add(int64_t a, int64_t b) {
    return a > kLongMax - b ? kLongMax : a + b;
}

OffsetMap read_or_reset(const std::string& path) {
    auto read = CheckpointFile(path).read();
    if (!read) {
        get_logger("log")->warn("error reading {}, resetting it to empty", path);
        return {};
    }
    return std::move(read).value();
}

int64_t get_or(const OffsetMap& m, const TopicPartition& tp, int64_t fallback) {
    auto it = m.find(tp);
    return it == m.end() ? fallback : it->second;
}

}  // namespace

result<std::unique_ptr<LogManager>> LogManager::open(LogManagerConfig config, Clock clock,
                                                     TopicConfigProvider topic_configs) {
    if (!topic_configs) {
        topic_configs = [defaults = config.default_config](const std::string&) { return defaults; };
    }
    std::unique_ptr<LogManager> manager(
        new LogManager(std::move(config), std::move(clock), std::move(topic_configs)));
    SAMSA_TRY(manager->lock_dirs());
    SAMSA_TRY(manager->load_logs());
    LogManager* m = manager.get();
    manager->cleaner_ = std::make_unique<LogCleaner>(
        m->config_.cleaner, m->config_.log_dirs,
        [m] {
            std::vector<CleanerLog> logs;
            std::lock_guard lock(m->mu_);
            for (const auto& [tp, entry] : m->logs_) {
                logs.push_back({tp, entry.log, m->config_.log_dirs[entry.dir_index]});
            }
            return logs;
        },
        manager->clock_);
    return manager;
}

LogManager::~LogManager() {
    (void)shutdown();
}

result<void> LogManager::lock_dirs() {
    for (const auto& dir : config_.log_dirs) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) {
            get_logger("log")->error("cannot create log dir {}: {}", dir, ec.message());
            return Errc::storage_error;
        }
        SAMSA_TRY(auto lock, FileLock::acquire(dir + "/" + kLockFile));
        locks_.push_back(std::move(lock));
        clean_shutdown_.push_back(fs::exists(dir + "/" + kCleanShutdownFile, ec));
    }
    return success();
}

result<void> LogManager::load_logs() {
    std::vector<result<void>> results(config_.log_dirs.size(), success());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
        threads.emplace_back([this, i, &results] { results[i] = load_dir(i); });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (auto& r : results) {
        SAMSA_TRY(r);
    }
    return success();
}

result<void> LogManager::load_dir(size_t dir_index) {
    const std::string& dir = config_.log_dirs[dir_index];
    auto logger = get_logger("log");
    OffsetMap recovery = read_or_reset(dir + "/" + kRecoveryPointCheckpointFile);
    OffsetMap starts = read_or_reset(dir + "/" + kLogStartOffsetCheckpointFile);
    // High watermarks belong to the replica layer; read here only to start each log's HW at
    // min(checkpoint, LEO) (ZK-MODE.md §d recovery step 4).
    OffsetMap hws = read_or_reset(dir + "/" + kReplicationOffsetCheckpointFile);
    std::vector<std::pair<std::string, TopicPartition>> to_load;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (!it->is_directory()) {
            continue;
        }
        if (ends_with(name, kDeleteDirSuffix)) {
            std::lock_guard lock(mu_);
            deleted_logs_.push_back({it->path().string(), nullptr, clock_()});
        } else if (ends_with(name, kFutureDirSuffix)) {
            logger->warn("ignoring {}: moving logs between dirs is not supported",
                         it->path().string());
        } else if (auto tp = parse_partition_dir(name)) {
            to_load.emplace_back(it->path().string(), *tp);
        } else {
            logger->warn("ignoring {}: not a <topic>-<partition> directory", it->path().string());
        }
    }
    if (ec) {
        logger->error("cannot list log dir {}: {}", dir, ec.message());
        return Errc::storage_error;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::error_code first_error;
    std::mutex error_mu;
    auto work = [&] {
        for (size_t k; !failed && (k = next++) < to_load.size();) {
            auto loaded = load_log(dir_index, to_load[k].first, to_load[k].second,
                                   {recovery, starts, hws}, clean_shutdown_[dir_index]);
            if (!loaded) {
                std::lock_guard lock(error_mu);
                failed = true;
                first_error = loaded.error();
            }
        }
    };
    std::vector<std::thread> threads;
    for (int32_t t = 0; t < std::max(1, config_.num_recovery_threads_per_data_dir); ++t) {
        threads.emplace_back(work);
    }
    for (auto& t : threads) {
        t.join();
    }
    if (failed) {
        return first_error;
    }
    fs::remove(dir + "/" + kCleanShutdownFile, ec);
    logger->info("loaded {} log(s) from {} ({} shutdown)", to_load.size(), dir,
                 clean_shutdown_[dir_index] ? "clean" : "unclean");
    return success();
}

result<std::shared_ptr<Log>> LogManager::load_log(size_t dir_index, const std::string& path,
                                                  const TopicPartition& tp,
                                                  const DirCheckpoints& checkpoints, bool clean) {
    SAMSA_TRY(std::shared_ptr<Log> log,
              Log::open(path, tp, topic_configs_(tp.topic), get_or(checkpoints.recovery, tp, 0),
                        clean, clock_, get_or(checkpoints.starts, tp, 0)));
    log->update_high_watermark(get_or(checkpoints.hws, tp, 0));
    watch_log(log);
    std::lock_guard lock(mu_);
    if (logs_.contains(tp)) {
        get_logger("log")->error("duplicate log directories for {}: {} and {}", tp,
                                 logs_[tp].log->dir(), path);
        return Errc::storage_error;
    }
    logs_[tp] = {log, dir_index};
    return log;
}

void LogManager::watch_log(const std::shared_ptr<Log>& log) {
    log->set_roll_listener([this] {
        std::lock_guard lock(scheduler_mu_);
        rolled_ = true;
        scheduler_cv_.notify_one();
    });
}

// ---- partitions ---------------------------------------------------------------------------

std::shared_ptr<Log> LogManager::get_log(const TopicPartition& tp) const {
    std::lock_guard lock(mu_);
    auto it = logs_.find(tp);
    return it == logs_.end() ? nullptr : it->second.log;
}

std::map<TopicPartition, std::shared_ptr<Log>> LogManager::all_logs() const {
    std::lock_guard lock(mu_);
    std::map<TopicPartition, std::shared_ptr<Log>> out;
    for (const auto& [tp, entry] : logs_) {
        out[tp] = entry.log;
    }
    return out;
}

std::map<TopicPartition, std::shared_ptr<Log>> LogManager::logs_in_dir(size_t dir_index) const {
    std::lock_guard lock(mu_);
    std::map<TopicPartition, std::shared_ptr<Log>> out;
    for (const auto& [tp, entry] : logs_) {
        if (entry.dir_index == dir_index) {
            out[tp] = entry.log;
        }
    }
    return out;
}

std::optional<std::string> LogManager::log_dir_of(const TopicPartition& tp) const {
    std::lock_guard lock(mu_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) {
        return std::nullopt;
    }
    return config_.log_dirs[it->second.dir_index];
}

bool LogManager::had_clean_shutdown(const std::string& dir) const {
    auto it = std::find(config_.log_dirs.begin(), config_.log_dirs.end(), dir);
    return it != config_.log_dirs.end() &&
           clean_shutdown_[static_cast<size_t>(it - config_.log_dirs.begin())];
}

result<std::shared_ptr<Log>> LogManager::get_or_create_log(const TopicPartition& tp,
                                                           const LogConfig& config) {
    std::lock_guard lock(mu_);
    if (shut_down_) {
        return Errc::log_closed;
    }
    if (auto it = logs_.find(tp); it != logs_.end()) {
        return it->second.log;
    }
    std::vector<size_t> counts(config_.log_dirs.size(), 0);
    for (const auto& [other, entry] : logs_) {
        ++counts[entry.dir_index];
    }
    size_t dir_index =
        static_cast<size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
    std::string path = config_.log_dirs[dir_index] + "/" + tp.str();
    SAMSA_TRY(std::shared_ptr<Log> log, Log::open(path, tp, config, 0, true, clock_));
    watch_log(log);
    logs_[tp] = {log, dir_index};
    get_logger("log")->info("created log for {} in {}", tp, config_.log_dirs[dir_index]);
    return log;
}

result<void> LogManager::delete_log(const TopicPartition& tp) {
    Entry entry;
    {
        std::lock_guard lock(mu_);
        auto it = logs_.find(tp);
        if (it == logs_.end()) {
            return success();
        }
        entry = std::move(it->second);
        logs_.erase(it);
    }
    if (cleaner_) {
        cleaner_->forget(tp);
    }
    SAMSA_TRY(entry.log->close());
    std::string renamed = config_.log_dirs[entry.dir_index] + "/" + delete_dir_name(tp);
    SAMSA_TRY(entry.log->rename_dir(renamed));
    get_logger("log")->info("log for {} renamed to {} and scheduled for deletion", tp, renamed);
    {
        std::lock_guard lock(mu_);
        deleted_logs_.push_back(
            {renamed, entry.log,
             saturating_add(clock_(), config_.default_config.file_delete_delay_ms)});
    }
    return checkpoint_dir(entry.dir_index);
}

}  // namespace samsa::log
