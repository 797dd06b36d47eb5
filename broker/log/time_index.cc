#include "broker/log/time_index.h"

#include "broker/protocol/record_batch.h"

namespace samsa::log {

using protocol::load_be32;
using protocol::load_be64;
using protocol::store_be32;
using protocol::store_be64;

result<std::unique_ptr<TimeIndex>> TimeIndex::open(const std::string& path, int64_t base_offset,
                                                   int64_t max_index_bytes) {
    std::unique_ptr<TimeIndex> index(new TimeIndex(path, base_offset, kEntrySize));
    SAMSA_TRY(index->AbstractIndex::open(max_index_bytes));
    return index;
}

result<std::unique_ptr<TimeIndex>> TimeIndex::open_read_only(const std::string& path,
                                                             int64_t base_offset) {
    std::unique_ptr<TimeIndex> index(new TimeIndex(path, base_offset, kEntrySize));
    SAMSA_TRY(index->AbstractIndex::open_read_only());
    return index;
}

TimestampOffset TimeIndex::entry_at(int32_t n) const {
    const uint8_t* e = entry(n);
    return {load_be64(e), base_offset() + load_be32(e + 8)};
}

TimestampOffset TimeIndex::last_entry() const {
    return entries() == 0 ? TimestampOffset{-1, base_offset()} : entry_at(entries() - 1);
}

TimestampOffset TimeIndex::lookup(int64_t target) const {
    int32_t slot = largest_lower_bound(target, [this](int32_t n) { return load_be64(entry(n)); });
    return slot < 0 ? TimestampOffset{-1, base_offset()} : entry_at(slot);
}

void TimeIndex::maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check) {
    if (entries() > 0 && timestamp <= last_entry().timestamp) {
        return;
    }
    if (entries() >= max_entries() || (!skip_full_check && is_full_for_append())) {
        return;
    }
    uint8_t* e = entry(entries());
    store_be64(e, timestamp);
    store_be32(e + 8, static_cast<int32_t>(offset - base_offset()));
    set_entries(entries() + 1);
}

void TimeIndex::truncate_to(int64_t offset) {
    int32_t keep = entries();
    while (keep > 0 && entry_at(keep - 1).offset >= offset) {
        --keep;
    }
    set_entries(keep);
}

bool TimeIndex::sanity_check() const {
    if (entries() == 0) {
        return true;
    }
    TimestampOffset last = last_entry();
    return last.offset >= base_offset() && last.timestamp >= entry_at(0).timestamp &&
           (entries() < 2 || last.timestamp > entry_at(entries() - 2).timestamp);
}

}  // namespace samsa::log
