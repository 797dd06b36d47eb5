#include "broker/log/offset_index.h"

#include "broker/protocol/record_batch.h"

namespace samsa::log {

using protocol::load_be32;
using protocol::store_be32;

result<std::unique_ptr<OffsetIndex>> OffsetIndex::open(const std::string& path, int64_t base_offset,
                                                       int64_t max_index_bytes) {
    std::unique_ptr<OffsetIndex> index(new OffsetIndex(path, base_offset, kEntrySize));
    SAMSA_TRY(index->AbstractIndex::open(max_index_bytes));
    return index;
}

result<std::unique_ptr<OffsetIndex>> OffsetIndex::open_read_only(const std::string& path,
                                                                 int64_t base_offset) {
    std::unique_ptr<OffsetIndex> index(new OffsetIndex(path, base_offset, kEntrySize));
    SAMSA_TRY(index->AbstractIndex::open_read_only());
    return index;
}

OffsetPosition OffsetIndex::entry_at(int32_t n) const {
    const uint8_t* e = entry(n);
    return {base_offset() + load_be32(e), load_be32(e + 4)};
}

OffsetPosition OffsetIndex::lookup(int64_t target) const {
    int32_t slot = largest_lower_bound(target - base_offset(),
                                       [this](int32_t n) { return int64_t{load_be32(entry(n))}; });
    return slot < 0 ? OffsetPosition{base_offset(), 0} : entry_at(slot);
}

void OffsetIndex::append(int64_t offset, int32_t position) {
    uint8_t* e = entry(entries());
    store_be32(e, static_cast<int32_t>(offset - base_offset()));
    store_be32(e + 4, position);
    set_entries(entries() + 1);
}

void OffsetIndex::truncate_to(int64_t offset) {
    int32_t slot = largest_lower_bound(offset - base_offset(),
                                       [this](int32_t n) { return int64_t{load_be32(entry(n))}; });
    // Keep entries < offset: the slot itself goes if it is exactly `offset`.
    int32_t keep = slot + 1;
    if (slot >= 0 && entry_at(slot).offset == offset) {
        keep = slot;
    }
    set_entries(keep);
}

bool OffsetIndex::sanity_check(int64_t log_size) const {
    if (entries() == 0) {
        return true;
    }
    OffsetPosition last = entry_at(entries() - 1);
    if (last.offset < base_offset() || last.position < 0 || last.position >= log_size) {
        return false;
    }
    if (entries() >= 2) {
        // An untrimmed preallocated index ends in zeros; real entries strictly increase.
        OffsetPosition prev = entry_at(entries() - 2);
        if (last.offset <= prev.offset || last.position <= prev.position) {
            return false;
        }
    }
    return true;
}

}  // namespace samsa::log
