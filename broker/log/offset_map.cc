#include "broker/log/offset_map.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace samsa::log {

CleanerOffsetMap::CleanerOffsetMap(size_t memory_bytes, double load_factor)
    : slots_(std::max<size_t>(1, memory_bytes / kEntrySize)),
      max_entries_(std::max<size_t>(
          1, std::min(slots_, static_cast<size_t>(static_cast<double>(slots_) * load_factor)))) {}

CleanerOffsetMap::Digest CleanerOffsetMap::digest(std::span<const uint8_t> key) {
    Digest d{};
    unsigned int n = 0;
    EVP_Digest(key.data(), key.size(), d.data(), &n, EVP_md5(), nullptr);
    return d;
}

void CleanerOffsetMap::allocate() const {
    if (table_.empty()) {
        table_.assign(slots_, Slot{{}, -1});
    }
}

size_t CleanerOffsetMap::find(const Digest& hash) const {
    uint64_t h = 0;
    std::memcpy(&h, hash.data(), sizeof(h));
    size_t i = static_cast<size_t>(h % slots_);
    // Terminates: max_entries_ <= slots_, and a full table is never probed for a new key
    // (put's precondition), so an empty slot or the key itself is always found.
    while (table_[i].offset >= 0 && table_[i].hash != hash) {
        i = i + 1 == slots_ ? 0 : i + 1;
    }
    return i;
}

void CleanerOffsetMap::put(std::span<const uint8_t> key, int64_t offset) {
    allocate();
    Digest hash = digest(key);
    Slot& slot = table_[find(hash)];
    if (slot.offset < 0) {
        slot.hash = hash;
        ++entries_;
    }
    slot.offset = offset;
    latest_offset_ = std::max(latest_offset_, offset);
}

int64_t CleanerOffsetMap::get(std::span<const uint8_t> key) const {
    if (entries_ == 0) {
        return -1;
    }
    if (entries_ == slots_) {
        // Every slot taken (load factor 1): probe the whole table for the key, no empty stop.
        Digest hash = digest(key);
        for (const Slot& s : table_) {
            if (s.hash == hash) {
                return s.offset;
            }
        }
        return -1;
    }
    return table_[find(digest(key))].offset;
}

void CleanerOffsetMap::clear() {
    if (entries_ > 0) {
        std::fill(table_.begin(), table_.end(), Slot{{}, -1});
    }
    entries_ = 0;
    latest_offset_ = -1;
}

}  // namespace samsa::log
