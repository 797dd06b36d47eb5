#pragma once
// LogCleaner: log compaction for cleanup.policy=compact and compact,delete topics (Kafka's
// LogCleaner + LogCleanerManager). log.cleaner.threads threads each loop:
//
//  1. Choose the filthiest log (choose_log_to_clean): among the compacted logs not being
//     cleaned by another thread, each has
//       first dirty offset   its cleaner-offset-checkpoint entry, or the log start (also when
//                            the entry is below the log start or above the log end, i.e.
//                            the log was truncated or recreated);
//       first uncleanable    the smallest of: the active segment's base, the high watermark,
//                            and the base of the first dirty segment whose largest timestamp
//                            is within min.compaction.lag.ms of now;
//       dirty ratio          bytes of segments in [first dirty, first uncleanable) over bytes
//                            of segments in [log start, first uncleanable).
//     A log qualifies when it has dirty bytes and its ratio reaches min.cleanable.dirty.ratio,
//     or, whatever its ratio, when its first dirty segment's largest timestamp is older than
//     max.compaction.lag.ms (KIP-354, approximated by the segment's largest rather than its
//     first timestamp). Those past max.compaction.lag.ms come first, then the highest ratio.
//  2. Clean it (cleaner.h) and record the new first dirty offset in cleaner-offset-checkpoint
//     of the log's dir (Kafka's offset checkpoint format, checkpoint_file.h).
//  3. Nothing to clean: wait log.cleaner.backoff.ms (or until shutdown).
//
// Retention of compact,delete logs stays with the LogManager's retention task, which applies
// the delete policy to any log that has it (log_retention.h).
//
// Thread-safe. Logs come from a LogSource on every pass, so new, deleted and reconfigured
// logs (cleanup.policy changed) are picked up at the next pass. The cleaner's own settings
// change with reconfigure() (dynamic log.cleaner.* configs), which, as Kafka's
// LogCleaner.reconfigure, stops the threads and starts new ones with the new settings:
// config_ and throttler_ change only while no cleaner thread runs, so the threads read them
// without a lock. startup(), shutdown() and reconfigure() are serialized by lifecycle_mu_.

#include "broker/log/checkpoint_file.h"
#include "broker/log/cleaner.h"
#include "broker/log/cleaner_config.h"
#include "broker/log/clock.h"
#include "broker/log/log.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace samsa::log {

struct CleanerLog {
    TopicPartition tp;
    std::shared_ptr<Log> log;
    std::string log_dir;  // the log dir holding it (where its checkpoint entry lives)
};
using LogSource = std::function<std::vector<CleanerLog>()>;

class LogCleaner {
  public:
    LogCleaner(CleanerConfig config, std::vector<std::string> log_dirs, LogSource logs,
               Clock clock);
    ~LogCleaner();
    LogCleaner(const LogCleaner&) = delete;
    LogCleaner& operator=(const LogCleaner&) = delete;

    // Reads the checkpoints (a malformed one is reset) and starts the threads.
    void startup();
    // Stops the threads; a pass in progress is abandoned (its files deleted). Idempotent.
    // The cleaner does not start again.
    void shutdown();
    // Takes new settings (enable is ignored: that one is static): the running threads stop
    // (abandoning a pass in progress, which the new threads start over) and as many as the
    // new num_threads start, if the cleaner was running. Blocks until the old threads ended.
    void reconfigure(const CleanerConfig& config);
    // The settings in use.
    CleanerConfig config() const;
    // How many cleaner threads run.
    size_t running_threads() const;

    // One pass on the caller's thread (tests; not concurrently with reconfigure()): the log
    // it cleaned, if any.
    result<std::optional<TopicPartition>> clean_once();
    // The log the next pass would clean, marked in progress when `claim`.
    std::optional<LogToClean> choose_log_to_clean(bool claim);
    // Forgets a deleted log's checkpoint entry.
    void forget(const TopicPartition& tp);
    // The first dirty offset recorded for each log.
    std::map<TopicPartition, int64_t> checkpoints() const;
    // Statistics of the last pass of any thread.
    CleanerStats last_stats() const;

  private:
    void load_checkpoints();
    void run(size_t thread_index);
    result<std::optional<TopicPartition>> clean_with(Cleaner& cleaner);
    std::optional<LogToClean> evaluate(const CleanerLog& entry, int64_t now) const;
    result<void> write_checkpoint(const std::string& log_dir);
    void sleep_for(std::chrono::milliseconds ms);
    bool stopping() const;
    // Starts config_.num_threads threads / stops and joins them; lifecycle_mu_ held.
    void start_threads();
    void stop_threads();
    std::unique_ptr<Throttler> make_throttler(double bytes_per_second);

    CleanerConfig config_;  // changed only with no thread running
    const std::vector<std::string> log_dirs_;
    const LogSource logs_;
    const Clock clock_;
    std::unique_ptr<Throttler> throttler_;  // shared by the threads; replaced with config_

    std::mutex lifecycle_mu_;  // serializes startup, shutdown, reconfigure
    bool shut_down_ = false;   // guarded by lifecycle_mu_
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;                          // guarded by mu_
    std::map<TopicPartition, int64_t> checkpoints_;  // guarded by mu_
    std::set<TopicPartition> in_progress_;           // guarded by mu_
    std::set<TopicPartition> uncleanable_;           // failed with an error; guarded by mu_
    CleanerStats last_stats_;                        // guarded by mu_
    std::mutex checkpoint_mu_;                       // serializes checkpoint file writes
    std::vector<std::thread> threads_;               // guarded by lifecycle_mu_ (and mu_ for reads)
};

}  // namespace samsa::log
