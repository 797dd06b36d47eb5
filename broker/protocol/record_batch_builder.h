#pragma once
// RecordBatchBuilder: writes an uncompressed RecordBatch v2 (layout in record_batch.h), as the
// broker writes its own batches (Kafka's MemoryRecordsBuilder): the group coordinator's
// records in __consumer_offsets, the log cleaner's rewritten batches, control records.
//
// Records are appended with explicit offset deltas and timestamps, so a cleaner can keep the
// offsets of the records it retains (the gaps stay). build() fills the header and the CRC.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace samsa::protocol {

struct BatchHeader {
    int64_t base_offset = 0;
    int32_t partition_leader_epoch = -1;
    int16_t attributes = 0;  // codec bits must be 0: the builder does not compress
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    // The batch's lastOffsetDelta; nullopt = the last appended record's delta. A cleaner
    // keeps the original value so the batch still covers its producer's sequence range.
    std::optional<int32_t> last_offset_delta;
    // The batch's maxTimestamp; nullopt = the largest appended timestamp.
    std::optional<int64_t> max_timestamp;
    // The batch's baseTimestamp; nullopt = the first appended record's timestamp.
    std::optional<int64_t> base_timestamp;
};

class RecordBatchBuilder {
  public:
    explicit RecordBatchBuilder(BatchHeader header = {});

    // Adds a record at `offset_delta` (increasing). Null key/value = std::nullopt.
    void append(int32_t offset_delta, int64_t timestamp,
                std::optional<std::span<const uint8_t>> key,
                std::optional<std::span<const uint8_t>> value,
                std::span<const uint8_t> raw_headers = {}, int32_t header_count = 0);
    // The next offset delta, with string keys and values (the common case).
    void append(int64_t timestamp, std::optional<std::string_view> key,
                std::optional<std::string_view> value);

    int32_t record_count() const { return count_; }
    bool empty() const { return count_ == 0; }
    // The complete batch with a correct CRC. The builder may not be used afterwards.
    std::vector<uint8_t> build();

  private:
    // Records are encoded at build(), once the base timestamp (their deltas' origin) is known.
    struct PendingRecord {
        int32_t offset_delta;
        int64_t timestamp;
        std::optional<std::vector<uint8_t>> key;
        std::optional<std::vector<uint8_t>> value;
        std::vector<uint8_t> raw_headers;
        int32_t header_count;
    };

    BatchHeader header_;
    std::vector<PendingRecord> records_;
    int32_t count_ = 0;
};

}  // namespace samsa::protocol
