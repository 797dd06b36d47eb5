#include "broker/console/console_collector.h"

#include "broker/protocol/generated/describe_log_dirs_request.h"
#include "broker/protocol/generated/describe_log_dirs_response.h"
#include "broker/protocol/generated/list_groups_request.h"
#include "broker/protocol/generated/list_groups_response.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/metadata_response.h"
#include "tools/admin/group_admin.h"

#include <algorithm>
#include <set>

namespace samsa::console {

namespace {

constexpr int16_t kMetadataVersion = 5;         // racks, cluster id, offline replicas
constexpr int16_t kDescribeLogDirsVersion = 1;  // as kafka-log-dirs.sh
constexpr int16_t kListOffsetsVersion = 1;
constexpr int16_t kListGroupsVersion = 4;  // with each group's state

using Partitions = std::map<std::pair<std::string, int32_t>, PartitionView*>;

std::string where(const BrokerView& b) {
    return "broker " + std::to_string(b.id) + " at " + b.host + ":" + std::to_string(b.port);
}

void fill_metadata(const protocol::MetadataResponseData& md, const LocalKnowledge& local,
                   ClusterView& view) {
    view.cluster_id = md.cluster_id.value_or("");
    view.controller_id = md.controller_id;
    for (const auto& b : md.brokers) {
        BrokerView bv{b.node_id, b.host, b.port, b.rack, {}, std::nullopt};
        if (auto e = local.endpoints.find(b.node_id); e != local.endpoints.end()) {
            bv.endpoints = e->second;
        }
        // Up since it registered (a broker back from a lost session counts from its return);
        // the console's own broker knows its start if ZooKeeper could not be read.
        if (auto r = local.registered_since.find(b.node_id); r != local.registered_since.end()) {
            bv.up_since_ms = r->second;
        } else if (b.node_id == local.broker_id) {
            bv.up_since_ms = local.up_since_ms;
        }
        view.brokers.push_back(std::move(bv));
    }
    std::sort(view.brokers.begin(), view.brokers.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const auto& t : md.topics) {
        TopicView tv{t.name, t.is_internal, t.error_code, {}};
        for (const auto& p : t.partitions) {
            tv.partitions.push_back(PartitionView{p.partition_index, p.leader_id, p.replica_nodes,
                                                  p.isr_nodes, p.offline_replicas, std::nullopt,
                                                  std::nullopt});
        }
        std::sort(tv.partitions.begin(), tv.partitions.end(),
                  [](const auto& a, const auto& b) { return a.partition < b.partition; });
        view.topics.push_back(std::move(tv));
    }
    std::sort(view.topics.begin(), view.topics.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
}

Partitions index(ClusterView& view) {
    Partitions out;
    for (auto& t : view.topics) {
        for (auto& p : t.partitions) {
            out[{t.name, p.partition}] = &p;
        }
    }
    return out;
}

// Sizes: the leader's replica, as the partition's size (a follower's may lag behind).
void fill_sizes(admin::AdminClient& client, ClusterView& view, const Partitions& partitions) {
    for (const auto& b : view.brokers) {
        protocol::DescribeLogDirsRequestData request;
        request.topics = std::nullopt;  // every partition
        auto response = client.send_to_node<protocol::DescribeLogDirsResponseData>(
            b.id, b.host, b.port, request, kDescribeLogDirsVersion);
        if (!response) {
            view.warnings.push_back("DescribeLogDirs: " + where(b) + ": " +
                                    response.error().message());
            continue;
        }
        for (const auto& dir : response.value().results) {
            for (const auto& t : dir.topics) {
                for (const auto& p : t.partitions) {
                    const auto it = partitions.find({t.name, p.partition_index});
                    if (it != partitions.end() && !p.is_future_key &&
                        (it->second->leader == b.id || !it->second->size_bytes)) {
                        it->second->size_bytes = p.partition_size;
                    }
                }
            }
        }
    }
}

// End offsets: ListOffsets(latest) at each leader, one request per leader.
void fill_end_offsets(admin::AdminClient& client, ClusterView& view, const Partitions& partitions) {
    std::map<int32_t, protocol::ListOffsetsRequestData> by_leader;
    for (const auto& [tp, p] : partitions) {
        if (p->leader < 0) {
            continue;
        }
        auto& request = by_leader[p->leader];
        request.replica_id = -1;
        if (request.topics.empty() || request.topics.back().name != tp.first) {
            request.topics.emplace_back();
            request.topics.back().name = tp.first;
        }
        protocol::ListOffsetsRequestData::ListOffsetsPartition lp;
        lp.partition_index = tp.second;
        lp.timestamp = -1;  // latest: the high watermark
        request.topics.back().partitions.push_back(lp);
    }
    for (const auto& b : view.brokers) {
        const auto request = by_leader.find(b.id);
        if (request == by_leader.end()) {
            continue;
        }
        auto response = client.send_to_node<protocol::ListOffsetsResponseData>(
            b.id, b.host, b.port, request->second, kListOffsetsVersion);
        if (!response) {
            view.warnings.push_back("ListOffsets: " + where(b) + ": " + response.error().message());
            continue;
        }
        for (const auto& t : response.value().topics) {
            for (const auto& p : t.partitions) {
                const auto it = partitions.find({t.name, p.partition_index});
                if (it != partitions.end() && p.error_code == 0 && p.offset >= 0) {
                    it->second->end_offset = p.offset;
                }
            }
        }
    }
}

std::map<std::string, std::string> list_groups(admin::AdminClient& client, ClusterView& view) {
    std::map<std::string, std::string> groups;  // id -> state
    for (const auto& b : view.brokers) {
        protocol::ListGroupsRequestData request;
        auto response = client.send_to_node<protocol::ListGroupsResponseData>(
            b.id, b.host, b.port, request, kListGroupsVersion);
        if (!response) {
            view.warnings.push_back("ListGroups: " + where(b) + ": " + response.error().message());
            continue;
        }
        for (const auto& g : response.value().groups) {
            if (g.protocol_type == "consumer" || g.protocol_type.empty()) {
                groups[g.group_id] = g.group_state;
            }
        }
    }
    return groups;
}

GroupView describe_group(admin::GroupAdmin& groups, const std::string& id,
                         const std::string& listed_state, const Partitions& partitions) {
    GroupView gv;
    gv.group_id = id;
    gv.state = listed_state;
    try {
        const auto d = groups.describe_group(id);
        if (d.error_code != 0) {
            gv.error = admin::error_message(d.error_code, std::nullopt);
            return gv;
        }
        gv.state = d.state;
        gv.protocol = d.assignment_strategy;
        gv.coordinator = d.coordinator.id;
        for (const auto& m : d.members) {
            gv.members.push_back(GroupMemberView{m.member_id, m.client_id, m.host, m.assignment});
        }
        for (const auto& [tp, committed] : groups.committed_offsets(id)) {
            GroupOffsetView o{tp.first, tp.second, committed, std::nullopt};
            if (const auto p = partitions.find(tp); p != partitions.end()) {
                o.end_offset = p->second->end_offset;
            }
            gv.offsets.push_back(std::move(o));
        }
    } catch (const admin::ToolError& e) {
        gv.error = e.message;
    }
    return gv;
}

}  // namespace

result<ClusterView> collect_cluster(admin::AdminClient& client, const LocalKnowledge& local,
                                    int64_t now_ms) {
    protocol::MetadataRequestData request;
    request.topics = std::nullopt;  // every topic
    request.allow_auto_topic_creation = false;
    SAMSA_TRY(auto md, client.send<protocol::MetadataResponseData>(request, kMetadataVersion));

    ClusterView view;
    view.served_by = local.broker_id;
    view.generated_at_ms = now_ms;
    fill_metadata(md, local, view);
    const Partitions partitions = index(view);
    fill_sizes(client, view, partitions);
    fill_end_offsets(client, view, partitions);

    admin::GroupAdmin groups(client);
    for (const auto& [id, state] : list_groups(client, view)) {
        view.groups.push_back(describe_group(groups, id, state, partitions));
    }
    return view;
}

}  // namespace samsa::console
