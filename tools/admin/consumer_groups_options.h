#pragma once
// The command line of `samsa-admin consumer-groups`: Kafka 2.8's kafka-consumer-groups.sh
// (ConsumerGroupCommandOptions), its checks and messages.

#include "tools/admin/command.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samsa::admin {

// The --reset-offsets scenarios (one of them is required).
enum class ResetScenario {
    none,
    to_offset,
    shift_by,
    to_datetime,
    by_duration,
    to_earliest,
    to_latest,
    to_current,
};

struct ConsumerGroupsOptions {
    std::string bootstrap_server;
    std::string command_config;
    bool list = false;
    bool describe = false;
    bool remove = false;  // --delete
    bool reset_offsets = false;
    bool delete_offsets = false;
    std::vector<std::string> groups;
    bool all_groups = false;
    std::vector<std::string> topics;  // "t" or "t:0,1,2"
    bool all_topics = false;
    bool members = false;
    bool offsets = false;
    bool state = false;
    std::optional<std::string> state_filter;  // --list --state stable,empty
    bool verbose = false;
    bool execute = false;  // --dry-run is the default
    bool export_csv = false;
    ResetScenario scenario = ResetScenario::none;
    int64_t offset_value = 0;  // --to-offset / --shift-by
    std::string time_value;    // --to-datetime / --by-duration
    int64_t timeout_ms = 5000;
};

// Fills `opts`. Returns -1 to go on, or the exit status to end with (0 after --help, 1 after a
// usage error: the message and the usage on stderr, as Kafka's printUsageAndDie).
int parse_consumer_groups_options(const tools::Args& args, ConsumerGroupsOptions& opts);

// Kafka's Utils.getDateTime: "YYYY-MM-DDTHH:mm:SS[.sss][zone]" (zone "Z", "+hh:mm" or
// "+hhmm"; none = local time) to epoch milliseconds. nullopt if malformed.
std::optional<int64_t> parse_datetime(const std::string& text);

// java.time.Duration.parse: "PnDTnHnMn.nS" (sign allowed) to milliseconds. nullopt if
// malformed.
std::optional<int64_t> parse_duration_ms(const std::string& text);

}  // namespace samsa::admin
