#pragma once
// RecordBatch v2 (magic 2), the only format Samsa stores. Big-endian; offsets count from the
// start of the batch:
//
//   off size field
//    0   8   baseOffset            int64  producer sends 0; the broker assigns
//    8   4   batchLength           int32  bytes after this field = total size - 12
//   12   4   partitionLeaderEpoch  int32  set by the broker; NOT covered by the CRC
//   16   1   magic                 int8   2 (0/1 = legacy MessageSet, unsupported)
//   17   4   crc                   uint32 CRC-32C over bytes [21, end)
//   21   2   attributes            int16  bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4,
//                                         4 zstd), bit 3 LogAppendTime, bit 4 transactional,
//                                         bit 5 control
//   23   4   lastOffsetDelta       int32  recordCount - 1 for fresh batches
//   27   8   baseTimestamp         int64  first record's timestamp
//   35   8   maxTimestamp          int64
//   43   8   producerId            int64  -1 = none
//   51   2   producerEpoch         int16  -1 = none
//   53   4   baseSequence          int32  -1 = none
//   57   4   recordCount           int32
//   61   ..  records               compressed as one block when the codec is not 0
//
// Record (uncompressed), in order, varints being zig-zag LEB128 (protobuf sint32/sint64):
//   length varint (bytes after this field), attributes int8, timestampDelta varlong,
//   offsetDelta varint, keyLength varint (-1 = null), key, valueLength varint (-1 = null),
//   value, headerCount varint, then per header: keyLength varint, key (UTF-8),
//   valueLength varint (-1 = null), value.
//
// Batches sit back to back in a log segment or a records field; a fetch response may end in a
// partial batch, which readers skip. Nothing here allocates or copies: views borrow the bytes,
// which must outlive them.

#include <cstdint>
#include <optional>
#include <span>

namespace samsa::protocol {

inline constexpr int32_t kLogOverhead = 12;            // baseOffset + batchLength
inline constexpr int32_t kRecordBatchHeaderSize = 61;  // the whole fixed header
inline constexpr int8_t kMagicV2 = 2;
inline constexpr int32_t kBaseOffsetOffset = 0;
inline constexpr int32_t kBatchLengthOffset = 8;
inline constexpr int32_t kPartitionLeaderEpochOffset = 12;
inline constexpr int32_t kMagicOffset = 16;
inline constexpr int32_t kCrcOffset = 17;
inline constexpr int32_t kAttributesOffset = 21;
inline constexpr int32_t kLastOffsetDeltaOffset = 23;
inline constexpr int32_t kBaseTimestampOffset = 27;
inline constexpr int32_t kMaxTimestampOffset = 35;
inline constexpr int32_t kProducerIdOffset = 43;
inline constexpr int32_t kProducerEpochOffset = 51;
inline constexpr int32_t kBaseSequenceOffset = 53;
inline constexpr int32_t kRecordCountOffset = 57;
inline constexpr int32_t kRecordsOffset = 61;

inline constexpr int16_t kCompressionCodecMask = 0x07;
inline constexpr int16_t kTimestampTypeMask = 0x08;  // set = LogAppendTime
inline constexpr int16_t kTransactionalFlagMask = 0x10;
inline constexpr int16_t kControlFlagMask = 0x20;

enum class CompressionType : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
enum class TimestampType : int8_t { create_time = 0, log_append_time = 1 };

// Big-endian helpers over raw bytes, shared with the log's index files.
int64_t load_be64(const uint8_t* p);
int32_t load_be32(const uint8_t* p);
int16_t load_be16(const uint8_t* p);
void store_be64(uint8_t* p, int64_t v);
void store_be32(uint8_t* p, int32_t v);
void store_be16(uint8_t* p, int16_t v);

// A read-only view of one batch. `bytes` must hold at least the 61-byte header; the accessors
// read only the header, so a view over just a header (e.g. read from a file) is fine, while
// compute_crc() / is_valid_crc() / records() need the whole batch (size_in_bytes() bytes).
class RecordBatchView {
  public:
    explicit RecordBatchView(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    std::span<const uint8_t> bytes() const { return bytes_; }

    int64_t base_offset() const { return load_be64(at(kBaseOffsetOffset)); }
    int32_t batch_length() const { return load_be32(at(kBatchLengthOffset)); }
    // Total size: batchLength + 12.
    int32_t size_in_bytes() const { return batch_length() + kLogOverhead; }
    int32_t partition_leader_epoch() const { return load_be32(at(kPartitionLeaderEpochOffset)); }
    int8_t magic() const { return static_cast<int8_t>(bytes_[kMagicOffset]); }
    uint32_t crc() const { return static_cast<uint32_t>(load_be32(at(kCrcOffset))); }
    int16_t attributes() const { return load_be16(at(kAttributesOffset)); }
    int32_t last_offset_delta() const { return load_be32(at(kLastOffsetDeltaOffset)); }
    // Both saturate at the int64 limits: a header read from disk or the wire may claim offsets
    // past them, and a saturated value keeps the arithmetic defined and fails every range check.
    int64_t last_offset() const {
        int64_t last = 0;
        if (__builtin_add_overflow(base_offset(), int64_t{last_offset_delta()}, &last)) {
            return last_offset_delta() < 0 ? INT64_MIN : INT64_MAX;
        }
        return last;
    }
    int64_t next_offset() const {
        int64_t last = last_offset();
        return last == INT64_MAX ? INT64_MAX : last + 1;
    }
    int64_t base_timestamp() const { return load_be64(at(kBaseTimestampOffset)); }
    int64_t max_timestamp() const { return load_be64(at(kMaxTimestampOffset)); }
    int64_t producer_id() const { return load_be64(at(kProducerIdOffset)); }
    int16_t producer_epoch() const { return load_be16(at(kProducerEpochOffset)); }
    int32_t base_sequence() const { return load_be32(at(kBaseSequenceOffset)); }
    int32_t record_count() const { return load_be32(at(kRecordCountOffset)); }

    CompressionType compression() const {
        return static_cast<CompressionType>(attributes() & kCompressionCodecMask);
    }
    TimestampType timestamp_type() const {
        return (attributes() & kTimestampTypeMask) ? TimestampType::log_append_time
                                                   : TimestampType::create_time;
    }
    bool is_transactional() const { return attributes() & kTransactionalFlagMask; }
    bool is_control() const { return attributes() & kControlFlagMask; }
    bool has_producer_id() const { return producer_id() >= 0; }

    // CRC-32C over bytes [21, size_in_bytes()). Needs the whole batch.
    uint32_t compute_crc() const;
    bool is_valid_crc() const { return compute_crc() == crc(); }
    // The records section [61, end): varint records when uncompressed, one block otherwise.
    std::span<const uint8_t> records_bytes() const {
        return bytes_.subspan(kRecordsOffset,
                              static_cast<size_t>(size_in_bytes() - kRecordsOffset));
    }

  protected:
    const uint8_t* at(int32_t offset) const { return bytes_.data() + offset; }

  private:
    std::span<const uint8_t> bytes_;
};

// A view that can patch the fields the broker rewrites on append. Setters do not touch the
// CRC except where noted; the fields outside the CRC (base offset, leader epoch) never need it.
class MutableRecordBatchView : public RecordBatchView {
  public:
    explicit MutableRecordBatchView(std::span<uint8_t> bytes)
        : RecordBatchView(bytes), data_(bytes.data()) {}

    void set_base_offset(int64_t offset) { store_be64(data_ + kBaseOffsetOffset, offset); }
    void set_partition_leader_epoch(int32_t epoch) {
        store_be32(data_ + kPartitionLeaderEpochOffset, epoch);
    }
    void set_attributes(int16_t attributes) { store_be16(data_ + kAttributesOffset, attributes); }
    void set_max_timestamp_raw(int64_t ts) { store_be64(data_ + kMaxTimestampOffset, ts); }
    // Kafka's setMaxTimestamp: sets the timestamp type bit and maxTimestamp, then recomputes
    // the CRC, but only if either changed (a CreateTime batch that is already right is left
    // byte-identical). Needs the whole batch.
    void set_max_timestamp(TimestampType type, int64_t ts);
    void update_crc() { store_be32(data_ + kCrcOffset, static_cast<int32_t>(compute_crc())); }

  private:
    uint8_t* data_;
};

// Walks the complete batches of a buffer. Stops cleanly at the end, at a partial trailing
// batch (what a size-limited fetch returns) or at an impossible batchLength (< 49).
class RecordBatchIterator {
  public:
    enum class Stop { none, end, partial, corrupt };

    explicit RecordBatchIterator(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    // The next complete batch, or nullopt once stopped (see stop()).
    std::optional<RecordBatchView> next();
    Stop stop() const { return stop_; }
    // Bytes consumed by the complete batches returned so far.
    size_t position() const { return pos_; }

  private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
    Stop stop_ = Stop::none;
};

// One record of an uncompressed batch; key/value are nullopt for null (length -1).
struct Record {
    int8_t attributes = 0;
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    std::optional<std::span<const uint8_t>> key;
    std::optional<std::span<const uint8_t>> value;
    int32_t header_count = 0;
    std::span<const uint8_t> headers;  // the raw headers, after headerCount
};

// Walks the records of an UNCOMPRESSED batch, checking every length against the record's own
// size and the batch. Compressed batches are not decoded here (and never by the log).
class RecordIterator {
  public:
    explicit RecordIterator(const RecordBatchView& batch) : data_(batch.records_bytes()) {}
    // Over a records section already decompressed (compression.h).
    explicit RecordIterator(std::span<const uint8_t> records) : data_(records) {}

    // Fills `out` and returns true, or returns false at the end or on malformed bytes.
    bool next(Record& out);
    // True once next() hit malformed bytes (the batch is invalid).
    bool malformed() const { return malformed_; }
    // True when every byte of the records section was consumed by well-formed records.
    bool at_end() const { return pos_ == data_.size(); }

  private:
    bool fail() {
        malformed_ = true;
        return false;
    }

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    bool malformed_ = false;
};

}  // namespace samsa::protocol
