#include "broker/protocol/record_batch_builder.h"

#include "broker/protocol/record_batch.h"
#include "common/assert.h"

#include <algorithm>

namespace samsa::protocol {

namespace {

// Zig-zag LEB128, as every varint in a v2 record.
void put_varlong(std::vector<uint8_t>& out, int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
        out.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<uint8_t>(z));
}

void put_nullable(std::vector<uint8_t>& out, const std::optional<std::vector<uint8_t>>& bytes) {
    if (!bytes) {
        put_varlong(out, -1);
        return;
    }
    put_varlong(out, static_cast<int64_t>(bytes->size()));
    out.insert(out.end(), bytes->begin(), bytes->end());
}

std::optional<std::vector<uint8_t>> copy(std::optional<std::span<const uint8_t>> s) {
    if (!s) {
        return std::nullopt;
    }
    return std::vector<uint8_t>(s->begin(), s->end());
}

std::optional<std::span<const uint8_t>> as_bytes(std::optional<std::string_view> s) {
    if (!s) {
        return std::nullopt;
    }
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s->data()), s->size());
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder(BatchHeader header) : header_(header) {
    SAMSA_ASSERT((header_.attributes & kCompressionCodecMask) == 0,
                 "the builder does not compress");
}

void RecordBatchBuilder::append(int32_t offset_delta, int64_t timestamp,
                                std::optional<std::span<const uint8_t>> key,
                                std::optional<std::span<const uint8_t>> value,
                                std::span<const uint8_t> raw_headers, int32_t header_count) {
    SAMSA_ASSERT(records_.empty() || offset_delta > records_.back().offset_delta,
                 "offset deltas must increase");
    records_.push_back(PendingRecord{offset_delta, timestamp, copy(key), copy(value),
                                     std::vector<uint8_t>(raw_headers.begin(), raw_headers.end()),
                                     header_count});
    ++count_;
}

void RecordBatchBuilder::append(int64_t timestamp, std::optional<std::string_view> key,
                                std::optional<std::string_view> value) {
    int32_t delta = records_.empty() ? 0 : records_.back().offset_delta + 1;
    append(delta, timestamp, as_bytes(key), as_bytes(value));
}

std::vector<uint8_t> RecordBatchBuilder::build() {
    int64_t base_ts =
        header_.base_timestamp.value_or(records_.empty() ? -1 : records_.front().timestamp);
    int64_t max_ts = -1;
    std::vector<uint8_t> batch(kRecordBatchHeaderSize);
    std::vector<uint8_t> body;
    for (const auto& r : records_) {
        body.clear();
        body.push_back(0);  // record attributes: unused
        put_varlong(body, r.timestamp - base_ts);
        put_varlong(body, r.offset_delta);
        put_nullable(body, r.key);
        put_nullable(body, r.value);
        put_varlong(body, r.header_count);
        body.insert(body.end(), r.raw_headers.begin(), r.raw_headers.end());
        put_varlong(batch, static_cast<int64_t>(body.size()));
        batch.insert(batch.end(), body.begin(), body.end());
        max_ts = std::max(max_ts, r.timestamp);
    }
    int32_t last_delta =
        header_.last_offset_delta.value_or(records_.empty() ? 0 : records_.back().offset_delta);
    uint8_t* p = batch.data();
    store_be64(p + kBaseOffsetOffset, header_.base_offset);
    store_be32(p + kBatchLengthOffset, static_cast<int32_t>(batch.size()) - kLogOverhead);
    store_be32(p + kPartitionLeaderEpochOffset, header_.partition_leader_epoch);
    p[kMagicOffset] = static_cast<uint8_t>(kMagicV2);
    store_be16(p + kAttributesOffset, header_.attributes);
    store_be32(p + kLastOffsetDeltaOffset, last_delta);
    store_be64(p + kBaseTimestampOffset, base_ts);
    store_be64(p + kMaxTimestampOffset, header_.max_timestamp.value_or(max_ts));
    store_be64(p + kProducerIdOffset, header_.producer_id);
    store_be16(p + kProducerEpochOffset, header_.producer_epoch);
    store_be32(p + kBaseSequenceOffset, header_.base_sequence);
    store_be32(p + kRecordCountOffset, count_);
    MutableRecordBatchView(batch).update_crc();
    records_.clear();
    return batch;
}

}  // namespace samsa::protocol
