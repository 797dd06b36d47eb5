#include "tools/admin/client_group_member.h"

#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/find_coordinator_request.h"
#include "broker/protocol/generated/find_coordinator_response.h"
#include "broker/protocol/generated/heartbeat_request.h"
#include "broker/protocol/generated/heartbeat_response.h"
#include "broker/protocol/generated/join_group_request.h"
#include "broker/protocol/generated/join_group_response.h"
#include "broker/protocol/generated/leave_group_request.h"
#include "broker/protocol/generated/leave_group_response.h"
#include "broker/protocol/generated/offset_commit_request.h"
#include "broker/protocol/generated/offset_commit_response.h"
#include "broker/protocol/generated/offset_fetch_request.h"
#include "broker/protocol/generated/offset_fetch_response.h"
#include "broker/protocol/generated/sync_group_request.h"
#include "broker/protocol/generated/sync_group_response.h"
#include "broker/protocol/wire.h"
#include "tools/admin/group_admin.h"

#include <algorithm>
#include <set>
#include <thread>

namespace samsa::client {

using protocol::ErrorCode;

namespace {

constexpr int16_t kFindCoordinatorVersion = 1;
constexpr int16_t kJoinGroupVersion = 5;
constexpr int16_t kSyncGroupVersion = 3;
constexpr int16_t kHeartbeatVersion = 3;
constexpr int16_t kLeaveGroupVersion = 3;
constexpr int16_t kOffsetFetchVersion = 5;
constexpr int16_t kOffsetCommitVersion = 7;
constexpr const char* kRange = "range";

bool coordinator_moved(int16_t code) {
    const auto e = static_cast<ErrorCode>(code);
    return e == ErrorCode::not_coordinator || e == ErrorCode::coordinator_not_available ||
           e == ErrorCode::coordinator_load_in_progress;
}

}  // namespace

std::vector<uint8_t> encode_subscription(const std::vector<std::string>& topics) {
    protocol::Writer w;
    w.write_int16(0);
    w.write_int32(static_cast<int32_t>(topics.size()));
    for (const auto& t : topics) {
        w.write_string(t);
    }
    w.write_int32(-1);  // no user data
    return {w.buffer().begin(), w.buffer().end()};
}

std::vector<std::string> decode_subscription(const std::vector<uint8_t>& bytes) {
    std::vector<std::string> out;
    try {
        protocol::Reader r(bytes);
        r.read_int16();
        const int32_t n = r.read_int32();
        for (int32_t i = 0; i < n; ++i) {
            out.push_back(r.read_string());
        }
    } catch (const protocol::DecodeError&) {
        return {};
    }
    return out;
}

std::vector<uint8_t> encode_assignment(const std::vector<TopicPartition>& partitions) {
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& [t, p] : partitions) {
        by_topic[t].push_back(p);
    }
    protocol::Writer w;
    w.write_int16(0);
    w.write_int32(static_cast<int32_t>(by_topic.size()));
    for (const auto& [t, ps] : by_topic) {
        w.write_string(t);
        w.write_int32(static_cast<int32_t>(ps.size()));
        for (int32_t p : ps) {
            w.write_int32(p);
        }
    }
    w.write_int32(-1);  // no user data
    return {w.buffer().begin(), w.buffer().end()};
}

std::map<std::string, std::vector<TopicPartition>> range_assign(
    const std::map<std::string, std::vector<std::string>>& subscriptions,
    const std::map<std::string, int32_t>& partitions_per_topic) {
    std::map<std::string, std::vector<TopicPartition>> out;
    std::map<std::string, std::vector<std::string>> members_of;  // members sorted by id
    for (const auto& [member, topics] : subscriptions) {
        out[member];
        for (const auto& t : topics) {
            members_of[t].push_back(member);
        }
    }
    for (auto& [topic, members] : members_of) {
        const auto count = partitions_per_topic.find(topic);
        if (count == partitions_per_topic.end()) {
            continue;
        }
        std::sort(members.begin(), members.end());
        members.erase(std::unique(members.begin(), members.end()), members.end());
        const auto n = static_cast<int32_t>(members.size());
        const int32_t per = count->second / n;
        const int32_t extra = count->second % n;
        for (int32_t i = 0; i < n; ++i) {
            const int32_t start = per * i + std::min(i, extra);
            const int32_t length = per + (i + 1 > extra ? 0 : 1);
            for (int32_t p = start; p < start + length; ++p) {
                out[members[i]].emplace_back(topic, p);
            }
        }
    }
    return out;
}

GroupMember::GroupMember(admin::AdminClient& client, GroupConfig config)
    : client_(client), config_(std::move(config)) {}

admin::BrokerNode GroupMember::coordinator() {
    for (int attempt = 0;; ++attempt) {
        if (coordinator_) {
            return *coordinator_;
        }
        protocol::FindCoordinatorRequestData request;
        request.key = config_.group_id;
        request.key_type = 0;
        auto response = admin::expect(
            client_.send<protocol::FindCoordinatorResponseData>(request, kFindCoordinatorVersion),
            client_);
        if (response.error_code == 0) {
            coordinator_ = admin::BrokerNode{response.node_id, response.host, response.port};
        } else if (!coordinator_moved(response.error_code) || attempt > 100) {
            throw admin::ToolError{
                admin::error_message(response.error_code, response.error_message)};
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(config_.retry_backoff_ms));
        }
    }
}

std::vector<TopicPartition> GroupMember::join(
    const std::vector<std::string>& topics, const std::map<std::string, int32_t>& partition_count) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto node = coordinator();
        protocol::JoinGroupRequestData join;
        join.group_id = config_.group_id;
        join.session_timeout_ms = config_.session_timeout_ms;
        join.rebalance_timeout_ms = config_.rebalance_timeout_ms;
        join.member_id = member_id_;
        join.protocol_type = "consumer";
        protocol::JoinGroupRequestData::JoinGroupRequestProtocol range;
        range.name = kRange;
        range.metadata = encode_subscription(topics);
        join.protocols.push_back(std::move(range));
        auto joined = admin::expect(client_.send_to_node<protocol::JoinGroupResponseData>(
                                        node.id, node.host, node.port, join, kJoinGroupVersion),
                                    client_);
        const auto error = static_cast<ErrorCode>(joined.error_code);
        if (error == ErrorCode::member_id_required) {
            member_id_ = joined.member_id;  // KIP-394: join again with it
            continue;
        }
        if (error == ErrorCode::unknown_member_id || error == ErrorCode::illegal_generation) {
            member_id_.clear();
            continue;
        }
        if (coordinator_moved(joined.error_code)) {
            reset_coordinator();
            std::this_thread::sleep_for(std::chrono::milliseconds(config_.retry_backoff_ms));
            continue;
        }
        if (error == ErrorCode::rebalance_in_progress) {
            continue;
        }
        if (joined.error_code != 0) {
            throw admin::ToolError{admin::error_message(joined.error_code, std::nullopt)};
        }
        member_id_ = joined.member_id;
        generation_ = joined.generation_id;

        protocol::SyncGroupRequestData sync;
        sync.group_id = config_.group_id;
        sync.generation_id = generation_;
        sync.member_id = member_id_;
        if (joined.leader == member_id_) {
            std::map<std::string, std::vector<std::string>> subscriptions;
            for (const auto& m : joined.members) {
                subscriptions[m.member_id] = decode_subscription(m.metadata);
            }
            for (auto& [member, assigned] : range_assign(subscriptions, partition_count)) {
                protocol::SyncGroupRequestData::SyncGroupRequestAssignment a;
                a.member_id = member;
                a.assignment = encode_assignment(assigned);
                sync.assignments.push_back(std::move(a));
            }
        }
        auto synced = admin::expect(client_.send_to_node<protocol::SyncGroupResponseData>(
                                        node.id, node.host, node.port, sync, kSyncGroupVersion),
                                    client_);
        if (synced.error_code == static_cast<int16_t>(ErrorCode::rebalance_in_progress)) {
            continue;
        }
        if (synced.error_code == static_cast<int16_t>(ErrorCode::unknown_member_id) ||
            synced.error_code == static_cast<int16_t>(ErrorCode::illegal_generation)) {
            member_id_.clear();
            generation_ = -1;
            continue;
        }
        if (coordinator_moved(synced.error_code)) {
            reset_coordinator();
            continue;
        }
        if (synced.error_code != 0) {
            throw admin::ToolError{admin::error_message(synced.error_code, std::nullopt)};
        }
        last_heartbeat_ = std::chrono::steady_clock::now();
        return admin::parse_consumer_assignment(synced.assignment);
    }
    throw admin::ToolError{"could not join group " + config_.group_id};
}

bool GroupMember::heartbeat_if_due() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat_ < std::chrono::milliseconds(config_.heartbeat_interval_ms)) {
        return true;
    }
    last_heartbeat_ = now;
    const auto node = coordinator();
    protocol::HeartbeatRequestData request;
    request.group_id = config_.group_id;
    request.generation_id = generation_;
    request.member_id = member_id_;
    auto response = client_.send_to_node<protocol::HeartbeatResponseData>(
        node.id, node.host, node.port, request, kHeartbeatVersion);
    if (!response) {
        reset_coordinator();
        return true;  // tried again at the next interval
    }
    const auto code = response.value().error_code;
    if (coordinator_moved(code)) {
        reset_coordinator();
        return false;
    }
    if (code == static_cast<int16_t>(ErrorCode::unknown_member_id) ||
        code == static_cast<int16_t>(ErrorCode::illegal_generation)) {
        member_id_.clear();
        generation_ = -1;
    }
    return code == 0;
}

std::map<TopicPartition, int64_t> GroupMember::committed(
    const std::vector<TopicPartition>& partitions) {
    const auto node = coordinator();
    protocol::OffsetFetchRequestData request;
    request.group_id = config_.group_id;
    request.topics.emplace();
    for (const auto& [topic, partition] : partitions) {
        auto t = std::find_if(request.topics->begin(), request.topics->end(),
                              [&](const auto& x) { return x.name == topic; });
        if (t == request.topics->end()) {
            request.topics->emplace_back();
            t = std::prev(request.topics->end());
            t->name = topic;
        }
        t->partition_indexes.push_back(partition);
    }
    auto response = admin::expect(client_.send_to_node<protocol::OffsetFetchResponseData>(
                                      node.id, node.host, node.port, request, kOffsetFetchVersion),
                                  client_);
    std::map<TopicPartition, int64_t> out;
    for (const auto& t : response.topics) {
        for (const auto& p : t.partitions) {
            if (p.error_code == 0 && p.committed_offset >= 0) {
                out[{t.name, p.partition_index}] = p.committed_offset;
            }
        }
    }
    return out;
}

int16_t GroupMember::commit(const std::map<TopicPartition, int64_t>& offsets) {
    if (offsets.empty()) {
        return 0;
    }
    const auto node = coordinator();
    protocol::OffsetCommitRequestData request;
    request.group_id = config_.group_id;
    request.generation_id = generation_;
    request.member_id = member_id_;
    for (const auto& [tp, offset] : offsets) {
        auto t = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const auto& x) { return x.name == tp.first; });
        if (t == request.topics.end()) {
            request.topics.emplace_back();
            t = std::prev(request.topics.end());
            t->name = tp.first;
        }
        protocol::OffsetCommitRequestData::OffsetCommitRequestPartition p;
        p.partition_index = tp.second;
        p.committed_offset = offset;
        p.committed_metadata = "";
        t->partitions.push_back(std::move(p));
    }
    auto response = client_.send_to_node<protocol::OffsetCommitResponseData>(
        node.id, node.host, node.port, request, kOffsetCommitVersion);
    if (!response) {
        reset_coordinator();
        return static_cast<int16_t>(ErrorCode::network_exception);
    }
    for (const auto& t : response.value().topics) {
        for (const auto& p : t.partitions) {
            if (p.error_code != 0) {
                return p.error_code;
            }
        }
    }
    return 0;
}

void GroupMember::leave() {
    if (member_id_.empty() || !coordinator_) {
        return;
    }
    const auto node = *coordinator_;
    protocol::LeaveGroupRequestData request;
    request.group_id = config_.group_id;
    protocol::LeaveGroupRequestData::MemberIdentity me;
    me.member_id = member_id_;
    request.members.push_back(std::move(me));
    (void)client_.send_to_node<protocol::LeaveGroupResponseData>(node.id, node.host, node.port,
                                                                 request, kLeaveGroupVersion);
    member_id_.clear();
    generation_ = -1;
}

}  // namespace samsa::client
