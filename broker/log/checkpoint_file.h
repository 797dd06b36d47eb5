#pragma once
// CheckpointFile: the per-log-dir offset checkpoints (Kafka's OffsetCheckpointFile), used for
// recovery-point-offset-checkpoint, log-start-offset-checkpoint and
// replication-offset-checkpoint (the high watermarks, owned by the replica layer).
//
// File format, text, one item per line:
//   0                      version
//   2                      number of entries
//   orders 0 1834          "<topic> <partition> <offset>", in any order
//   orders 1 17
// write() goes to <file>.tmp, fsyncs it and renames it over the file (then fsyncs the dir).
// The version/count/lines frame (Kafka's CheckpointFile) lives in checkpoint_format.h,
// shared with leader-epoch-checkpoint (leader_epoch_file_cache.h).
//
// Thread-safe for distinct files; callers serialize writes to one file.

#include "broker/log/checkpoint_format.h"
#include "common/result.h"
#include "common/types.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace samsa::log {

inline const std::string kRecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
inline const std::string kLogStartOffsetCheckpointFile = "log-start-offset-checkpoint";
inline const std::string kReplicationOffsetCheckpointFile = "replication-offset-checkpoint";

using OffsetMap = std::map<TopicPartition, int64_t>;

class CheckpointFile {
  public:
    explicit CheckpointFile(std::string path) : path_(std::move(path)) {}

    const std::string& path() const { return path_; }

    result<void> write(const OffsetMap& offsets) const;
    // A missing file reads as empty. A malformed one (bad version, count, or line) is
    // Errc::corrupt_checkpoint, logged with the offending line.
    result<OffsetMap> read() const;

  private:
    std::string path_;
};

}  // namespace samsa::log
