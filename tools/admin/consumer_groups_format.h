#pragma once
// What `samsa-admin consumer-groups` prints (ConsumerGroupCommand's printOffsets,
// printMembers, printStates, printGroupStates and printOffsetsToReset), as pure functions so
// the column layout is tested without a cluster. Columns are padded like Java's "%-Ns".

#include "tools/admin/group_admin.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::admin {

// One row of --describe --offsets (PartitionAssignmentState); nullopt prints "-".
struct PartitionAssignmentRow {
    std::string group;
    std::optional<std::string> topic;
    std::optional<int32_t> partition;
    std::optional<int64_t> offset;
    std::optional<int64_t> log_end_offset;
    std::optional<std::string> consumer_id;
    std::optional<std::string> host;
    std::optional<std::string> client_id;

    // getLag: only for a committed offset (not -1) and a known log end.
    std::optional<int64_t> lag() const;
};

// Java's String.format("%-<width>s", s).
std::string pad(const std::string& s, std::size_t width);

std::string format_offsets(const std::vector<PartitionAssignmentRow>& rows);
std::string format_members(const std::string& group, const std::vector<GroupMember>& members,
                           bool verbose);
std::string format_state(const GroupDescription& group);
// --list --state: "GROUP STATE" then one line per group.
std::string format_group_states(const std::vector<ListedGroup>& groups);
// The plan --reset-offsets prints (dry run or executed).
std::string format_reset_plan(const std::map<std::string, std::map<TopicPartition, int64_t>>& plan);
// --export: "topic,partition,offset" lines (with the group first when several are reset).
std::string format_reset_csv(const std::map<std::string, std::map<TopicPartition, int64_t>>& plan,
                             bool with_group);

}  // namespace samsa::admin
