#pragma once
// TimeIndex: sparse map from timestamp to offset, for ListOffsets by time and time retention.
//
// File format (<base>.timeindex): 12-byte entries, big-endian, no header, no checksum:
//   int64 timestamp        the segment's max timestamp so far
//   int32 relativeOffset   the offset where that max was first seen, minus the base offset
// An entry is added only when the timestamp grew, so both columns increase. Entries are added
// together with offset index entries, plus one last entry when the segment rolls.
//
// Not thread-safe: called by its LogSegment under the Log's lock.

#include "broker/log/abstract_index.h"

namespace samsa::log {

struct TimestampOffset {
    int64_t timestamp = -1;
    int64_t offset = 0;
};

class TimeIndex : public AbstractIndex {
  public:
    static constexpr int32_t kEntrySize = 12;

    static result<std::unique_ptr<TimeIndex>> open(const std::string& path, int64_t base_offset,
                                                   int64_t max_index_bytes);
    // An existing index, mapped read-only (AbstractIndex::open_read_only).
    static result<std::unique_ptr<TimeIndex>> open_read_only(const std::string& path,
                                                             int64_t base_offset);

    // The greatest entry with timestamp <= target, or {-1, base_offset} if there is none.
    TimestampOffset lookup(int64_t target) const;
    TimestampOffset entry_at(int32_t n) const;
    // The last entry, or {-1, base_offset} when empty.
    TimestampOffset last_entry() const;

    // Appends unless `timestamp` is not greater than the last one. With skip_full_check the
    // caller promises room (the final entry on roll goes into the slot kept for it).
    void maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check = false);
    // Removes every entry with offset >= `offset`.
    void truncate_to(int64_t offset);
    // Kafka's sanity check: last timestamp not below the first, last offset not below base.
    bool sanity_check() const;
    // Kafka keeps one slot free for the final entry written on roll.
    bool is_full_for_append() const { return entries() >= max_entries() - 1; }

  private:
    using AbstractIndex::AbstractIndex;
};

}  // namespace samsa::log
