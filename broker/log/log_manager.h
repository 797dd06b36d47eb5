#pragma once
// LogManager: owns the broker's log.dirs and every partition Log in them (Kafka's
// LogManager). Per log dir:
//   .lock                              exclusive flock, held until shutdown (file_lock.h)
//   meta.properties                    broker.id / cluster.id (broker_metadata_checkpoint.h)
//   .kafka_cleanshutdown               written by shutdown(); present at start = skip recovery
//   recovery-point-offset-checkpoint   per-partition recovery points (checkpoint_file.h)
//   log-start-offset-checkpoint        only logs whose start is above their first segment
//   replication-offset-checkpoint      high watermarks: written by the replica layer
//   <topic>-<partition>/               one Log each; <topic>-<p>.<uuid>-delete when deleted
//
// Threads: open() loads the logs of each dir on num_recovery_threads_per_data_dir threads.
// startup() starts the log cleaner's threads (log_cleaner.h) and one background thread
// (both stopped by shutdown()) that runs, each on its own
// interval: retention (cleanup_logs), flush by flush.ms (flush_dirty_logs), recovery point
// and log start checkpoints, flushing of rolled segments, and the removal of deleted logs and
// segments whose file.delete.delay.ms is over. Those tasks are public so tests can run them
// with an injected clock. All public methods are thread-safe; Logs are shared_ptrs, valid
// after the manager drops them (a deleted Log is closed: its calls fail with log_closed).

#include "broker/log/broker_metadata_checkpoint.h"
#include "broker/log/checkpoint_file.h"
#include "broker/log/cleaner_config.h"
#include "broker/log/clock.h"
#include "broker/log/file_lock.h"
#include "broker/log/log.h"
#include "broker/log/log_cleaner.h"
#include "broker/log/log_config.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace samsa::log {

inline const std::string kCleanShutdownFile = ".kafka_cleanshutdown";
inline const std::string kLockFile = ".lock";
inline const std::string kDeleteDirSuffix = "-delete";
inline const std::string kFutureDirSuffix = "-future";

struct LogManagerConfig {
    std::vector<std::string> log_dirs;  // log.dirs
    LogConfig default_config;           // broker-level log.* defaults
    int32_t num_recovery_threads_per_data_dir = 1;
    int64_t retention_check_interval_ms = 300000;  // log.retention.check.interval.ms
    // Idle idempotent producers are forgotten after this long (Kafka 2.8 uses
    // transactional.id.expiration.ms); checked with retention.
    int64_t producer_id_expiration_ms = 604800000;
    int64_t flush_check_interval_ms = kLongMax;  // log.flush.scheduler.interval.ms
    int64_t flush_recovery_offset_checkpoint_interval_ms = 60000;
    int64_t flush_start_offset_checkpoint_interval_ms = 60000;
    CleanerConfig cleaner;  // log.cleaner.*
};

// The config of a topic found on disk at startup (its ZooKeeper overrides applied).
using TopicConfigProvider = std::function<LogConfig(const std::string& topic)>;

class LogManager {
  public:
    // Locks every dir (Errc::log_dir_locked if another instance has one), then loads every
    // partition. Missing dirs are created.
    static result<std::unique_ptr<LogManager>> open(LogManagerConfig config, Clock clock,
                                                    TopicConfigProvider topic_configs = {});
    ~LogManager();
    LogManager(const LogManager&) = delete;
    LogManager& operator=(const LogManager&) = delete;

    // Starts the background thread, and the log cleaner's if log.cleaner.enable.
    void startup();
    // Stops the threads (the cleaner's first), flushes and closes every log, writes the checkpoints
    // and the clean-shutdown markers, releases the locks. Idempotent.
    result<void> shutdown();

    std::shared_ptr<Log> get_log(const TopicPartition& tp) const;
    // The existing log, or a new one in the dir holding the fewest partitions.
    result<std::shared_ptr<Log>> get_or_create_log(const TopicPartition& tp,
                                                   const LogConfig& config);
    // Closes the log, renames its dir to <topic>-<p>.<32 hex>-delete and removes it in the
    // background after file.delete.delay.ms. A missing log is not an error.
    result<void> delete_log(const TopicPartition& tp);
    std::map<TopicPartition, std::shared_ptr<Log>> all_logs() const;
    const std::vector<std::string>& log_dirs() const { return config_.log_dirs; }
    // The log dir (not the partition dir) holding tp, if any.
    std::optional<std::string> log_dir_of(const TopicPartition& tp) const;
    // Whether `dir` had .kafka_cleanshutdown when this manager started.
    bool had_clean_shutdown(const std::string& dir) const;

    // meta.properties of every dir: nullopt if none has one; Errc::inconsistent_broker_metadata
    // if two dirs disagree.
    result<std::optional<BrokerMetadata>> read_broker_metadata() const;
    // Writes meta.properties into every dir.
    result<void> write_broker_metadata(const BrokerMetadata& metadata) const;

    // High watermark checkpoints, for the replica layer (this class only reads them at load).
    result<OffsetMap> read_replication_offset_checkpoint(const std::string& dir) const;
    result<void> write_replication_offset_checkpoint(const std::string& dir,
                                                     const OffsetMap& offsets) const;

    // Log compaction (log_cleaner.h); it exists even when disabled (not started then).
    LogCleaner& cleaner() { return *cleaner_; }

    // The scheduled tasks.
    size_t cleanup_logs();
    void flush_dirty_logs();
    result<void> checkpoint_log_recovery_offsets();
    result<void> checkpoint_log_start_offsets();
    void flush_rolled_segments();
    void delete_logs();

  private:
    LogManager(LogManagerConfig config, Clock clock, TopicConfigProvider topic_configs)
        : config_(std::move(config)),
          clock_(std::move(clock)),
          topic_configs_(std::move(topic_configs)) {}

    struct Entry {
        std::shared_ptr<Log> log;
        size_t dir_index;
    };
    struct DeletedLog {
        std::string path;
        std::shared_ptr<Log> log;  // null for *-delete dirs found at startup
        int64_t due_ms;
    };

    result<void> lock_dirs();
    result<void> load_logs();
    result<void> load_dir(size_t dir_index);
    struct DirCheckpoints {
        const OffsetMap& recovery;
        const OffsetMap& starts;
        const OffsetMap& hws;
    };
    result<std::shared_ptr<Log>> load_log(size_t dir_index, const std::string& path,
                                          const TopicPartition& tp,
                                          const DirCheckpoints& checkpoints, bool clean);
    void run_scheduler();
    void watch_log(const std::shared_ptr<Log>& log);
    std::map<TopicPartition, std::shared_ptr<Log>> logs_in_dir(size_t dir_index) const;
    result<void> checkpoint_dir(size_t dir_index);

    const LogManagerConfig config_;
    const Clock clock_;
    const TopicConfigProvider topic_configs_;
    std::vector<std::unique_ptr<FileLock>> locks_;
    std::vector<bool> clean_shutdown_;

    mutable std::mutex mu_;
    std::map<TopicPartition, Entry> logs_;  // guarded by mu_
    std::vector<DeletedLog> deleted_logs_;  // guarded by mu_
    std::mutex checkpoint_mu_;              // serializes checkpoint writes

    std::mutex scheduler_mu_;
    std::condition_variable scheduler_cv_;
    bool stopping_ = false;   // guarded by scheduler_mu_
    bool rolled_ = false;     // guarded by scheduler_mu_
    bool shut_down_ = false;  // guarded by mu_
    std::thread scheduler_;
    std::unique_ptr<LogCleaner> cleaner_;
};

}  // namespace samsa::log
