#pragma once
// Shared by the fuzz targets that take record batches: a mutated batch almost never keeps a
// valid CRC-32C, so every check behind the CRC would go unexplored. fix_crcs() recomputes the
// CRC of every complete batch in place (RecordBatchIterator decides what is complete).

#include "broker/protocol/record_batch.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace samsa::fuzz {

inline void fix_crcs(std::span<uint8_t> bytes) {
    protocol::RecordBatchIterator batches(bytes);
    size_t at = 0;
    while (auto batch = batches.next()) {
        const size_t size = batch->bytes().size();
        protocol::MutableRecordBatchView(bytes.subspan(at, size)).update_crc();
        at += size;
    }
}

}  // namespace samsa::fuzz
