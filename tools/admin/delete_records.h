#pragma once
// The offset JSON file of `samsa-admin delete-records` and the lines it prints (Kafka 2.8's
// DeleteRecordsCommand):
//
//   {"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}   (offset -1: the
//   high watermark)
//
//   partition: t-0\tlow_watermark: 3
//   partition: t-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: ...

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::admin {

struct RecordsToDelete {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
};

// DeleteRecordsCommand.parseOffsetJsonStringWithoutDedup, then its duplicate check. Throws
// ToolError with Kafka's messages ("The input string is not a valid JSON", "Missing partitions
// field", "Not supported version field value 2", "Offset json file contains duplicate topic
// partitions: t-0").
std::vector<RecordsToDelete> parse_offset_json(const std::string& text);

// One line of the result: the new low watermark, or the exception of a failed partition.
std::string delete_records_line(const std::string& topic, int32_t partition,
                                std::optional<int64_t> low_watermark, const std::string& error);

}  // namespace samsa::admin
