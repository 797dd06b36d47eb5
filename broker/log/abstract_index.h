#pragma once
// AbstractIndex: a memory-mapped file of fixed-size big-endian entries, sorted by offset, that
// OffsetIndex and TimeIndex build on (Kafka's AbstractIndex). The index of the active segment
// is preallocated to segment.index.bytes (rounded down to whole entries) and mapped; trim()
// cuts the file to its entries when the segment rolls or closes. On open, the entry count is
// the file size / entry size, which is why an index left untrimmed by a crash is either
// rebuilt by recovery or fails its sanity check. Indexes have no checksums.
//
// As in Kafka, the file is closed once mapped: the mapping keeps it alive, and a broker with
// 10,000 replicas holds one descriptor per segment (its log) rather than three. Resizing and
// flushing open the file again by path, briefly.
//
// Not thread-safe: the owning LogSegment (under its Log's lock) serializes every call.

#include "common/file_handle.h"
#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace samsa::log {

class AbstractIndex {
  public:
    AbstractIndex(const AbstractIndex&) = delete;
    AbstractIndex& operator=(const AbstractIndex&) = delete;
    virtual ~AbstractIndex();

    const std::string& path() const { return path_; }
    int64_t base_offset() const { return base_offset_; }
    int32_t entries() const { return entries_; }
    int32_t max_entries() const { return max_entries_; }
    bool is_full() const { return entries_ >= max_entries_; }
    int64_t size_in_bytes() const { return int64_t{entries_} * entry_size_; }
    // The file opened again, for fsync outside the log's lock (fsync also writes back the
    // pages written through the mapping). Null once the index is deleted.
    result<std::shared_ptr<const FileHandle>> open_for_flush() const;

    // Resizes the file and mapping to `max_index_bytes` (rounded down to whole entries),
    // keeping the entries. Used to preallocate on open and to trim on roll.
    result<void> resize(int64_t max_index_bytes);
    result<void> trim() { return resize(size_in_bytes()); }
    // Drops every entry (recovery rebuilds from scratch).
    void reset() { entries_ = 0; }
    // Renames the file (".deleted" suffix on retention); the mapping stays valid.
    result<void> rename_to(const std::string& path);
    // Unmaps, closes and unlinks the file.
    result<void> delete_file();
    // Unmaps and trims; the object must not be used afterwards except for delete_file().
    result<void> close();

  protected:
    // Opens or creates `path`. A new (or empty) file is preallocated to max_index_bytes; an
    // existing one keeps its size and has size/entry_size entries.
    AbstractIndex(std::string path, int64_t base_offset, int32_t entry_size);
    result<void> open(int64_t max_index_bytes);
    // Maps an existing file read-only with size/entry_size entries (a torn tail entry is
    // ignored, not cut): for the offline tools, which must not change what they inspect. Such
    // an index must not be appended to, resized or trimmed; close() leaves the file as it is.
    result<void> open_read_only();

    // Entry `n`'s bytes; n < entries_ (or == entries_ when appending).
    uint8_t* entry(int32_t n) const { return map_ + int64_t{n} * entry_size_; }
    void set_entries(int32_t n) { entries_ = n; }

    // The largest entry index whose key <= target, or -1 if every key > target (or empty).
    template <typename KeyOf>
    int32_t largest_lower_bound(int64_t target, KeyOf key_of) const {
        int32_t lo = 0;
        int32_t hi = entries_ - 1;
        int32_t found = -1;
        while (lo <= hi) {
            int32_t mid = lo + (hi - lo) / 2;
            if (key_of(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

  private:
    result<void> map(int fd, int64_t length, int prot);
    void unmap();

    std::string path_;
    int64_t base_offset_;
    int32_t entry_size_;
    bool open_ = false;  // opened and neither closed nor deleted
    uint8_t* map_ = nullptr;
    int64_t map_length_ = 0;
    int32_t entries_ = 0;
    int32_t max_entries_ = 0;
};

}  // namespace samsa::log
