#include "tests/unit/log/test_util.h"

#include "broker/protocol/record_batch_builder.h"

#include <fstream>
#include <iterator>
#include <stdlib.h>

namespace samsa::log::test {

using namespace samsa::protocol;

namespace {

void put_varlong(std::vector<uint8_t>& out, int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
        out.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<uint8_t>(z));
}

void put_nullable(std::vector<uint8_t>& out, const std::optional<std::string>& s) {
    if (!s) {
        put_varlong(out, -1);
        return;
    }
    put_varlong(out, static_cast<int64_t>(s->size()));
    out.insert(out.end(), s->begin(), s->end());
}

std::optional<std::span<const uint8_t>> bytes_of(const std::optional<std::string>& s) {
    if (!s) {
        return std::nullopt;
    }
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s->data()), s->size());
}

std::vector<uint8_t> finish_batch(std::vector<uint8_t> records, int32_t count, int64_t base_ts,
                                  int64_t max_ts, const BatchOptions& o) {
    std::vector<uint8_t> b(kRecordBatchHeaderSize);
    b.insert(b.end(), records.begin(), records.end());
    uint8_t* p = b.data();
    store_be64(p + kBaseOffsetOffset, o.base_offset);
    store_be32(p + kBatchLengthOffset, static_cast<int32_t>(b.size()) - kLogOverhead);
    store_be32(p + kPartitionLeaderEpochOffset, o.partition_leader_epoch);
    p[kMagicOffset] = kMagicV2;
    store_be16(p + kAttributesOffset, o.attributes);
    store_be32(p + kLastOffsetDeltaOffset, count - 1);
    store_be64(p + kBaseTimestampOffset, base_ts);
    store_be64(p + kMaxTimestampOffset, max_ts);
    store_be64(p + kProducerIdOffset, o.producer_id);
    store_be16(p + kProducerEpochOffset, o.producer_epoch);
    store_be32(p + kBaseSequenceOffset, o.base_sequence);
    store_be32(p + kRecordCountOffset, count);
    MutableRecordBatchView(b).update_crc();
    return b;
}

}  // namespace

std::vector<uint8_t> make_batch(const std::vector<TestRecord>& records, BatchOptions options) {
    BatchHeader header;
    header.base_offset = options.base_offset;
    header.partition_leader_epoch = options.partition_leader_epoch;
    header.attributes = options.attributes;
    header.producer_id = options.producer_id;
    header.producer_epoch = options.producer_epoch;
    header.base_sequence = options.base_sequence;
    if (records.empty()) {
        header.base_timestamp = 0;
    }
    RecordBatchBuilder builder(header);
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        std::vector<uint8_t> raw_headers;
        for (const auto& [k, v] : r.headers) {
            put_nullable(raw_headers, k);
            put_nullable(raw_headers, v);
        }
        builder.append(static_cast<int32_t>(i), r.timestamp, bytes_of(r.key), bytes_of(r.value),
                       raw_headers, static_cast<int32_t>(r.headers.size()));
    }
    return builder.build();
}

std::vector<uint8_t> make_simple_batch(int count, int64_t timestamp, size_t value_size,
                                       int64_t base_offset) {
    std::vector<TestRecord> records;
    for (int i = 0; i < count; ++i) {
        std::string value = "value-" + std::to_string(i);
        value.resize(std::max(value.size(), value_size), '.');
        records.push_back({"key-" + std::to_string(i), value, {{"h", "v"}}, timestamp});
    }
    BatchOptions o;
    o.base_offset = base_offset;
    return make_batch(records, o);
}

std::vector<uint8_t> make_compressed_batch(int32_t record_count,
                                           const std::vector<uint8_t>& payload,
                                           int64_t max_timestamp, CompressionType codec,
                                           int64_t base_offset) {
    BatchOptions o;
    o.base_offset = base_offset;
    o.attributes = static_cast<int16_t>(codec);
    return finish_batch(payload, record_count, max_timestamp, max_timestamp, o);
}

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "samsa-log-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

}  // namespace samsa::log::test
