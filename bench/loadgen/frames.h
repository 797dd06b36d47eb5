#pragma once
// The request frames samsa_loadgen sends, encoded once with the project's codecs before the
// clock starts, and where each send patches them.
//
// Every frame: int32 size, then RequestHeader v1 (api key int16, api version int16, correlation
// id int32 at byte 8, client id) and the body. A Produce frame carries one RecordBatch v2 of
// --records-per-request records (no key, no headers, offset deltas 0..N-1); the first record's
// value, when 16 B to 64 KiB long, starts with a stamp:
//
//   off size
//    0   8   "samsa-lg"
//    8   8   send time, CLOCK_MONOTONIC ns, big-endian (one clock for every process here)
//
// which a consumer turns into end-to-end latency. A send patches the stamp and, for an
// idempotent producer, the producer id, epoch and base sequence, then rewrites the batch CRC.
// A plain producer's stamped send patches the same fields (with -1, the bytes they hold) and
// rewrites the CRC too, so the generator's work per request is the same in both modes.

#include "bench/loadgen/options.h"
#include "broker/protocol/generated/produce_request.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace samsa::loadgen {

inline constexpr int16_t kProduceVersion = 7;
inline constexpr int16_t kFetchVersion = 11;
inline constexpr int16_t kListOffsetsVersion = 2;
inline constexpr int16_t kApiVersionsVersion = 3;
inline constexpr int16_t kInitProducerIdVersion = 1;
inline constexpr size_t kCorrelationIdAt = 8;

inline constexpr std::array<uint8_t, 8> kStampMagic = {'s', 'a', 'm', 's', 'a', '-', 'l', 'g'};
inline constexpr size_t kStampSize = kStampMagic.size() + 8;

// The send time of a stamped record value, or -1 when it carries none.
int64_t read_stamp(std::span<const uint8_t> value);

// A batch's idempotence fields: an InitProducerId answer's id and epoch, and the sequence of
// the batch's first record. All -1 for a plain producer.
struct ProducerFields {
    int64_t id = -1;
    int16_t epoch = -1;
    int32_t base_sequence = -1;
};

// Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from INT32_MAX to 0.
int32_t increment_sequence(int32_t sequence, int32_t increment);

struct ProduceFrame {
    std::vector<uint8_t> bytes;
    size_t batch_at = 0;  // the batch runs to the end of the frame
    size_t stamp_at = 0;  // the first record's send time, 8 bytes; 0 for an unstamped value

    // Writes the send time (when stamped), the producer fields and the batch CRC into
    // `frame`, a copy of bytes.
    void patch(uint8_t* frame, int64_t now_ns, const ProducerFields& producer) const;
};

struct FetchFrame {
    std::vector<uint8_t> bytes;
    size_t offset_at = 0;  // the partition's fetch offset, int64
};

// Every frame of a run, per partition where it names one. Read-only once built, shared by the
// threads.
struct Frames {
    std::vector<ProduceFrame> produce;
    std::vector<FetchFrame> fetch;
    std::vector<std::vector<uint8_t>> list_offsets;  // latest offset (fetch's hello)
    std::vector<uint8_t> api_versions;               // produce's and idle's hello
    std::vector<uint8_t> init_producer_id;           // --idempotent's second hello
    std::vector<uint8_t> redis_command;              // --redis: the one command sent
};

Frames make_frames(const Options& o);

// A RecordBatch v2 (layout in broker/protocol/record_batch.h) of `count` records of
// `value_size` bytes (no key, no headers; the first value stamped when stampable, see above),
// without producer id: a send patches it in. Also samsa_bulkload's one batch.
std::vector<uint8_t> make_batch(int value_size, int32_t count);

// A Produce request (no transactional id, 30 s timeout) of `batch` for one partition.
protocol::ProduceRequestData make_produce_request(const std::string& topic, int32_t partition,
                                                  int acks, std::span<const uint8_t> batch);

// --redis: the length of the RESP reply at the start of `in` (a status, error or integer line,
// or a bulk string, which is what XADD answers: the new entry's id), 0 while it is incomplete,
// or nullopt when it is none of those.
std::optional<size_t> redis_reply_length(std::span<const uint8_t> in);

}  // namespace samsa::loadgen
