#pragma once
// The command line of `samsa-admin topics`: Kafka 2.8's kafka-topics.sh with
// --bootstrap-server (TopicCommandOptions), its checks and messages.

#include "tools/admin/command.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::admin {

struct TopicsOptions {
    std::string bootstrap_server;
    std::string command_config;
    bool create = false;
    bool list = false;
    bool describe = false;
    bool alter = false;
    bool remove = false;               // --delete
    std::optional<std::string> topic;  // a name for --create, an IncludeList otherwise
    std::optional<int32_t> partitions;
    std::optional<int32_t> replication_factor;
    // --replica-assignment: partition -> replicas, partitions numbered from 0.
    std::optional<std::map<int32_t, std::vector<int32_t>>> replica_assignment;
    std::vector<std::pair<std::string, std::string>> configs;  // --config k=v
    bool if_exists = false;
    bool if_not_exists = false;
    bool exclude_internal = false;
    bool under_replicated = false;
    bool unavailable = false;
    bool under_min_isr = false;
    bool at_min_isr = false;
    bool topics_with_overrides = false;
};

// Fills `opts`. Returns -1 to go on, or the exit status to end with: 0 after --help, 1 after a
// usage error (the message, then the usage, on stderr as Kafka's printUsageAndDie).
int parse_topics_options(const tools::Args& args, TopicsOptions& opts);

// "1:2,2:3" -> {0: [1, 2], 1: [2, 3]} (TopicCommand.parseReplicaAssignment). Throws
// UsageError for duplicates, differing replication factors or non-numbers.
std::map<int32_t, std::vector<int32_t>> parse_replica_assignment(const std::string& text);

// "k=v" (spaces around '=' dropped). Throws UsageError unless exactly one '='.
std::pair<std::string, std::string> parse_topic_config(const std::string& text);

}  // namespace samsa::admin
