#pragma once
// The JSON document of `samsa-admin log-dirs --describe` (Kafka 2.8's LogDirsCommand
// formatAsJson), built from the DescribeLogDirs answers of each broker:
//
//   {"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/data","error":null,
//     "partitions":[{"partition":"t-0","size":123,"offsetLag":0,"isFuture":false}]}]}]}

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace samsa::admin {

struct ReplicaLogInfo {
    std::string topic;
    int32_t partition = 0;
    int64_t size = 0;
    int64_t offset_lag = 0;
    bool is_future = false;
};

struct LogDirInfo {
    std::string path;
    std::optional<std::string> error;  // the Java exception class, e.g. ...KafkaStorageException
    std::vector<ReplicaLogInfo> replicas;
};

struct BrokerLogDirs {
    int32_t broker = 0;
    std::vector<LogDirInfo> log_dirs;
};

// The document, compact as Kafka's Json.encodeAsString writes it; only the partitions of
// `topics` when it is not empty. Brokers and partitions come out sorted.
std::string log_dirs_json(std::vector<BrokerLogDirs> brokers, const std::set<std::string>& topics);

// "a,b,,c" -> {"a", "b", "c"} (LogDirsCommand drops the empty pieces).
std::vector<std::string> split_list(const std::string& text);

}  // namespace samsa::admin
