#pragma once
// RecordFilter: which records of one batch compaction keeps, and the batch that holds them
// (Kafka's Cleaner.shouldRetainRecord + MemoryRecords.filterTo for magic 2).
//
// A record is kept when it has a key, no later offset of that key is in the offset map, and it
// is not a tombstone (null value) past the delete horizon. Records without a key are dropped
// (Kafka refuses them on compacted topics, so only older data can hold them). Control batches
// are kept whole.
//
// The result keeps the batch's base offset, lastOffsetDelta, producer id, epoch, base sequence,
// partition leader epoch and attributes: retained records keep their offsets, and the gaps of
// the removed ones stay. A batch keeping every record is copied byte for byte (compressed ones
// too); a rewritten one is compressed again with its own codec. A batch keeping nothing goes,
// unless it is the last batch of its producer in the cleaned range: then its header stays, with
// no records, so the producer's sequence and epoch survive (Kafka keeps the same).
//
// Stateless, thread-safe.

#include "broker/log/offset_map.h"
#include "broker/protocol/record_batch.h"
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace samsa::log {

struct FilterContext {
    const CleanerOffsetMap* map = nullptr;
    bool retain_deletes = true;  // tombstones of this segment are within delete.retention.ms
    // Producer id -> last offset of its last batch in the range being cleaned.
    const std::unordered_map<int64_t, int64_t>* producer_last_offsets = nullptr;
};

struct FilterOutcome {
    enum class Action { keep, drop, rewrite };
    Action action = Action::keep;
    std::vector<uint8_t> rewritten;  // for rewrite: the new batch
    int32_t records_read = 0;
    int32_t records_kept = 0;
    // The batch kept (whole or rewritten) holds a tombstone, or may: a batch kept whole because
    // it cannot be decompressed or parsed counts as holding one.
    bool keeps_tombstone = false;
};

// `batch` must be whole and valid (it comes from a segment). Errors only from compression of
// the rewritten batch; a batch that cannot be decompressed or parsed is kept as it is.
result<FilterOutcome> filter_batch(const protocol::RecordBatchView& batch,
                                   const FilterContext& context);

}  // namespace samsa::log
