#pragma once
// What a Fetch response's records section holds for a consumer, as Kafka's Fetcher hands them
// out: the records of every complete batch (compressed ones decompressed with the broker's own
// codecs), at or past the fetch offset, control batches (transaction markers) left out and, for
// read_committed, the records of aborted transactions too.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace samsa::client {

struct ConsumerRecord {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp = -1;
    bool log_append_time = false;  // the timestamp type: LogAppendTime, else CreateTime
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// An aborted transaction of a read_committed fetch (FetchResponse AbortedTransactions).
struct AbortedTransaction {
    int64_t producer_id = -1;
    int64_t first_offset = 0;
};

struct DecodedRecords {
    std::vector<ConsumerRecord> records;
    // Where the next fetch starts: past the last complete batch (a batch of only skipped or
    // control records moves it on too). Equal to the fetch offset when nothing was complete.
    int64_t next_offset = 0;
    bool corrupt = false;  // a batch that does not decode (bad CRC, codec, layout)
};

DecodedRecords decode_records(std::span<const uint8_t> bytes, const std::string& topic,
                              int32_t partition, int64_t fetch_offset,
                              const std::optional<std::vector<AbortedTransaction>>& aborted);

}  // namespace samsa::client
