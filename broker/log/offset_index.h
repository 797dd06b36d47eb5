#pragma once
// OffsetIndex: sparse map from offset to the position of a batch in the segment's .log file.
//
// File format (<base>.index): 8-byte entries, big-endian, no header, no checksum:
//   int32 relativeOffset   (batch's last offset - segment base offset)
//   int32 position         (byte position of that batch in the .log file)
// Relative offsets and positions strictly increase. An entry is added for a batch when more
// than index.interval.bytes were appended since the previous entry, so a lookup lands at most
// about that many bytes before the wanted batch and the log is scanned forward from there.
//
// Not thread-safe: called by its LogSegment under the Log's lock.

#include "broker/log/abstract_index.h"

namespace samsa::log {

struct OffsetPosition {
    int64_t offset = 0;
    int32_t position = 0;
};

class OffsetIndex : public AbstractIndex {
  public:
    static constexpr int32_t kEntrySize = 8;

    // Opens or creates <base>.index; a new file is preallocated to max_index_bytes.
    static result<std::unique_ptr<OffsetIndex>> open(const std::string& path, int64_t base_offset,
                                                     int64_t max_index_bytes);
    // An existing index, mapped read-only (AbstractIndex::open_read_only).
    static result<std::unique_ptr<OffsetIndex>> open_read_only(const std::string& path,
                                                               int64_t base_offset);

    // The greatest entry with offset <= target, or {base_offset, 0} if there is none.
    OffsetPosition lookup(int64_t target) const;
    OffsetPosition entry_at(int32_t n) const;
    int64_t last_offset() const {
        return entries() == 0 ? base_offset() : entry_at(entries() - 1).offset;
    }

    // Precondition: !is_full(), offset > last_offset() (or the index is empty), and offset -
    // base fits in int32 (the caller rolls before it would not).
    void append(int64_t offset, int32_t position);
    // Removes every entry with offset >= `offset`.
    void truncate_to(int64_t offset);
    // Kafka's sanity check: whole entries, increasing, last position within the log. False
    // means the loader must rebuild the index.
    bool sanity_check(int64_t log_size) const;

  private:
    using AbstractIndex::AbstractIndex;
};

}  // namespace samsa::log
