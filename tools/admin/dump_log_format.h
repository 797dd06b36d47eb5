#pragma once
// The lines Kafka 2.8's DumpLogSegments (kafka-dump-log.sh) prints for batches, records and
// index entries, and the reports it prints on stderr at the end. Pure formatting over the
// broker's own batch views (broker/protocol/record_batch.h), so the unit tests feed it batches
// built with RecordBatchBuilder; dump_log_command.cc reads the files.

#include "broker/protocol/record_batch.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace samsa::admin::dump_log {

// CompressionType's enum constant as Kafka 2.8 prints it: NONE, GZIP, SNAPPY, LZ4, ZSTD.
std::string codec_name(protocol::CompressionType codec);
// TimestampType's name: CreateTime or LogAppendTime.
std::string timestamp_type_name(protocol::TimestampType type);
// DefaultRecordBatch.incrementSequence: sequences wrap to 0 past INT32_MAX.
int32_t increment_sequence(int32_t sequence, int32_t increment);

// printBatchLevel: "baseOffset: .. isvalid: true" for the batch at byte `position` of the file.
// Needs the whole batch (the CRC is checked).
std::string format_batch(const protocol::RecordBatchView& batch, int64_t position);

// One record's line of a deep iteration: "| offset: .. headerKeys: [..]", then a control
// record's marker, or with `print_contents` the key and payload as UTF-8 strings.
std::string format_record(const protocol::RecordBatchView& batch, const protocol::Record& record,
                          bool print_contents);

std::string format_index_entry(int64_t offset, int32_t position);
std::string format_time_index_entry(int64_t timestamp, int64_t offset);

// What the tool found wrong, reported after every file was dumped. Each list is per file
// (the file's absolute path), in the order the files were dumped.
using Pairs = std::vector<std::pair<int64_t, int64_t>>;
using PerFile = std::vector<std::pair<std::string, Pairs>>;

struct DumpErrors {
    PerFile index_mismatches;         // (index offset, log offset)
    PerFile time_mismatches;          // (index timestamp, log timestamp)
    PerFile out_of_order_timestamps;  // (index timestamp, previously indexed timestamp)
    PerFile offsets_not_found;        // (indexed offset, found log offset or -1)
    PerFile non_consecutive;          // (offset, the offset that followed it)

    static void add(PerFile& list, const std::string& file, int64_t a, int64_t b);
};

// The stderr report, in Kafka's order and words. Kafka prepends the index mismatches and the
// non-consecutive pairs to Scala lists, so those come out last-found first.
std::string format_errors(const DumpErrors& errors);

}  // namespace samsa::admin::dump_log
