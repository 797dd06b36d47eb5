#include "broker/group/member_metadata.h"

namespace samsa::group {

MemberMetadata::MemberMetadata(std::string member_id_,
                               std::optional<std::string> group_instance_id_,
                               std::string client_id_, std::string client_host_,
                               int32_t rebalance_timeout_ms_, int32_t session_timeout_ms_,
                               std::string protocol_type_, std::vector<ProtocolEntry> protocols)
    : member_id(std::move(member_id_)),
      group_instance_id(std::move(group_instance_id_)),
      client_id(std::move(client_id_)),
      client_host(std::move(client_host_)),
      rebalance_timeout_ms(rebalance_timeout_ms_),
      session_timeout_ms(session_timeout_ms_),
      protocol_type(std::move(protocol_type_)),
      supported_protocols(std::move(protocols)) {}

Bytes MemberMetadata::metadata(const std::string& protocol) const {
    for (const auto& p : supported_protocols) {
        if (p.name == protocol) {
            return p.metadata;
        }
    }
    return {};
}

std::set<std::string> MemberMetadata::protocol_names() const {
    std::set<std::string> names;
    for (const auto& p : supported_protocols) {
        names.insert(p.name);
    }
    return names;
}

bool MemberMetadata::matches(const std::vector<ProtocolEntry>& protocols) const {
    return protocols == supported_protocols;
}

std::string MemberMetadata::vote(const std::set<std::string>& candidates) const {
    for (const auto& p : supported_protocols) {
        if (candidates.contains(p.name)) {
            return p.name;
        }
    }
    return {};
}

bool MemberMetadata::should_keep_alive(int64_t deadline_ms) const {
    if (is_awaiting_join()) {
        return !is_new || latest_heartbeat_ms + kNewMemberJoinTimeoutMs > deadline_ms;
    }
    return is_awaiting_sync() || latest_heartbeat_ms + session_timeout_ms > deadline_ms;
}

void MemberMetadata::complete_join(JoinGroupResult result) {
    if (awaiting_join) {
        auto callback = std::move(awaiting_join);
        awaiting_join = nullptr;
        callback(std::move(result));
    }
}

void MemberMetadata::complete_sync(SyncGroupResult result) {
    if (awaiting_sync) {
        auto callback = std::move(awaiting_sync);
        awaiting_sync = nullptr;
        callback(std::move(result));
    }
}

}  // namespace samsa::group
