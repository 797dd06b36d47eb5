#pragma once
// LeaderEpochFileCache: for one partition, the offset at which each leader epoch started
// (Kafka's LeaderEpochFileCache with its LeaderEpochCheckpointFile). It answers
// OffsetsForLeaderEpoch (end_offset_for) so a follower can truncate a divergent tail
// (KIP-101, KIP-279), and it lets the log say which epoch wrote an offset.
//
// File format, <partition dir>/leader-epoch-checkpoint, text (checkpoint_file.h's frame):
//   0                version
//   2                number of entries
//   0 0              "<epoch> <startOffset>", oldest first
//   3 1834
// Every change rewrites the whole file: <file>.tmp, fsync, rename (then fsync the dir). A new
// leader's entry is the exception (assign with sync=false): thousands of partitions change
// leader at once on a failover, and two fsyncs and a new inode each made that disk- and
// kernel-bound. Its file is written by sync(), which the Log calls before its recovery point
// moves past records of that epoch and when it closes; a crash before then loses nothing that
// recovery does not rebuild from the batches' partitionLeaderEpoch (everything after the
// recovery point). The entries in memory are the truth meanwhile.
//
// Invariant: epochs and start offsets both strictly increase along entries(). assign() keeps
// it by first dropping the entries the new one conflicts with.
//
// Who changes it (all in Log, see log.h): recovery rebuilds it from the batches'
// partitionLeaderEpoch; each append adds the epoch of a batch newer than the latest; a new
// leader adds (its epoch, LEO); truncation, full truncation and a log start moving forward
// trim it.
//
// Not thread-safe: the owning Log calls it under the Log's lock (shared for the const
// queries, exclusive for the rest). A failed write leaves the in-memory entries changed (as
// in Kafka, where the log dir then goes offline) and returns Errc::storage_error; the next
// successful write persists them.

#include "common/result.h"
#include "common/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::log {

inline const std::string kLeaderEpochCheckpointFile = "leader-epoch-checkpoint";

inline constexpr int32_t kUndefinedEpoch = -1;        // Kafka's UNDEFINED_EPOCH
inline constexpr int64_t kUndefinedEpochOffset = -1;  // Kafka's UNDEFINED_EPOCH_OFFSET

struct EpochEntry {
    int32_t epoch = 0;
    int64_t start_offset = 0;

    friend bool operator==(const EpochEntry&, const EpochEntry&) = default;
};

// OffsetsForLeaderEpoch's answer: the epoch the leader knows and where it ended.
struct EpochEndOffset {
    int32_t epoch = kUndefinedEpoch;
    int64_t end_offset = kUndefinedEpochOffset;

    friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
};

class LeaderEpochFileCache {
  public:
    // Reads `path` (missing or empty: no entries). Errc::corrupt_checkpoint if the file is
    // malformed or its entries do not strictly increase.
    static result<LeaderEpochFileCache> load(std::string path, TopicPartition tp);

    // Adds (epoch, start_offset) unless the latest entry has this epoch and starts at or
    // before it. Entries with epoch >= `epoch` or start >= `start_offset` are removed first
    // (a warning when that drops more than a placeholder at the same offset). Writes the file
    // when anything changed. Negative values are std::errc::invalid_argument.
    result<void> assign(int32_t epoch, int64_t start_offset, bool sync = true);
    // Writes (durably) what an unsynced assign left in memory only; nothing to do otherwise.
    result<void> sync();
    bool has_unsynced_write() const { return unsynced_; }
    // Log truncation: removes the entries starting at or after `end_offset`. With `sync`
    // false the file is written by the next sync() (as an unsynced assign).
    result<void> truncate_from_end(int64_t end_offset, bool sync = true);
    // The log start moved to `start_offset`: removes the entries starting at or before it and
    // keeps the last of them (the epoch `start_offset` belongs to), now starting there.
    result<void> truncate_from_start(int64_t start_offset, bool sync = true);
    // Removes everything (the log was truncated fully).
    result<void> clear();

    std::optional<int32_t> latest_epoch() const;
    std::optional<EpochEntry> latest_entry() const;
    // OffsetsForLeaderEpoch (ZK-MODE.md §c), `log_end_offset` being the log's LEO:
    //   -1 or unknown-and-above-all (or no entries)   -> (-1, -1)
    //   the latest epoch                              -> (epoch, log_end_offset)
    //   below every known epoch                       -> (requested, first start offset)
    //   otherwise                                     -> (largest epoch <= requested,
    //                                                     start of the first epoch > requested)
    EpochEndOffset end_offset_for(int32_t requested_epoch, int64_t log_end_offset) const;
    // The epoch that wrote `offset`: the last entry starting at or before it (nullopt if none).
    std::optional<int32_t> epoch_for_offset(int64_t offset) const;

    const std::vector<EpochEntry>& entries() const { return entries_; }
    const std::string& path() const { return path_; }
    // The partition dir was renamed: later writes go to `path`.
    void set_path(std::string path) { path_ = std::move(path); }

  private:
    LeaderEpochFileCache(std::string path, TopicPartition tp)
        : path_(std::move(path)), tp_(std::move(tp)) {}

    result<void> flush(bool sync = true);

    std::string path_;
    TopicPartition tp_;
    std::vector<EpochEntry> entries_;  // oldest first
    bool unsynced_ = false;            // entries_ has changes the file does not hold yet
};

}  // namespace samsa::log
