#pragma once
// CleanerOffsetMap: the cleaner's key -> latest offset table (Kafka's SkimpyOffsetMap). Keys are
// stored only as their 16-byte MD5 digest, so an entry costs 24 bytes whatever the key's size,
// and the table's memory is fixed at construction (log.cleaner.dedupe.buffer.size divided
// among the cleaner threads). Two keys with the same digest would share an entry; with MD5
// that is as unlikely as Kafka assumes it to be.
//
// Open addressing with linear probing; the table counts as full at `load_factor` of its slots
// (log.cleaner.io.buffer.load.factor, 0.9), after which put() must not be called.
//
// Not thread-safe: each cleaner thread owns one.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace samsa::log {

class CleanerOffsetMap {
  public:
    static constexpr size_t kHashSize = 16;
    static constexpr size_t kEntrySize = kHashSize + sizeof(int64_t);

    // At least one slot whatever `memory_bytes` is. The slots are allocated on first use.
    explicit CleanerOffsetMap(size_t memory_bytes, double load_factor = 0.9);

    // Records `offset` as the latest for `key` (replacing an older offset). Precondition:
    // !full(), or the key is already present.
    void put(std::span<const uint8_t> key, int64_t offset);
    // The latest offset recorded for `key`, or -1.
    int64_t get(std::span<const uint8_t> key) const;
    // Forgets every key (keeps the memory).
    void clear();

    size_t size() const { return entries_; }
    size_t slots() const { return slots_; }
    // How many keys fit before full().
    size_t capacity() const { return max_entries_; }
    bool full() const { return entries_ >= max_entries_; }
    // The largest offset put() since clear(), -1 if none.
    int64_t latest_offset() const { return latest_offset_; }
    double utilization() const {
        return static_cast<double>(entries_) / static_cast<double>(slots_);
    }

  private:
    using Digest = std::array<uint8_t, kHashSize>;
    struct Slot {
        Digest hash;
        int64_t offset;  // -1 = empty
    };

    static Digest digest(std::span<const uint8_t> key);
    // The slot holding `hash`, or the empty slot where it would go.
    size_t find(const Digest& hash) const;
    void allocate() const;

    size_t slots_;
    size_t max_entries_;
    size_t entries_ = 0;
    int64_t latest_offset_ = -1;
    mutable std::vector<Slot> table_;  // allocated lazily
};

}  // namespace samsa::log
