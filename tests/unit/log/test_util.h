#pragma once
// Test helpers: valid RecordBatch v2 bytes, a temp dir, a manual clock.

#include "broker/log/clock.h"
#include "broker/protocol/record_batch.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::log::test {

struct TestRecord {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    int64_t timestamp = 0;
};

struct BatchOptions {
    int64_t base_offset = 0;
    int16_t attributes = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    int32_t partition_leader_epoch = -1;
};

// An uncompressed batch with these records (offset deltas 0..n-1) and a correct CRC.
std::vector<uint8_t> make_batch(const std::vector<TestRecord>& records, BatchOptions options = {});
// `count` records "key-i"/"value-i" padded to value_size bytes, all at `timestamp`.
std::vector<uint8_t> make_simple_batch(int count, int64_t timestamp, size_t value_size = 16,
                                       int64_t base_offset = 0);
// A "compressed" batch: codec bits set, `payload` as the opaque records block, correct CRC.
std::vector<uint8_t> make_compressed_batch(int32_t record_count,
                                           const std::vector<uint8_t>& payload,
                                           int64_t max_timestamp, protocol::CompressionType codec,
                                           int64_t base_offset = 0);
// Concatenates buffers.
std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts);

class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

class ManualClock {
  public:
    explicit ManualClock(int64_t start = 1'700'000'000'000)
        : now_(std::make_shared<std::atomic<int64_t>>(start)) {}
    Clock clock() const {
        return [now = now_] { return now->load(); };
    }
    int64_t now() const { return *now_; }
    void advance(int64_t ms) { *now_ += ms; }

  private:
    std::shared_ptr<std::atomic<int64_t>> now_;
};

std::vector<uint8_t> read_file_bytes(const std::string& path);
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace samsa::log::test
