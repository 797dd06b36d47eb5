#pragma once
// MemberMetadata: one member of a group (Kafka's MemberMetadata) — who it is, the protocols it
// supports with their opaque metadata, its assignment, its timeouts and the requests of it that
// are waiting (a JoinGroup until the rebalance completes, a SyncGroup until the leader's
// assignment is stored). Guarded by its group's lock.

#include "broker/group/types.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace samsa::group {

// How long a new member that joined (and is waiting in a rebalance) may go without a
// heartbeat before it is dropped (Kafka's NewMemberJoinTimeoutMs).
constexpr int64_t kNewMemberJoinTimeoutMs = 5 * 60 * 1000;

struct ProtocolEntry {
    std::string name;
    Bytes metadata;
    bool operator==(const ProtocolEntry&) const = default;
};

class MemberMetadata {
  public:
    MemberMetadata(std::string member_id, std::optional<std::string> group_instance_id,
                   std::string client_id, std::string client_host, int32_t rebalance_timeout_ms,
                   int32_t session_timeout_ms, std::string protocol_type,
                   std::vector<ProtocolEntry> protocols);

    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms;
    int32_t session_timeout_ms;
    std::string protocol_type;
    std::vector<ProtocolEntry> supported_protocols;
    Bytes assignment;

    JoinCallback awaiting_join;
    SyncCallback awaiting_sync;
    // A member that joined but has not yet been in a completed generation.
    bool is_new = false;
    int64_t latest_heartbeat_ms = 0;
    // The pending session-expiry timer; a timer firing with another token is stale.
    uint64_t heartbeat_token = 0;
    uint64_t heartbeat_timer = 0;

    bool is_static() const { return group_instance_id.has_value(); }
    bool is_awaiting_join() const { return static_cast<bool>(awaiting_join); }
    bool is_awaiting_sync() const { return static_cast<bool>(awaiting_sync); }

    // This member's metadata for `protocol`; empty when it does not support it.
    Bytes metadata(const std::string& protocol) const;
    std::set<std::string> protocol_names() const;
    // Same protocols, in the same order, with the same metadata: a rejoin that changes nothing.
    bool matches(const std::vector<ProtocolEntry>& protocols) const;
    // The first of this member's protocols (in its order of preference) among `candidates`.
    std::string vote(const std::set<std::string>& candidates) const;
    // Whether the member is still alive at `deadline_ms` (Kafka's shouldKeepAlive): a member
    // waiting in a rebalance is kept unless it is new and has waited too long; one waiting for
    // its assignment is kept; the others need a heartbeat within their session timeout.
    bool should_keep_alive(int64_t deadline_ms) const;

    // Hands `result` to the waiting JoinGroup, if any, and forgets it.
    void complete_join(JoinGroupResult result);
    void complete_sync(SyncGroupResult result);
};

}  // namespace samsa::group
