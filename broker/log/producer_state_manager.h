#pragma once
// ProducerStateManager: one partition's idempotent-producer state (Kafka's
// ProducerStateManager, ZK-MODE.md §e step 4). For every producer id seen in the log: its
// epoch and the metadata of its last five batches, enough to answer a retried batch with its
// original offsets and to refuse a gap or a stale epoch.
//
// Who feeds it: the Log, under its lock — the leader checks a producer's batch before writing
// it and records it after; followers and recovery record whatever the log holds, unchecked
// (their leader checked it). The state is therefore the same on every replica and moves with
// leadership without being sent anywhere.
//
// Snapshots (<offset>.snapshot in the partition dir, Kafka's format: version int16 = 1,
// CRC-32C uint32 of what follows, then int32 count and per producer: id int64, epoch int16,
// last sequence int32, last offset int64, offset delta int32, timestamp int64, coordinator
// epoch int32, current transaction's first offset int64) hold the state as of <offset>, so
// that a restart replays only the log after the latest one. Like Kafka's, a snapshot keeps a
// producer's last batch only. Written at each roll and on close.
//
// Not thread-safe: the owning Log serialises every call.

#include "common/result.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace samsa::protocol {
class RecordBatchView;
}

namespace samsa::log {

inline const std::string kProducerSnapshotFileSuffix = ".snapshot";

// One batch of a producer (Kafka's BatchMetadata).
struct ProducerBatch {
    int32_t first_seq = -1;
    int32_t last_seq = -1;
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    int64_t timestamp = -1;
};

struct ProducerStateEntry {
    int16_t epoch = -1;
    std::deque<ProducerBatch> batches;  // oldest first, at most kMaxCachedBatches
    int32_t coordinator_epoch = -1;
    int64_t last_timestamp = -1;

    bool empty() const { return batches.empty(); }
    int32_t last_seq() const { return batches.empty() ? -1 : batches.back().last_seq; }
    int64_t last_offset() const { return batches.empty() ? -1 : batches.back().last_offset; }
};

// The last sequence of a batch of `record_count` records starting at `base_seq`: sequences
// wrap from INT32_MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence).
int32_t increment_sequence(int32_t base_seq, int32_t increment);

class ProducerStateManager {
  public:
    static constexpr size_t kMaxCachedBatches = 5;

    explicit ProducerStateManager(std::string dir) : dir_(std::move(dir)) {}
    // The partition directory was renamed (its snapshots moved with it).
    void set_dir(std::string dir) { dir_ = std::move(dir); }

    // A producer's batch about to be appended by the leader. Returns the original batch when
    // this one repeats one of its producer's cached batches (same epoch and sequence range),
    // nullopt when it may be appended. Errors: invalid_producer_epoch (an older epoch),
    // out_of_order_sequence (a gap, or a new epoch not starting at sequence 0).
    result<std::optional<ProducerBatch>> check(const protocol::RecordBatchView& batch) const;
    // Records a batch written at its offsets (leader, follower or recovery). Batches without
    // a producer id are ignored. Moves the map end offset past it.
    void update(const protocol::RecordBatchView& batch);

    // The offset the state is current up to (exclusive).
    int64_t map_end_offset() const { return map_end_offset_; }
    void set_map_end_offset(int64_t offset) { map_end_offset_ = offset; }

    const ProducerStateEntry* entry(int64_t producer_id) const;
    size_t producer_count() const { return producers_.size(); }

    // The log start moved (retention, DeleteRecords): forgets producers whose last batch is
    // below it, and snapshots older than it except the newest.
    void truncate_head(int64_t log_start_offset);
    // Forgets everything (the log is truncated fully); deletes every snapshot.
    void reset(int64_t offset);
    // Forgets producers idle for longer than `max_idle_ms` (transactional.id.expiration.ms,
    // which Kafka 2.8 also applies to idempotent producers).
    size_t expire(int64_t now_ms, int64_t max_idle_ms);

    // Writes <map end offset>.snapshot (atomically) unless it exists.
    result<void> take_snapshot();
    // Truncation or load: deletes snapshots above `log_end_offset`, then loads the newest
    // remaining one that parses (corrupt ones are deleted). Returns its offset — the caller
    // replays the log from there — or nullopt with the state empty.
    result<std::optional<int64_t>> load_latest_snapshot(int64_t log_end_offset);
    // The offsets of the snapshot files in the directory, ascending.
    std::vector<int64_t> snapshot_offsets() const;

    // The snapshot format, exposed for tests.
    std::string encode_snapshot() const;
    result<void> decode_snapshot(std::string_view bytes);

  private:
    std::string snapshot_path(int64_t offset) const;

    std::string dir_;
    std::unordered_map<int64_t, ProducerStateEntry> producers_;
    int64_t map_end_offset_ = 0;
};

}  // namespace samsa::log
