#include "broker/console/console_json.h"

#include <boost/json.hpp>

#include <algorithm>

namespace samsa::console {

namespace json = boost::json;

std::string partition_status(const PartitionView& p) {
    if (p.leader < 0) {
        return "offline";
    }
    if (p.isr.size() < p.replicas.size()) {
        return "under-replicated";
    }
    return "ok";
}

namespace {

json::array ids(const std::vector<int32_t>& v) {
    json::array out;
    for (int32_t id : v) {
        out.emplace_back(id);
    }
    return out;
}

template <typename T>
json::value optional(const std::optional<T>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::object cluster_object(const ClusterView& view) {
    json::array brokers;
    for (const auto& b : view.brokers) {
        json::array endpoints;
        for (const auto& e : b.endpoints) {
            endpoints.emplace_back(e);
        }
        brokers.emplace_back(json::object{{"id", b.id},
                                          {"host", b.host},
                                          {"port", b.port},
                                          {"rack", optional(b.rack)},
                                          {"endpoints", std::move(endpoints)},
                                          {"controller", b.id == view.controller_id},
                                          {"upSince", optional(b.up_since_ms)}});
    }
    json::array warnings;
    for (const auto& w : view.warnings) {
        warnings.emplace_back(w);
    }
    return json::object{{"clusterId", view.cluster_id},  {"controller", view.controller_id},
                        {"servedBy", view.served_by},    {"generatedAt", view.generated_at_ms},
                        {"brokers", std::move(brokers)}, {"warnings", std::move(warnings)}};
}

json::object partition_object(const PartitionView& p) {
    return json::object{{"partition", p.partition},
                        {"leader", p.leader},
                        {"replicas", ids(p.replicas)},
                        {"isr", ids(p.isr)},
                        {"offlineReplicas", ids(p.offline_replicas)},
                        {"status", partition_status(p)},
                        {"size", optional(p.size_bytes)},
                        {"endOffset", optional(p.end_offset)}};
}

json::array topics_array(const ClusterView& view) {
    json::array topics;
    for (const auto& t : view.topics) {
        json::array partitions;
        int under = 0;
        int offline = 0;
        int64_t size = 0;
        for (const auto& p : t.partitions) {
            const std::string status = partition_status(p);
            under += status == "under-replicated" ? 1 : 0;
            offline += status == "offline" ? 1 : 0;
            size += p.size_bytes.value_or(0);
            partitions.emplace_back(partition_object(p));
        }
        topics.emplace_back(json::object{{"name", t.name},
                                         {"internal", t.internal},
                                         {"error", t.error_code},
                                         {"partitions", std::move(partitions)},
                                         {"underReplicated", under},
                                         {"offline", offline},
                                         {"size", size}});
    }
    return topics;
}

json::object group_object(const GroupView& g) {
    json::array members;
    for (const auto& m : g.members) {
        json::array assignment;
        for (const auto& [topic, partition] : m.assignment) {
            assignment.emplace_back(topic + "-" + std::to_string(partition));
        }
        members.emplace_back(json::object{{"memberId", m.member_id},
                                          {"clientId", m.client_id},
                                          {"host", m.host},
                                          {"assignment", std::move(assignment)}});
    }
    json::array offsets;
    int64_t total = 0;
    for (const auto& o : g.offsets) {
        // Kafka's ConsumerGroupCommand: lag = log end - committed, unknown without an end.
        std::optional<int64_t> lag;
        if (o.end_offset) {
            lag = std::max<int64_t>(0, *o.end_offset - o.committed);
            total += *lag;
        }
        offsets.emplace_back(json::object{{"topic", o.topic},
                                          {"partition", o.partition},
                                          {"committed", o.committed},
                                          {"endOffset", optional(o.end_offset)},
                                          {"lag", optional(lag)}});
    }
    return json::object{{"group", g.group_id},
                        {"state", g.state},
                        {"protocol", g.protocol},
                        {"coordinator", optional(g.coordinator)},
                        {"members", std::move(members)},
                        {"offsets", std::move(offsets)},
                        {"totalLag", total},
                        {"error", optional(g.error)}};
}

json::array groups_array(const ClusterView& view) {
    json::array groups;
    for (const auto& g : view.groups) {
        groups.emplace_back(group_object(g));
    }
    return groups;
}

}  // namespace

std::string cluster_json(const ClusterView& view) {
    return json::serialize(cluster_object(view));
}

std::string topics_json(const ClusterView& view) {
    return json::serialize(json::object{{"topics", topics_array(view)}});
}

std::string groups_json(const ClusterView& view) {
    return json::serialize(json::object{{"groups", groups_array(view)}});
}

std::string state_json(const ClusterView& view) {
    return json::serialize(json::object{{"cluster", cluster_object(view)},
                                        {"topics", topics_array(view)},
                                        {"groups", groups_array(view)}});
}

}  // namespace samsa::console
