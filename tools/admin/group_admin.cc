#include "tools/admin/group_admin.h"

#include "broker/protocol/generated/delete_groups_request.h"
#include "broker/protocol/generated/delete_groups_response.h"
#include "broker/protocol/generated/describe_groups_request.h"
#include "broker/protocol/generated/describe_groups_response.h"
#include "broker/protocol/generated/find_coordinator_request.h"
#include "broker/protocol/generated/find_coordinator_response.h"
#include "broker/protocol/generated/list_groups_request.h"
#include "broker/protocol/generated/list_groups_response.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/protocol/generated/offset_commit_request.h"
#include "broker/protocol/generated/offset_commit_response.h"
#include "broker/protocol/generated/offset_delete_request.h"
#include "broker/protocol/generated/offset_delete_response.h"
#include "broker/protocol/generated/offset_fetch_request.h"
#include "broker/protocol/generated/offset_fetch_response.h"
#include "broker/protocol/wire.h"

#include <algorithm>
#include <set>

namespace samsa::admin {

namespace {

constexpr int16_t kListGroupsVersion = 4;  // with each group's state
constexpr int16_t kFindCoordinatorVersion = 1;
constexpr int16_t kDescribeGroupsVersion = 4;
constexpr int16_t kOffsetFetchVersion = 5;  // null topics: every partition
constexpr int16_t kListOffsetsVersion = 1;
constexpr int16_t kOffsetCommitVersion = 2;
constexpr int16_t kDeleteGroupsVersion = 1;

// Requests are grouped per topic in the order of their first partition.
template <typename Topic>
Topic& topic_entry(std::vector<Topic>& topics, const std::string& name) {
    for (auto& t : topics) {
        if (t.name == name) {
            return t;
        }
    }
    topics.emplace_back();
    topics.back().name = name;
    return topics.back();
}

}  // namespace

std::vector<TopicPartition> parse_consumer_assignment(const std::vector<uint8_t>& bytes) {
    std::vector<TopicPartition> out;
    if (bytes.empty()) {
        return out;
    }
    try {
        protocol::Reader r(bytes);
        r.read_int16();  // version
        const int32_t topics = r.read_int32();
        for (int32_t i = 0; i < topics; ++i) {
            const std::string topic = r.read_string();
            const int32_t partitions = r.read_int32();
            for (int32_t j = 0; j < partitions; ++j) {
                out.emplace_back(topic, r.read_int32());
            }
        }
    } catch (const protocol::DecodeError&) {
        return {};
    }
    return out;
}

const ClusterMetadata& GroupAdmin::metadata() {
    if (!metadata_) {
        metadata_ = fetch_metadata(client_, std::nullopt);
    }
    return *metadata_;
}

std::vector<ListedGroup> GroupAdmin::list_groups() {
    std::map<std::string, ListedGroup> groups;
    for (const auto& b : metadata().brokers) {
        protocol::ListGroupsRequestData request;
        auto response = client_.send_to_node<protocol::ListGroupsResponseData>(
            b.id, b.host, b.port, request, kListGroupsVersion);
        if (!response) {
            throw ToolError{"cannot reach broker " + std::to_string(b.id) + " at " + b.host + ":" +
                            std::to_string(b.port) + ": " + response.error().message()};
        }
        for (const auto& g : response.value().groups) {
            if (g.protocol_type == "consumer" || g.protocol_type.empty()) {
                groups[g.group_id] = ListedGroup{g.group_id, g.group_state};
            }
        }
    }
    std::vector<ListedGroup> out;
    for (auto& [id, g] : groups) {
        out.push_back(std::move(g));
    }
    return out;
}

std::pair<int16_t, BrokerNode> GroupAdmin::coordinator(const std::string& group) {
    protocol::FindCoordinatorRequestData request;
    request.key = group;
    request.key_type = 0;
    auto response = expect(
        client_.send<protocol::FindCoordinatorResponseData>(request, kFindCoordinatorVersion),
        client_);
    return {response.error_code, BrokerNode{response.node_id, response.host, response.port}};
}

GroupDescription GroupAdmin::describe_group(const std::string& group) {
    GroupDescription out;
    out.group_id = group;
    auto [error, node] = coordinator(group);
    if (error != 0) {
        out.error_code = error;
        return out;
    }
    out.coordinator = node;
    protocol::DescribeGroupsRequestData request;
    request.groups = {group};
    auto response = expect(client_.send_to_node<protocol::DescribeGroupsResponseData>(
                               node.id, node.host, node.port, request, kDescribeGroupsVersion),
                           client_);
    if (response.groups.empty()) {
        out.error_code = -1;
        return out;
    }
    const auto& g = response.groups.front();
    out.error_code = g.error_code;
    out.state = g.group_state;
    out.protocol_type = g.protocol_type;
    out.assignment_strategy = g.protocol_data;
    for (const auto& m : g.members) {
        out.members.push_back(GroupMember{m.member_id, m.group_instance_id, m.client_id,
                                          m.client_host,
                                          parse_consumer_assignment(m.member_assignment)});
    }
    return out;
}

std::map<TopicPartition, int64_t> GroupAdmin::committed_offsets(const std::string& group) {
    auto [error, node] = coordinator(group);
    if (error != 0) {
        throw ToolError{error_message(error, std::nullopt)};
    }
    protocol::OffsetFetchRequestData request;
    request.group_id = group;
    request.topics = std::nullopt;
    auto response = expect(client_.send_to_node<protocol::OffsetFetchResponseData>(
                               node.id, node.host, node.port, request, kOffsetFetchVersion),
                           client_);
    if (response.error_code != 0) {
        throw ToolError{error_message(response.error_code, std::nullopt)};
    }
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

std::map<TopicPartition, int64_t> GroupAdmin::list_offsets(
    const std::vector<TopicPartition>& partitions, int64_t timestamp) {
    // One request per leader, as the admin client fans out.
    std::map<int32_t, protocol::ListOffsetsRequestData> by_leader;
    const auto& md = metadata();
    for (const auto& [topic, partition] : partitions) {
        const auto t = md.topics.find(topic);
        if (t == md.topics.end()) {
            continue;
        }
        for (const auto& p : t->second.partitions) {
            if (p.partition == partition && p.leader >= 0) {
                auto& request = by_leader[p.leader];
                request.replica_id = -1;
                auto& entry = topic_entry(request.topics, topic);
                protocol::ListOffsetsRequestData::ListOffsetsPartition lp;
                lp.partition_index = partition;
                lp.timestamp = timestamp;
                entry.partitions.push_back(lp);
            }
        }
    }
    std::map<TopicPartition, int64_t> out;
    for (const auto& [leader, request] : by_leader) {
        const auto b = std::find_if(md.brokers.begin(), md.brokers.end(),
                                    [&](const BrokerNode& n) { return n.id == leader; });
        if (b == md.brokers.end()) {
            continue;
        }
        auto response = expect(client_.send_to_node<protocol::ListOffsetsResponseData>(
                                   b->id, b->host, b->port, request, kListOffsetsVersion),
                               client_);
        for (const auto& t : response.topics) {
            for (const auto& p : t.partitions) {
                if (p.error_code == 0 && p.offset >= 0) {
                    out[{t.name, p.partition_index}] = p.offset;
                }
            }
        }
    }
    return out;
}

std::map<TopicPartition, int16_t> GroupAdmin::commit_offsets(
    const std::string& group, const std::map<TopicPartition, int64_t>& offsets) {
    auto [error, node] = coordinator(group);
    if (error != 0) {
        throw ToolError{error_message(error, std::nullopt)};
    }
    protocol::OffsetCommitRequestData request;
    request.group_id = group;
    request.generation_id = -1;
    request.member_id = "";
    for (const auto& [tp, offset] : offsets) {
        auto& entry = topic_entry(request.topics, tp.first);
        protocol::OffsetCommitRequestData::OffsetCommitRequestPartition p;
        p.partition_index = tp.second;
        p.committed_offset = offset;
        p.committed_metadata = "";
        entry.partitions.push_back(std::move(p));
    }
    auto response = expect(client_.send_to_node<protocol::OffsetCommitResponseData>(
                               node.id, node.host, node.port, request, kOffsetCommitVersion),
                           client_);
    std::map<TopicPartition, int16_t> out;
    for (const auto& t : response.topics) {
        for (const auto& p : t.partitions) {
            out[{t.name, p.partition_index}] = p.error_code;
        }
    }
    return out;
}

int16_t GroupAdmin::delete_group(const std::string& group) {
    auto [error, node] = coordinator(group);
    if (error != 0) {
        return error;
    }
    protocol::DeleteGroupsRequestData request;
    request.groups_names = {group};
    auto response = expect(client_.send_to_node<protocol::DeleteGroupsResponseData>(
                               node.id, node.host, node.port, request, kDeleteGroupsVersion),
                           client_);
    for (const auto& r : response.results) {
        if (r.group_id == group) {
            return r.error_code;
        }
    }
    return -1;
}

std::pair<int16_t, std::map<TopicPartition, int16_t>> GroupAdmin::delete_offsets(
    const std::string& group, const std::vector<TopicPartition>& partitions) {
    auto [error, node] = coordinator(group);
    if (error != 0) {
        return {error, {}};
    }
    protocol::OffsetDeleteRequestData request;
    request.group_id = group;
    for (const auto& [topic, partition] : partitions) {
        auto& entry = topic_entry(request.topics, topic);
        protocol::OffsetDeleteRequestData::OffsetDeleteRequestPartition p;
        p.partition_index = partition;
        entry.partitions.push_back(p);
    }
    auto response = expect(client_.send_to_node<protocol::OffsetDeleteResponseData>(
                               node.id, node.host, node.port, request, 0),
                           client_);
    std::map<TopicPartition, int16_t> out;
    for (const auto& t : response.topics) {
        for (const auto& p : t.partitions) {
            out[{t.name, p.partition_index}] = p.error_code;
        }
    }
    return {response.error_code, out};
}

std::vector<int32_t> GroupAdmin::partitions_of(const std::string& topic) {
    std::vector<int32_t> out;
    const auto& md = metadata();
    const auto t = md.topics.find(topic);
    if (t != md.topics.end()) {
        for (const auto& p : t->second.partitions) {
            out.push_back(p.partition);
        }
    }
    return out;
}

}  // namespace samsa::admin
