#pragma once
// The record-batch codecs (attributes bits 0-2), as Kafka clients write them:
//   gzip    a standard gzip stream (RFC 1952);
//   snappy  the xerial framing of Java's SnappyOutputStream: magic "\x82SNAPPY\0", int32 BE
//           version 1 and compatible version 1, then blocks each led by its int32 BE length.
//           Plain raw snappy (no framing) is accepted too, as Java's SnappyInputStream does;
//   lz4     the LZ4 frame format (not the legacy Kafka 0.8 framing of magic < 2);
//   zstd    a standard zstd frame, content size present or not.
// compress() writes what Kafka's Java producer would (xerial snappy with 32 KiB blocks, lz4
// frames of 64 KiB independent blocks, gzip and zstd at their default levels).
//
// Stateless and thread-safe. Decompression stops with an error past `max_size` output bytes,
// so a small hostile block cannot make the broker allocate without bound.

#include "broker/protocol/record_batch.h"
#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace samsa::protocol {

inline constexpr size_t kMaxDecompressedSize = size_t{1} << 30;

// Errors: std::errc::illegal_byte_sequence (corrupt input), std::errc::value_too_large (more
// than max_size), std::errc::not_supported (an unknown codec).
result<std::vector<uint8_t>> decompress(CompressionType codec, std::span<const uint8_t> in,
                                        size_t max_size = kMaxDecompressedSize);
result<std::vector<uint8_t>> compress(CompressionType codec, std::span<const uint8_t> in);

// The uncompressed records section of a batch: its own bytes when the codec is none.
result<std::vector<uint8_t>> decompress_records(const RecordBatchView& batch,
                                                size_t max_size = kMaxDecompressedSize);

// Rewrites an uncompressed batch (whole, valid) with its records section compressed by
// `codec`: codec bits, batchLength and CRC updated, every other header field kept.
result<std::vector<uint8_t>> compress_batch(std::span<const uint8_t> uncompressed_batch,
                                            CompressionType codec);

// Calls visit(record) for each record of any batch, decompressing when needed; false if the
// records are malformed or the count differs from the header's recordCount.
template <typename Visit>
result<bool> for_each_record(const RecordBatchView& batch, Visit visit);

}  // namespace samsa::protocol

namespace samsa::protocol {

template <typename Visit>
result<bool> for_each_record(const RecordBatchView& batch, Visit visit) {
    std::vector<uint8_t> owned;
    std::span<const uint8_t> records = batch.records_bytes();
    if (batch.compression() != CompressionType::none) {
        SAMSA_TRY(owned, decompress_records(batch));
        records = owned;
    }
    RecordIterator it(records);
    Record r;
    int32_t n = 0;
    while (it.next(r)) {
        visit(r);
        ++n;
    }
    return !it.malformed() && it.at_end() && n == batch.record_count();
}

}  // namespace samsa::protocol
