#pragma once
// LogLoader: opens a partition directory's segments at startup and, after an unclean shutdown,
// recovers them (Kafka's LogLoader / Log.loadSegments + recoverLog; ZK-MODE.md §d):
//
//  1. Delete leftovers: *.deleted (retention or a swap not finished), *.cleaned (a cleaning
//     pass that never reached its swap), *.index.swap / *.timeindex.swap, and index files
//     without a .log.
//  1b. Complete interrupted swaps (log_cleaner.h, Log::replace_segments): each <base>.log.swap
//     is recovered (indexes rebuilt), the segments whose base lies in [base, its next offset)
//     are deleted (their records are in it, or were removed by the cleaner), and it is
//     renamed to <base>.log. A swap file exists only once it was complete and flushed.
//  2. Open every <20-digit base>.log; rebuild (LogSegment::recover) any segment whose index is
//     missing or fails its sanity check.
//  3. Unless the shutdown was clean: recover every segment from the one holding the recovery
//     point on, re-reading each batch (size >= 61, magic 2, CRC-32C, increasing offsets). At
//     the first bad batch, truncate that segment there and delete every later segment; log
//     what was dropped. Corruption is reported, never fatal.
//  4. With no segment left, create one at the log start offset. LEO = the end of the last
//     batch; if that is below the log start offset, start over empty at the log start.
//  5. The active segment's indexes are preallocated again, the others trimmed.
//
// The leader epoch cache (leader_epoch_file_cache.h) is read from leader-epoch-checkpoint
// first (missing: empty; malformed: the load fails). Every segment recovered in steps 2-3
// feeds it, in offset order, as Kafka's LogSegment.recover does: a batch whose
// partitionLeaderEpoch is >= 0 and greater than the latest epoch starts that epoch at its base
// offset. At the end it is trimmed to the LEO (entries starting at or after it go, they
// described lost data) and to the log start offset.
//
// Runs on one of the LogManager's recovery threads before the Log exists; touches only `dir`.

#include "broker/log/leader_epoch_file_cache.h"
#include "broker/log/log_config.h"
#include "broker/log/log_segment.h"
#include "common/result.h"
#include "common/types.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace samsa::log {

struct LoadParams {
    std::string dir;
    TopicPartition tp;
    LogConfig config;
    int64_t recovery_point = 0;
    int64_t log_start_offset = 0;  // from the checkpoint (0 without one)
    bool had_clean_shutdown = false;
    int64_t now_ms = 0;
};

struct LoadedLog {
    std::map<int64_t, std::unique_ptr<LogSegment>> segments;  // never empty
    int64_t log_start_offset = 0;
    int64_t log_end_offset = 0;
    int64_t recovery_point = 0;  // = log_end_offset, as after Kafka's recoverLog
    std::optional<LeaderEpochFileCache> epoch_cache;  // always set by a successful load
};

class LogLoader {
  public:
    static result<LoadedLog> load(const LoadParams& params);
};

SegmentOptions segment_options(const LogConfig& config, int64_t now_ms);

}  // namespace samsa::log
