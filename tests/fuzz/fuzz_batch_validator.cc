// libFuzzer target: the bytes of a Produce request's records field, through the log's
// validation path (broker/log/log_validator.h) and into a real Log.
//
// A mutated batch almost never keeps a valid CRC-32C, and every check past the CRC would go
// unexplored; so each input is checked twice: as it is (the CRC rejection path) and with the
// CRC of every complete batch recomputed, which is what the steps below see.
//
// For each input:
//  1. validate_producer_batch() under four topic configs (default, compacted, LogAppendTime,
//     a one-hour timestamp window). A batch it accepts is patched with
//     assign_offsets_and_timestamps() and must then be a batch the follower path accepts
//     (validate_follower_batches) with a valid CRC, the assigned offsets and the same count.
//  2. validate_follower_batches() and RecordBatchIterator + RecordIterator over the raw bytes,
//     as replication and recovery read them.
//  3. Log::append_as_leader() on a Log opened once per process in a temp dir (TMPDIR): an
//     accepted batch must append at the log end offset, read() must give back exactly the
//     bytes the append wrote, and fetch_offset_by_timestamp() must not fail on them.
//  4. Log::append_as_follower() of what validate_follower_batches() accepts on a second Log
//     (truncated to the batches' first offset when they do not continue it, as a follower
//     truncates a divergent tail), read back and searched by time the same way.
// (The same bytes as a segment file on disk are fuzz_log_recovery's business.)
// The logs are emptied (truncate_fully_and_start_at) when they grow past a few MB, so long
// runs do not fill the disk.
// Rejections are expected; crashes, sanitizer reports and violated properties are findings.

#include "broker/log/errc.h"
#include "broker/log/log.h"
#include "broker/log/log_validator.h"
#include "broker/protocol/record_batch.h"
#include "common/logging.h"
#include "tests/fuzz/fuzz_batches.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

namespace samsa::log {
namespace {

using protocol::RecordBatchView;

constexpr int64_t kNowMs = 1'700'000'000'000;
constexpr int64_t kAssignedBase = 1'000'000;
constexpr int32_t kLeaderEpoch = 7;
constexpr int64_t kMaxLogBytes = 4 << 20;

std::vector<LogConfig> make_configs() {
    LogConfig base;
    base.segment_bytes = 1 << 20;
    base.segment_index_bytes = 64 << 10;
    base.file_delete_delay_ms = 0;
    LogConfig compact = base;
    compact.cleanup_policy_compact = true;
    LogConfig append_time = base;
    append_time.message_timestamp_type = protocol::TimestampType::log_append_time;
    LogConfig window = base;
    window.message_timestamp_difference_max_ms = 3'600'000;
    return {base, compact, append_time, window};
}

const std::vector<LogConfig>& configs() {
    static const auto c = make_configs();
    return c;
}

// The two Logs shared by every input of this process (a leader's and a follower's), in one
// temp dir removed at exit.
struct FuzzLogs {
    std::string dir;
    std::unique_ptr<Log> leader;
    std::unique_ptr<Log> follower;

    FuzzLogs() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/samsa-fuzz-XXXXXX";
        FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp(%s) failed", pattern.c_str());
        dir = pattern;
        leader = open(0);
        follower = open(1);
    }
    ~FuzzLogs() {
        leader.reset();
        follower.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    std::unique_ptr<Log> open(int32_t partition) const {
        auto opened =
            Log::open(dir + "/fuzz-" + std::to_string(partition), TopicPartition{"fuzz", partition},
                      configs()[0], 0, true, [] { return kNowMs; });
        FUZZ_CHECK(opened.has_value(), "Log::open failed: %s", opened.error().message().c_str());
        return std::move(opened).value();
    }
};

FuzzLogs& fuzz_logs() {
    static FuzzLogs l;
    return l;
}

// Reads [offset, offset + size bytes) back from `log`; it must be exactly `expected`.
void check_read_back(const Log& log, int64_t offset, std::span<const uint8_t> expected) {
    auto read = log.read(offset, static_cast<int32_t>(expected.size()), log.log_end_offset(), true);
    FUZZ_CHECK(read.has_value(), "read(%lld) failed: %s", static_cast<long long>(offset),
               read.error().message().c_str());
    std::vector<uint8_t> back;
    FUZZ_CHECK(read.value().records.materialize(back), "short read at %lld",
               static_cast<long long>(offset));
    FUZZ_CHECK(
        back.size() == expected.size() && std::equal(back.begin(), back.end(), expected.begin()),
        "read back %zu bytes that differ from the %zu appended", back.size(), expected.size());
}

// Step 1: what the leader accepts, patched, must be what a follower accepts.
void check_producer_path(std::span<const uint8_t> input, const LogConfig& config) {
    auto validated = validate_producer_batch(input, config, kNowMs);
    if (!validated) {
        return;
    }
    const ValidatedBatch* v = &validated.value();
    FUZZ_CHECK(static_cast<size_t>(v->size) == input.size(), "accepted %d of %zu bytes", v->size,
               input.size());
    FUZZ_CHECK(v->record_count > 0, "accepted a batch of %d records", v->record_count);

    std::vector<uint8_t> patched(input.begin(), input.end());
    assign_offsets_and_timestamps(patched, *v, kAssignedBase, kLeaderEpoch, kNowMs);
    RecordBatchView batch(patched);
    FUZZ_CHECK(batch.is_valid_crc(), "CRC invalid after assign_offsets_and_timestamps");
    FUZZ_CHECK(batch.base_offset() == kAssignedBase, "base offset not assigned");
    FUZZ_CHECK(batch.partition_leader_epoch() == kLeaderEpoch, "leader epoch not assigned");
    if (v->log_append_time || batch.compression() == protocol::CompressionType::none) {
        FUZZ_CHECK(batch.max_timestamp() == v->max_timestamp, "maxTimestamp %lld, expected %lld",
                   static_cast<long long>(batch.max_timestamp()),
                   static_cast<long long>(v->max_timestamp));
    }

    auto followed = validate_follower_batches(patched, config, kAssignedBase);
    FUZZ_CHECK(followed.has_value(), "follower rejected a batch the leader accepted: %s",
               followed.error().message().c_str());
    const ValidatedFollowerBatches* f = &followed.value();
    FUZZ_CHECK(f->valid_bytes == v->size && f->record_count == v->record_count &&
                   f->first_offset == kAssignedBase &&
                   f->last_offset == kAssignedBase + v->record_count - 1,
               "follower view differs from the leader's");
}

// Step 2: the readers replication and recovery use, on arbitrary bytes.
void check_readers(std::span<const uint8_t> input) {
    (void)validate_follower_batches(input, configs()[0], 0);
    protocol::RecordBatchIterator batches(input);
    while (auto batch = batches.next()) {
        (void)batch->is_valid_crc();
        if (batch->magic() != protocol::kMagicV2 ||
            batch->compression() != protocol::CompressionType::none) {
            continue;
        }
        protocol::RecordIterator records(*batch);
        protocol::Record r;
        while (records.next(r)) {
        }
    }
    FUZZ_CHECK(batches.position() <= input.size(), "iterator ran past the buffer");
}

// Step 3: a producer batch appended to the leader's Log, then read and searched by time.
void check_leader_append(std::span<const uint8_t> input) {
    if (!validate_producer_batch(input, configs()[0], kNowMs)) {
        return;
    }
    Log& log = *fuzz_logs().leader;
    if (log.size_in_bytes() > kMaxLogBytes) {
        FUZZ_CHECK(log.truncate_fully_and_start_at(0).has_value(), "truncate failed");
    }
    const int64_t leo = log.log_end_offset();
    std::vector<uint8_t> frame(input.begin(), input.end());  // patched in place, as the broker
    auto appended = log.append_as_leader(frame, kLeaderEpoch);
    // A batch with a producer id also meets the producer state: a sequence gap or an older
    // epoch is refused there, not by validation, and a repeat of a recent batch is answered
    // with the original's offsets without being written.
    if (!appended && (appended.error() == make_error_code(Errc::out_of_order_sequence) ||
                      appended.error() == make_error_code(Errc::invalid_producer_epoch))) {
        FUZZ_CHECK(protocol::RecordBatchView(input).has_producer_id(),
                   "a batch without a producer id was refused by the producer state");
        FUZZ_CHECK(log.log_end_offset() == leo, "a refused batch moved the log end offset");
        return;
    }
    FUZZ_CHECK(appended.has_value(), "append_as_leader rejected a validated batch: %s",
               appended.error().message().c_str());
    const AppendInfo& info = appended.value();
    if (info.duplicate) {
        FUZZ_CHECK(log.log_end_offset() == leo && info.last_offset < leo,
                   "a duplicate batch was written again");
        return;
    }
    FUZZ_CHECK(info.first_offset == leo && log.log_end_offset() == info.last_offset + 1,
               "append at %lld did not continue the log end offset %lld",
               static_cast<long long>(info.first_offset), static_cast<long long>(leo));
    check_read_back(log, leo, frame);
    FUZZ_CHECK(log.fetch_offset_by_timestamp(info.max_timestamp).has_value(),
               "fetch_offset_by_timestamp failed on the leader");
}

// Step 4: replicated batches appended to the follower's Log (truncated first when they do not
// continue it), then read back and searched by time, records unchecked as a follower's are.
void check_follower_append(std::span<const uint8_t> input) {
    auto validated = validate_follower_batches(input, configs()[0], 0);
    if (!validated || validated.value().valid_bytes == 0) {
        return;
    }
    const ValidatedFollowerBatches& v = validated.value();
    Log& log = *fuzz_logs().follower;
    if (log.size_in_bytes() > kMaxLogBytes) {
        FUZZ_CHECK(log.truncate_fully_and_start_at(v.first_offset).has_value(),
                   "truncate_fully_and_start_at failed");
    } else if (log.log_end_offset() > v.first_offset) {
        // What a follower does with a divergent tail (and cheaper than starting over).
        FUZZ_CHECK(log.truncate_to(v.first_offset).has_value(), "truncate_to failed");
        FUZZ_CHECK(log.log_end_offset() <= v.first_offset, "truncate_to(%lld) left LEO %lld",
                   static_cast<long long>(v.first_offset),
                   static_cast<long long>(log.log_end_offset()));
    }
    auto appended = log.append_as_follower(input);
    FUZZ_CHECK(appended.has_value(), "append_as_follower rejected validated batches: %s",
               appended.error().message().c_str());
    FUZZ_CHECK(log.log_end_offset() == v.last_offset + 1, "follower log end offset %lld != %lld",
               static_cast<long long>(log.log_end_offset()),
               static_cast<long long>(v.last_offset + 1));
    // The first batch: a read starts at the batch holding the offset and may stop after it.
    RecordBatchView first(input);
    check_read_back(log, v.first_offset, input.first(static_cast<size_t>(first.size_in_bytes())));
    FUZZ_CHECK(log.fetch_offset_by_timestamp(first.base_timestamp()).has_value(),
               "fetch_offset_by_timestamp failed on the follower");
}

}  // namespace
}  // namespace samsa::log

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    samsa::init_logging("off");
    samsa::log::fuzz_logs();  // open the Logs before the first input, not during it
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace samsa::log;
    // An exact-size heap copy: ASan then sees any read past the records field.
    std::vector<uint8_t> input(data, data + size);
    (void)validate_producer_batch(input, configs()[0], 1'700'000'000'000);
    samsa::fuzz::fix_crcs(input);
    for (const auto& config : configs()) {
        check_producer_path(input, config);
    }
    check_readers(input);
    check_leader_append(input);
    check_follower_append(input);
    return 0;
}
