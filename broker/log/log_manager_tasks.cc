// LogManager: shutdown, metadata and checkpoint files, and the background tasks.
#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "broker/log/log_manager.h"
#include "common/logging.h"

#include <filesystem>

namespace samsa::log {
namespace fs = std::filesystem;

namespace {

int64_t saturating_add(int64_t a, int64_t b) {
    return a > kLongMax - b ? kLongMax : a + b;
}

}  // namespace

// ---- lifecycle ----------------------------------------------------------------------------

void LogManager::startup() {
    bool start_cleaner = false;
    {
        std::lock_guard lock(scheduler_mu_);
        if (!scheduler_.joinable() && !stopping_) {
            scheduler_ = std::thread([this] { run_scheduler(); });
            start_cleaner = config_.cleaner.enable && cleaner_ != nullptr;
        }
    }
    // Not under scheduler_mu_: a roll takes it under its log's lock, and the cleaner takes
    // logs' locks under its own mutex, so starting the cleaner under it would close a cycle
    // (ThreadSanitizer reported the lock-order inversion). A shutdown in between is fine:
    // the cleaner does not start once it was shut down.
    if (start_cleaner) {
        cleaner_->startup();
    }
}

result<void> LogManager::shutdown() {
    if (cleaner_) {
        cleaner_->shutdown();  // before the logs close: a pass in progress is abandoned
    }
    {
        std::lock_guard lock(scheduler_mu_);
        stopping_ = true;
    }
    scheduler_cv_.notify_all();
    if (scheduler_.joinable()) {
        scheduler_.join();
    }
    {
        std::lock_guard lock(mu_);
        if (shut_down_) {
            return success();
        }
        shut_down_ = true;
    }
    auto logger = get_logger("log");
    std::error_code first_error;
    for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
        bool clean = true;
        for (const auto& [tp, log] : logs_in_dir(i)) {
            auto flushed = log->flush();
            auto closed = log->close();
            if (!flushed || !closed) {
                clean = false;
                first_error = !flushed ? flushed.error() : closed.error();
            }
        }
        auto checkpointed = checkpoint_dir(i);
        const std::string marker = config_.log_dirs[i] + "/" + kCleanShutdownFile;
        if (clean && checkpointed) {
            (void)atomic_write_file(marker, "");
        } else {
            logger->error("shutdown of {} was not clean: recovery will run at next start",
                          config_.log_dirs[i]);
        }
    }
    locks_.clear();
    logger->info("log manager shut down");
    return first_error ? result<void>(first_error) : success();
}

// ---- meta.properties and checkpoints -------------------------------------------------------

result<std::optional<BrokerMetadata>> LogManager::read_broker_metadata() const {
    std::optional<BrokerMetadata> found;
    for (const auto& dir : config_.log_dirs) {
        SAMSA_TRY(auto meta, BrokerMetadataCheckpoint(dir + "/" + kMetaPropertiesFile).read());
        if (!meta) {
            continue;
        }
        if (found && !(*found == *meta)) {
            get_logger("log")->error(
                "BrokerMetadata is not consistent across log.dirs: {} has broker.id {} "
                "cluster.id {}, another dir has broker.id {} cluster.id {}",
                dir, meta->broker_id, meta->cluster_id.value_or("-"), found->broker_id,
                found->cluster_id.value_or("-"));
            return Errc::inconsistent_broker_metadata;
        }
        found = meta;
    }
    return found;
}

result<void> LogManager::write_broker_metadata(const BrokerMetadata& metadata) const {
    for (const auto& dir : config_.log_dirs) {
        SAMSA_TRY(BrokerMetadataCheckpoint(dir + "/" + kMetaPropertiesFile).write(metadata));
    }
    return success();
}

result<OffsetMap> LogManager::read_replication_offset_checkpoint(const std::string& dir) const {
    return CheckpointFile(dir + "/" + kReplicationOffsetCheckpointFile).read();
}

result<void> LogManager::write_replication_offset_checkpoint(const std::string& dir,
                                                             const OffsetMap& offsets) const {
    return CheckpointFile(dir + "/" + kReplicationOffsetCheckpointFile).write(offsets);
}

result<void> LogManager::checkpoint_dir(size_t dir_index) {
    OffsetMap recovery;
    OffsetMap starts;
    for (const auto& [tp, log] : logs_in_dir(dir_index)) {
        recovery[tp] = log->recovery_point();
        if (log->log_start_offset() > log->first_segment_base_offset()) {
            starts[tp] = log->log_start_offset();
        }
    }
    std::lock_guard lock(checkpoint_mu_);
    const std::string& dir = config_.log_dirs[dir_index];
    SAMSA_TRY(CheckpointFile(dir + "/" + kRecoveryPointCheckpointFile).write(recovery));
    return CheckpointFile(dir + "/" + kLogStartOffsetCheckpointFile).write(starts);
}

result<void> LogManager::checkpoint_log_recovery_offsets() {
    for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
        OffsetMap recovery;
        for (const auto& [tp, log] : logs_in_dir(i)) {
            recovery[tp] = log->recovery_point();
        }
        std::lock_guard lock(checkpoint_mu_);
        SAMSA_TRY(CheckpointFile(config_.log_dirs[i] + "/" + kRecoveryPointCheckpointFile)
                      .write(recovery));
    }
    return success();
}

result<void> LogManager::checkpoint_log_start_offsets() {
    for (size_t i = 0; i < config_.log_dirs.size(); ++i) {
        OffsetMap starts;
        for (const auto& [tp, log] : logs_in_dir(i)) {
            if (log->log_start_offset() > log->first_segment_base_offset()) {
                starts[tp] = log->log_start_offset();
            }
        }
        std::lock_guard lock(checkpoint_mu_);
        SAMSA_TRY(CheckpointFile(config_.log_dirs[i] + "/" + kLogStartOffsetCheckpointFile)
                      .write(starts));
    }
    return success();
}

// ---- background tasks ---------------------------------------------------------------------

size_t LogManager::cleanup_logs() {
    size_t deleted = 0;
    for (const auto& [tp, log] : all_logs()) {
        log->expire_producers(config_.producer_id_expiration_ms);
        auto n = log->delete_old_segments();
        if (n) {
            deleted += n.value();
        } else if (n.error() != make_error_code(Errc::log_closed)) {
            get_logger("log")->error("retention of {} failed: {}", tp, n.error().message());
        }
    }
    return deleted;
}

void LogManager::flush_dirty_logs() {
    int64_t now = clock_();
    for (const auto& [tp, log] : all_logs()) {
        if (now - log->last_flush_time_ms() >= log->config().flush_ms) {
            if (auto r = log->flush(); !r) {
                get_logger("log")->error("flush of {} failed: {}", tp, r.error().message());
            }
        }
    }
}

void LogManager::flush_rolled_segments() {
    for (const auto& [tp, log] : all_logs()) {
        (void)log->flush_rolled_segments();  // failures are logged where they happen
    }
}

void LogManager::delete_logs() {
    int64_t now = clock_();
    std::vector<DeletedLog> due;
    {
        std::lock_guard lock(mu_);
        std::erase_if(deleted_logs_, [&](DeletedLog& d) {
            if (d.due_ms > now) {
                return false;
            }
            due.push_back(std::move(d));
            return true;
        });
    }
    for (const auto& d : due) {
        std::error_code ec;
        fs::remove_all(d.path, ec);
        if (ec) {
            get_logger("log")->error("cannot delete {}: {}", d.path, ec.message());
        } else {
            get_logger("log")->info("deleted log directory {}", d.path);
        }
    }
    for (const auto& [tp, log] : all_logs()) {
        log->purge_deleted_segments();
    }
}

void LogManager::run_scheduler() {
    int64_t now = clock_();
    int64_t next_retention = saturating_add(now, config_.retention_check_interval_ms);
    int64_t next_flush = saturating_add(now, config_.flush_check_interval_ms);
    int64_t next_recovery =
        saturating_add(now, config_.flush_recovery_offset_checkpoint_interval_ms);
    int64_t next_start = saturating_add(now, config_.flush_start_offset_checkpoint_interval_ms);
    for (;;) {
        int64_t next_due = std::min({next_retention, next_flush, next_recovery, next_start});
        // Wake at least every second for rolled segments and delayed file deletions.
        int64_t wait_ms = std::clamp<int64_t>(next_due - now, 0, 1000);
        bool rolled = false;
        {
            std::unique_lock lock(scheduler_mu_);
            scheduler_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                                   [this] { return stopping_ || rolled_; });
            if (stopping_) {
                return;
            }
            rolled = std::exchange(rolled_, false);
        }
        now = clock_();
        if (rolled) {
            flush_rolled_segments();
        }
        if (now >= next_retention) {
            cleanup_logs();
            next_retention = saturating_add(now, config_.retention_check_interval_ms);
        }
        if (now >= next_flush) {
            flush_dirty_logs();
            next_flush = saturating_add(now, config_.flush_check_interval_ms);
        }
        if (now >= next_recovery) {
            (void)checkpoint_log_recovery_offsets();
            next_recovery =
                saturating_add(now, config_.flush_recovery_offset_checkpoint_interval_ms);
        }
        if (now >= next_start) {
            (void)checkpoint_log_start_offsets();
            next_start = saturating_add(now, config_.flush_start_offset_checkpoint_interval_ms);
        }
        delete_logs();
    }
}

}  // namespace samsa::log
