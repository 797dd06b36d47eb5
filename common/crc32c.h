#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF): the
// checksum of Kafka's RecordBatch v2 and of nothing else in the protocol. It sits on the
// produce hot path (every batch is checked) and in log recovery, so it uses the SSE4.2 `crc32`
// instruction when the CPU has it (three interleaved streams on long buffers, ~20 GB/s) and a
// table-driven Boost.CRC otherwise. Both give identical results; the choice is made once.
//
// Thread-safe: pure functions over immutable tables.

#include <cstddef>
#include <cstdint>
#include <span>

namespace samsa {

// Returns the CRC-32C of `data`. crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::span<const uint8_t> data);

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a ++ b). crc32c_extend(0, x) == crc32c(x).
uint32_t crc32c_extend(uint32_t crc, const uint8_t* data, size_t size);

// The two implementations, exposed so tests can compare them and benchmarks can time them.
bool crc32c_hardware_available();
uint32_t crc32c_software(uint32_t crc, const uint8_t* data, size_t size);
// Precondition: crc32c_hardware_available().
uint32_t crc32c_hardware(uint32_t crc, const uint8_t* data, size_t size);

}  // namespace samsa
