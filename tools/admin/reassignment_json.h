#pragma once
// The JSON documents of kafka-reassign-partitions.sh (ReassignPartitionsCommand): the topics
// to move ({"topics":[{"topic":"foo"}],"version":1}), and reassignments
// ({"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],
// "log_dirs":["any","any"]}]}), written with Kafka's key order and no spaces. Parse failures
// and Kafka's checks of a reassignment throw ToolError with Kafka's messages.

#include "tools/admin/tool_support.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace samsa::admin {

using TopicPartition = std::pair<std::string, int32_t>;
// Sorted by topic, then partition: Kafka's compareTopicPartitions order.
using ReplicaAssignment = std::map<TopicPartition, std::vector<int32_t>>;

// --topics-to-move-json-file: the topic names, in file order.
std::vector<std::string> parse_topics_to_move(const std::string& json_text);

// --reassignment-json-file, with parseExecuteAssignmentArgs' checks (non-empty, no duplicate
// partitions, no duplicate replicas). log_dirs other than "any" are refused: moving replicas
// between a broker's log directories (AlterReplicaLogDirs) is not served.
ReplicaAssignment parse_reassignment(const std::string& json_text);

// formatAsReassignmentJson.
std::string format_reassignment(const ReplicaAssignment& assignment);

// "--broker-list 1,2,3".
std::vector<int32_t> parse_broker_list(const std::string& text);

// "foo-0" (TopicPartition.toString).
std::string tp_name(const TopicPartition& tp);

}  // namespace samsa::admin
