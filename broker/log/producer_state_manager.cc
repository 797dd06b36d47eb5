#include "broker/log/producer_state_manager.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "broker/protocol/record_batch.h"
#include "common/crc32c.h"
#include "common/logging.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>

namespace samsa::log {

namespace fs = std::filesystem;

namespace {

constexpr int16_t kSnapshotVersion = 1;
constexpr size_t kCrcFieldOffset = 2;
constexpr size_t kEntriesOffset = 6;  // version int16 + crc uint32
// id, epoch, last seq, last offset, offset delta, timestamp, coordinator epoch, txn first.
constexpr size_t kEntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

void put16(std::string& out, int16_t v) {
    out.resize(out.size() + 2);
    protocol::store_be16(reinterpret_cast<uint8_t*>(out.data() + out.size() - 2), v);
}
void put32(std::string& out, int32_t v) {
    out.resize(out.size() + 4);
    protocol::store_be32(reinterpret_cast<uint8_t*>(out.data() + out.size() - 4), v);
}
void put64(std::string& out, int64_t v) {
    out.resize(out.size() + 8);
    protocol::store_be64(reinterpret_cast<uint8_t*>(out.data() + out.size() - 8), v);
}

const uint8_t* bytes_of(std::string_view s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

ProducerBatch batch_of(const protocol::RecordBatchView& batch) {
    ProducerBatch b;
    b.first_seq = batch.base_sequence();
    b.last_seq = increment_sequence(batch.base_sequence(), batch.last_offset_delta());
    b.first_offset = batch.base_offset();
    b.last_offset = batch.last_offset();
    b.timestamp = batch.max_timestamp();
    return b;
}

bool in_sequence(int32_t last_seq, int32_t next_seq) {
    return int64_t{next_seq} == int64_t{last_seq} + 1 ||
           (next_seq == 0 && last_seq == std::numeric_limits<int32_t>::max());
}

std::optional<int64_t> snapshot_offset_of(const fs::path& path) {
    if (path.extension() != kProducerSnapshotFileSuffix) {
        return std::nullopt;
    }
    std::string stem = path.stem().string();
    int64_t offset = 0;
    auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), offset);
    if (ec != std::errc() || end != stem.data() + stem.size() || stem.size() != 20) {
        return std::nullopt;
    }
    return offset;
}

}  // namespace

int32_t increment_sequence(int32_t base_seq, int32_t increment) {
    if (base_seq > std::numeric_limits<int32_t>::max() - increment) {
        return increment - (std::numeric_limits<int32_t>::max() - base_seq) - 1;
    }
    return base_seq + increment;
}

const ProducerStateEntry* ProducerStateManager::entry(int64_t producer_id) const {
    auto it = producers_.find(producer_id);
    return it == producers_.end() ? nullptr : &it->second;
}

// Kafka's Log.analyzeAndValidateProducerState (duplicates) and ProducerAppendInfo's
// checkProducerEpoch / checkSequence for a client's batch.
result<std::optional<ProducerBatch>> ProducerStateManager::check(
    const protocol::RecordBatchView& batch) const {
    const ProducerStateEntry* current = entry(batch.producer_id());
    if (current == nullptr || current->epoch < 0) {
        // Unknown producer, or one whose batches retention removed: any sequence starts it
        // (KIP-360), as in Kafka 2.8.
        return std::optional<ProducerBatch>{};
    }
    const int16_t epoch = batch.producer_epoch();
    const int32_t first_seq = batch.base_sequence();
    if (epoch == current->epoch) {
        const int32_t last_seq = increment_sequence(first_seq, batch.last_offset_delta());
        for (const auto& cached : current->batches) {
            if (cached.first_seq == first_seq && cached.last_seq == last_seq) {
                return std::optional<ProducerBatch>(cached);
            }
        }
    }
    if (epoch < current->epoch) {
        return Errc::invalid_producer_epoch;
    }
    if (epoch != current->epoch) {
        // A bumped epoch must start its sequences again at 0.
        return first_seq == 0 ? result<std::optional<ProducerBatch>>(std::nullopt)
                              : Errc::out_of_order_sequence;
    }
    if (!current->empty() && !in_sequence(current->last_seq(), first_seq)) {
        return Errc::out_of_order_sequence;
    }
    return std::optional<ProducerBatch>{};
}

void ProducerStateManager::update(const protocol::RecordBatchView& batch) {
    map_end_offset_ = std::max(map_end_offset_, batch.next_offset());
    if (!batch.has_producer_id()) {
        return;
    }
    ProducerStateEntry& e = producers_[batch.producer_id()];
    if (batch.producer_epoch() != e.epoch) {
        // A new epoch restarts the sequences: the old epoch's batches can no longer repeat.
        e.batches.clear();
        e.epoch = batch.producer_epoch();
    }
    if (batch.is_control()) {
        return;  // transaction markers carry no sequence
    }
    e.batches.push_back(batch_of(batch));
    if (e.batches.size() > kMaxCachedBatches) {
        e.batches.pop_front();
    }
    e.last_timestamp = std::max(e.last_timestamp, batch.max_timestamp());
}

void ProducerStateManager::truncate_head(int64_t log_start_offset) {
    std::erase_if(producers_, [&](const auto& p) {
        return p.second.empty() || p.second.last_offset() < log_start_offset;
    });
    map_end_offset_ = std::max(map_end_offset_, log_start_offset);
    auto offsets = snapshot_offsets();
    for (size_t i = 0; i + 1 < offsets.size() && offsets[i] < log_start_offset; ++i) {
        std::error_code ec;
        fs::remove(snapshot_path(offsets[i]), ec);
    }
}

void ProducerStateManager::reset(int64_t offset) {
    producers_.clear();
    map_end_offset_ = offset;
    for (int64_t o : snapshot_offsets()) {
        std::error_code ec;
        fs::remove(snapshot_path(o), ec);
    }
}

size_t ProducerStateManager::expire(int64_t now_ms, int64_t max_idle_ms) {
    return std::erase_if(producers_, [&](const auto& p) {
        return p.second.last_timestamp >= 0 && now_ms - p.second.last_timestamp > max_idle_ms;
    });
}

std::string ProducerStateManager::snapshot_path(int64_t offset) const {
    return dir_ + "/" + offset_file_name(offset, kProducerSnapshotFileSuffix);
}

std::vector<int64_t> ProducerStateManager::snapshot_offsets() const {
    std::vector<int64_t> out;
    std::error_code ec;
    for (const auto& file : fs::directory_iterator(dir_, ec)) {
        if (auto offset = snapshot_offset_of(file.path())) {
            out.push_back(*offset);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string ProducerStateManager::encode_snapshot() const {
    std::string out;
    out.reserve(kEntriesOffset + 4 + producers_.size() * kEntrySize);
    put16(out, kSnapshotVersion);
    put32(out, 0);  // the CRC, patched below
    int32_t count = 0;
    put32(out, 0);
    for (const auto& [id, e] : producers_) {
        if (e.empty()) {
            continue;
        }
        const ProducerBatch& last = e.batches.back();
        put64(out, id);
        put16(out, e.epoch);
        put32(out, last.last_seq);
        put64(out, last.last_offset);
        put32(out, static_cast<int32_t>(last.last_offset - last.first_offset));
        put64(out, last.timestamp);
        put32(out, e.coordinator_epoch);
        put64(out, -1);  // no open transaction
        ++count;
    }
    protocol::store_be32(reinterpret_cast<uint8_t*>(out.data() + kEntriesOffset), count);
    uint32_t crc = crc32c({bytes_of(out) + kEntriesOffset, out.size() - kEntriesOffset});
    protocol::store_be32(reinterpret_cast<uint8_t*>(out.data() + kCrcFieldOffset),
                         static_cast<int32_t>(crc));
    return out;
}

result<void> ProducerStateManager::decode_snapshot(std::string_view bytes) {
    const uint8_t* p = bytes_of(bytes);
    if (bytes.size() < kEntriesOffset + 4 || protocol::load_be16(p) != kSnapshotVersion) {
        return Errc::corrupt_checkpoint;
    }
    uint32_t crc = static_cast<uint32_t>(protocol::load_be32(p + kCrcFieldOffset));
    if (crc != crc32c({p + kEntriesOffset, bytes.size() - kEntriesOffset})) {
        return Errc::corrupt_checkpoint;
    }
    int32_t count = protocol::load_be32(p + kEntriesOffset);
    if (count < 0 || bytes.size() != kEntriesOffset + 4 + size_t(count) * kEntrySize) {
        return Errc::corrupt_checkpoint;
    }
    producers_.clear();
    const uint8_t* e = p + kEntriesOffset + 4;
    for (int32_t i = 0; i < count; ++i, e += kEntrySize) {
        ProducerStateEntry entry;
        entry.epoch = protocol::load_be16(e + 8);
        ProducerBatch b;
        b.last_seq = protocol::load_be32(e + 10);
        b.last_offset = protocol::load_be64(e + 14);
        int32_t delta = protocol::load_be32(e + 22);
        b.timestamp = protocol::load_be64(e + 26);
        entry.coordinator_epoch = protocol::load_be32(e + 34);
        b.first_offset = b.last_offset - delta;
        b.first_seq = b.last_seq >= delta ? b.last_seq - delta : 0;
        entry.batches.push_back(b);
        entry.last_timestamp = b.timestamp;
        producers_[protocol::load_be64(e)] = std::move(entry);
    }
    return success();
}

result<void> ProducerStateManager::take_snapshot() {
    std::string path = snapshot_path(map_end_offset_);
    std::error_code ec;
    if (fs::exists(path, ec)) {
        return success();
    }
    return atomic_write_file(path, encode_snapshot());
}

result<std::optional<int64_t>> ProducerStateManager::load_latest_snapshot(int64_t log_end_offset) {
    producers_.clear();
    auto offsets = snapshot_offsets();
    while (!offsets.empty()) {
        int64_t offset = offsets.back();
        offsets.pop_back();
        std::string path = snapshot_path(offset);
        std::error_code ec;
        if (offset > log_end_offset) {
            fs::remove(path, ec);  // describes records truncated away
            continue;
        }
        auto bytes = read_whole_file(path);
        if (bytes && decode_snapshot(bytes.value())) {
            map_end_offset_ = offset;
            return std::optional<int64_t>(offset);
        }
        get_logger("log")->warn("deleting unreadable producer state snapshot {}", path);
        producers_.clear();
        fs::remove(path, ec);
    }
    return std::optional<int64_t>{};
}

}  // namespace samsa::log
