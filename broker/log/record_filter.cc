#include "broker/log/record_filter.h"

#include "broker/protocol/compression.h"
#include "broker/protocol/record_batch_builder.h"
#include "common/logging.h"

namespace samsa::log {

using protocol::CompressionType;
using protocol::Record;
using protocol::RecordBatchView;

namespace {

bool should_retain(const Record& r, int64_t offset, const FilterContext& c) {
    if (!r.key) {
        return false;
    }
    int64_t latest = c.map->get(*r.key);
    return offset >= latest && (r.value || c.retain_deletes);
}

bool is_producers_last_batch(const RecordBatchView& batch, const FilterContext& c) {
    if (!batch.has_producer_id() || c.producer_last_offsets == nullptr) {
        return false;
    }
    auto it = c.producer_last_offsets->find(batch.producer_id());
    return it != c.producer_last_offsets->end() && it->second == batch.last_offset();
}

protocol::BatchHeader header_of(const RecordBatchView& batch) {
    protocol::BatchHeader h;
    h.base_offset = batch.base_offset();
    h.partition_leader_epoch = batch.partition_leader_epoch();
    h.attributes = static_cast<int16_t>(batch.attributes() & ~protocol::kCompressionCodecMask);
    h.producer_id = batch.producer_id();
    h.producer_epoch = batch.producer_epoch();
    h.base_sequence = batch.base_sequence();
    h.last_offset_delta = batch.last_offset_delta();
    if (batch.timestamp_type() == protocol::TimestampType::log_append_time) {
        h.max_timestamp = batch.max_timestamp();
    }
    return h;
}

}  // namespace

result<FilterOutcome> filter_batch(const RecordBatchView& batch, const FilterContext& c) {
    FilterOutcome out;
    if (batch.is_control()) {
        return out;
    }
    std::vector<Record> kept;
    int32_t read = 0;
    // Record views point into `records`, which must outlive `kept`.
    std::vector<uint8_t> records;
    if (batch.compression() != CompressionType::none) {
        auto decompressed = protocol::decompress_records(batch);
        if (!decompressed) {
            get_logger("log")->warn(
                "cleaner keeps batch at offset {} whole: cannot decompress "
                "it ({})",
                batch.base_offset(), decompressed.error().message());
            out.keeps_tombstone = true;
            return out;
        }
        records = std::move(decompressed).value();
    }
    protocol::RecordIterator it = batch.compression() == CompressionType::none
                                      ? protocol::RecordIterator(batch)
                                      : protocol::RecordIterator(std::span<const uint8_t>(records));
    Record r;
    while (it.next(r)) {
        ++read;
        if (should_retain(r, batch.base_offset() + r.offset_delta, c)) {
            kept.push_back(r);
            out.keeps_tombstone = out.keeps_tombstone || !r.value;
        }
    }
    out.records_read = read;
    if (it.malformed() || !it.at_end() || read != batch.record_count()) {
        get_logger("log")->warn("cleaner keeps batch at offset {} whole: malformed records",
                                batch.base_offset());
        out.records_kept = read;
        out.keeps_tombstone = true;
        return out;
    }
    out.records_kept = static_cast<int32_t>(kept.size());
    if (out.records_kept == read) {
        return out;
    }
    if (kept.empty() && !is_producers_last_batch(batch, c)) {
        out.action = FilterOutcome::Action::drop;
        return out;
    }
    protocol::BatchHeader h = header_of(batch);
    if (kept.empty()) {
        h.base_timestamp = batch.max_timestamp();
        h.max_timestamp = batch.max_timestamp();
    }
    protocol::RecordBatchBuilder builder(h);
    for (const Record& k : kept) {
        builder.append(k.offset_delta, batch.base_timestamp() + k.timestamp_delta, k.key, k.value,
                       k.headers, k.header_count);
    }
    out.action = FilterOutcome::Action::rewrite;
    out.rewritten = builder.build();
    if (batch.compression() != CompressionType::none && !kept.empty()) {
        SAMSA_TRY(out.rewritten, protocol::compress_batch(out.rewritten, batch.compression()));
    }
    return out;
}

}  // namespace samsa::log
