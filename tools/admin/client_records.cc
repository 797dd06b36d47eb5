#include "tools/admin/client_records.h"

#include "broker/protocol/compression.h"
#include "broker/protocol/record_batch.h"

#include <algorithm>
#include <set>

namespace samsa::client {

namespace {

// A zig-zag varint of a record header; false past the end.
bool read_varint(std::span<const uint8_t> in, std::size_t& pos, int64_t& out) {
    uint64_t raw = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= in.size()) {
            return false;
        }
        const uint8_t b = in[pos++];
        raw |= uint64_t{b & 0x7fu} << shift;
        if ((b & 0x80) == 0) {
            out = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
            return true;
        }
    }
    return false;
}

std::optional<std::string> read_sized(std::span<const uint8_t> in, std::size_t& pos, bool& ok) {
    int64_t n = 0;
    if (!read_varint(in, pos, n) || n > static_cast<int64_t>(in.size() - pos)) {
        ok = false;
        return std::nullopt;
    }
    if (n < 0) {
        return std::nullopt;
    }
    std::string s(reinterpret_cast<const char*>(in.data() + pos), static_cast<std::size_t>(n));
    pos += static_cast<std::size_t>(n);
    return s;
}

std::vector<std::pair<std::string, std::optional<std::string>>> parse_headers(
    std::span<const uint8_t> raw, int32_t count) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    std::size_t pos = 0;
    bool ok = true;
    for (int32_t i = 0; i < count && ok; ++i) {
        auto key = read_sized(raw, pos, ok);
        auto value = read_sized(raw, pos, ok);
        if (ok) {
            out.emplace_back(key.value_or(""), std::move(value));
        }
    }
    return out;
}

std::optional<std::string> as_string(const std::optional<std::span<const uint8_t>>& s) {
    if (!s) {
        return std::nullopt;
    }
    return std::string(reinterpret_cast<const char*>(s->data()), s->size());
}

}  // namespace

DecodedRecords decode_records(std::span<const uint8_t> bytes, const std::string& topic,
                              int32_t partition, int64_t fetch_offset,
                              const std::optional<std::vector<AbortedTransaction>>& aborted) {
    DecodedRecords out;
    out.next_offset = fetch_offset;
    // read_committed: a producer's transaction is aborted from its first offset until its
    // abort marker (Kafka's Fetcher.abortedProducerIds).
    std::vector<AbortedTransaction> pending = aborted.value_or(std::vector<AbortedTransaction>{});
    std::sort(pending.begin(), pending.end(),
              [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
    std::set<int64_t> aborting;
    std::size_t next_aborted = 0;

    protocol::RecordBatchIterator batches(bytes);
    while (auto batch = batches.next()) {
        if (batch->magic() != protocol::kMagicV2 || !batch->is_valid_crc()) {
            out.corrupt = true;
            return out;
        }
        if (batch->next_offset() <= fetch_offset) {
            continue;
        }
        while (next_aborted < pending.size() &&
               pending[next_aborted].first_offset <= batch->last_offset()) {
            aborting.insert(pending[next_aborted++].producer_id);
        }
        out.next_offset = batch->next_offset();
        if (batch->is_control()) {
            aborting.erase(batch->producer_id());
            continue;
        }
        if (batch->is_transactional() && aborting.count(batch->producer_id())) {
            continue;
        }
        const bool log_append = batch->timestamp_type() == protocol::TimestampType::log_append_time;
        auto ok = protocol::for_each_record(*batch, [&](const protocol::Record& r) {
            const int64_t offset = batch->base_offset() + r.offset_delta;
            if (offset < fetch_offset) {
                return;
            }
            ConsumerRecord cr;
            cr.topic = topic;
            cr.partition = partition;
            cr.offset = offset;
            cr.log_append_time = log_append;
            cr.timestamp =
                log_append ? batch->max_timestamp() : batch->base_timestamp() + r.timestamp_delta;
            cr.key = as_string(r.key);
            cr.value = as_string(r.value);
            cr.headers = parse_headers(r.headers, r.header_count);
            out.records.push_back(std::move(cr));
        });
        if (!ok || !ok.value()) {
            out.corrupt = true;
            return out;
        }
    }
    return out;
}

}  // namespace samsa::client
