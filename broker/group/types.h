#pragma once
// Values shared by the group coordinator's parts: committed offsets, the results handed to the
// request handlers, and the coordinator's settings (Kafka's GroupConfig / OffsetConfig).

#include "broker/protocol/error_code.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace samsa::group {

using Bytes = std::vector<uint8_t>;
using protocol::ErrorCode;

inline const std::string kOffsetsTopic = "__consumer_offsets";

// A committed offset (Kafka's OffsetAndMetadata).
struct OffsetAndMetadata {
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    std::string metadata;
    int64_t commit_timestamp_ms = -1;
    // Only OffsetCommit v1 and value version 1 carry one; nullopt = offsets.retention.minutes.
    std::optional<int64_t> expire_timestamp_ms;

    bool operator==(const OffsetAndMetadata&) const = default;
};

struct GroupConfig {
    int32_t min_session_timeout_ms = 6000;
    int32_t max_session_timeout_ms = 1800000;
    int32_t initial_rebalance_delay_ms = 3000;
    int32_t max_size = INT32_MAX;
    int32_t offset_metadata_max_bytes = 4096;
    int32_t offsets_topic_num_partitions = 50;
    int64_t offsets_retention_ms = 7LL * 24 * 60 * 60 * 1000;
    int64_t offsets_retention_check_interval_ms = 600000;
    int32_t offsets_commit_timeout_ms = 5000;
    int16_t offsets_commit_required_acks = -1;
    int32_t offsets_load_buffer_size = 5242880;
};

// One member in a JoinGroup response (the leader gets them all).
struct JoinMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    Bytes metadata;
};

struct JoinGroupResult {
    ErrorCode error = ErrorCode::none;
    std::string member_id;
    int32_t generation_id = -1;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::string leader_id;
    std::vector<JoinMember> members;
};

struct SyncGroupResult {
    ErrorCode error = ErrorCode::none;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    Bytes assignment;
};

// Called exactly once, on any thread, possibly while the coordinator holds a group's lock:
// an implementation must only hand the result over (post it), never call the coordinator back.
using JoinCallback = std::function<void(JoinGroupResult)>;
using SyncCallback = std::function<void(SyncGroupResult)>;

}  // namespace samsa::group
