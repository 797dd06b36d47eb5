// fuzz_seeds <request-decoder-dir> <batch-validator-dir> <log-recovery-dir>: writes the
// generated seed corpora.
//
//  - request decoder: one frame per request API, version and sample variant (fill_sample from
//    samsa::protocol_testing, for every request schema: a new API or version gets seeds
//    without anyone writing them),
//    framed with the header version the broker expects, plus Produce v3/v7/v9 frames whose
//    records field holds a valid batch;
//  - batch validator: valid uncompressed RecordBatch v2 (one record; several with keys, null
//    values and headers; a producer id with a sequence) and a "compressed" one whose records
//    block is opaque;
//  - log recovery: those batches as one segment file (flags byte first), for a clean and an
//    unclean shutdown and with a torn last batch.
// scripts/run-fuzzers.sh adds them to a temp copy of the committed seeds in tests/fuzz/corpus.

#include "fuzz_requests.h"  // generated: every *RequestData with a schema

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/testing/samples.h"
#include "broker/protocol/record_batch.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::protocol {
namespace {

using Bytes = std::vector<uint8_t>;

void write_file(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", path.c_str());
        std::exit(1);
    }
}

// ---- record batches -----------------------------------------------------------------------

void put_varlong(Bytes& out, int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
        out.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<uint8_t>(z));
}

void put_nullable(Bytes& out, const std::optional<std::string>& s) {
    put_varlong(out, s ? static_cast<int64_t>(s->size()) : -1);
    if (s) {
        out.insert(out.end(), s->begin(), s->end());
    }
}

struct SeedRecord {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    int64_t timestamp_delta = 0;
};

Bytes encode_records(const std::vector<SeedRecord>& records) {
    Bytes out;
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        Bytes body{0};  // attributes
        put_varlong(body, r.timestamp_delta);
        put_varlong(body, static_cast<int64_t>(i));
        put_nullable(body, r.key);
        put_nullable(body, r.value);
        put_varlong(body, static_cast<int64_t>(r.headers.size()));
        for (const auto& [k, v] : r.headers) {
            put_nullable(body, k);
            put_nullable(body, v);
        }
        put_varlong(out, static_cast<int64_t>(body.size()));
        out.insert(out.end(), body.begin(), body.end());
    }
    return out;
}

// A batch with baseOffset 0 and a correct CRC, as a producer sends it.
Bytes make_batch(const Bytes& records_block, int32_t count, int16_t attributes,
                 int64_t producer_id = -1, int32_t base_sequence = -1, int64_t base_offset = 0) {
    constexpr int64_t kTimestamp = 1'700'000'000'000;
    Bytes b(kRecordBatchHeaderSize + records_block.size());
    std::copy(records_block.begin(), records_block.end(), b.begin() + kRecordBatchHeaderSize);
    uint8_t* p = b.data();
    store_be64(p + kBaseOffsetOffset, base_offset);
    store_be32(p + kBatchLengthOffset, static_cast<int32_t>(b.size()) - kLogOverhead);
    store_be32(p + kPartitionLeaderEpochOffset, -1);
    p[kMagicOffset] = static_cast<uint8_t>(kMagicV2);
    store_be16(p + kAttributesOffset, attributes);
    store_be32(p + kLastOffsetDeltaOffset, count - 1);
    store_be64(p + kBaseTimestampOffset, kTimestamp);
    store_be64(p + kMaxTimestampOffset, kTimestamp + count - 1);
    store_be64(p + kProducerIdOffset, producer_id);
    store_be16(p + kProducerEpochOffset, producer_id >= 0 ? 0 : -1);
    store_be32(p + kBaseSequenceOffset, base_sequence);
    store_be32(p + kRecordCountOffset, count);
    MutableRecordBatchView(b).update_crc();
    return b;
}

std::vector<std::pair<std::string, Bytes>> seed_batches() {
    std::vector<SeedRecord> several = {
        {"k0", "value-0", {}, 0},
        {std::nullopt, "value-1", {{"h", "v"}, {"trace", std::nullopt}}, 1},
        {"k2", std::nullopt, {}, 2},
    };
    return {
        {"one_record", make_batch(encode_records({{std::nullopt, "hello", {}, 0}}), 1, 0)},
        {"three_records_headers", make_batch(encode_records(several), 3, 0)},
        {"idempotent", make_batch(encode_records({{"k", "v", {}, 0}}), 1, 0, 4242, 0)},
        {"lz4_opaque", make_batch(Bytes{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01}, 2, 3)},
    };
}

// ---- request frames -----------------------------------------------------------------------

template <typename T>
Bytes frame(ApiKey key, int16_t version, const T& body) {
    RequestHeaderData header;
    header.request_api_key = static_cast<int16_t>(key);
    header.request_api_version = version;
    header.correlation_id = 7;
    header.client_id = "fuzz";
    Writer w;
    header.encode(w, request_header_version(key, version));
    body.encode(w, version);
    return w.buffer();
}

template <typename T>
void write_api_seeds(const std::string& dir, int& count) {
    for (int16_t v = T::kLowestVersion; v <= T::kHighestVersion; ++v) {
        for (int variant = 0; variant < samples::kVariants; ++variant) {
            T body;
            samples::fill_sample(body, v, variant);
            write_file(dir + "/" + std::string(api_name(T::kApiKey)) + "_v" + std::to_string(v) +
                           "_" + std::to_string(variant),
                       frame(T::kApiKey, v, body));
            ++count;
        }
    }
}

template <typename... T>
struct TypeList {};

template <typename... T>
void write_all_api_seeds(TypeList<T...>, const std::string& dir, int& count) {
    (write_api_seeds<T>(dir, count), ...);
}

int write_request_seeds(const std::string& dir) {
    int count = 0;
    write_all_api_seeds(TypeList<SAMSA_FUZZ_REQUEST_TYPES>{}, dir, count);

    // Produce requests as clients send them: one partition, one valid batch.
    const Bytes batch = seed_batches()[1].second;
    for (int16_t v : {3, 7, 9}) {
        ProduceRequestData req;
        req.acks = -1;
        req.timeout_ms = 30000;
        auto& topic = req.topic_data.emplace_back();
        topic.name = "orders";
        auto& part = topic.partition_data.emplace_back();
        part.index = 0;
        part.records = Records::copy_of(batch);
        write_file(dir + "/Produce_v" + std::to_string(v) + "_valid_batch",
                   frame(ApiKey::produce, v, req));
        ++count;
    }
    return count;
}

// Segment files for the recovery target: a flags byte (bit 0: clean shutdown), then batches
// back to back with increasing offsets, as a log writes them.
std::vector<std::pair<std::string, Bytes>> seed_segments() {
    const auto batches = seed_batches();
    Bytes segment;
    int64_t offset = 0;
    for (const auto& [name, batch] : batches) {
        Bytes b = batch;
        store_be64(b.data() + kBaseOffsetOffset, offset);
        store_be32(b.data() + kPartitionLeaderEpochOffset, static_cast<int32_t>(offset % 3));
        MutableRecordBatchView(b).update_crc();  // the leader epoch is outside the CRC anyway
        offset += RecordBatchView(b).record_count();
        segment.insert(segment.end(), b.begin(), b.end());
    }
    Bytes unclean{0};
    unclean.insert(unclean.end(), segment.begin(), segment.end());
    Bytes clean{1};
    clean.insert(clean.end(), segment.begin(), segment.end());
    Bytes torn = unclean;
    torn.resize(torn.size() - 5);  // a crash in the middle of the last write
    return {{"segment_unclean", unclean}, {"segment_clean", clean}, {"segment_torn_tail", torn}};
}

}  // namespace
}  // namespace samsa::protocol

int main(int argc, char** argv) {
    using namespace samsa::protocol;
    if (argc != 4) {
        std::fprintf(stderr,
                     "usage: %s <request-decoder-dir> <batch-validator-dir> <log-recovery-dir>\n",
                     argv[0]);
        return 2;
    }
    int requests = write_request_seeds(argv[1]);
    int batches = 0;
    for (const auto& [name, bytes] : seed_batches()) {
        write_file(std::string(argv[2]) + "/" + name, bytes);
        ++batches;
    }
    int segments = 0;
    for (const auto& [name, bytes] : seed_segments()) {
        write_file(std::string(argv[3]) + "/" + name, bytes);
        ++segments;
    }
    std::printf("fuzz_seeds: %d request frames in %s, %d batches in %s, %d segments in %s\n",
                requests, argv[1], batches, argv[2], segments, argv[3]);
    return 0;
}
