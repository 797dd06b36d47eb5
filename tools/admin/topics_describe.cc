#include "tools/admin/topics_describe.h"

#include <algorithm>

namespace samsa::admin {

namespace {

bool in_progress(const PartitionInfo& p, const PartitionReassignment& r) {
    // A reassignment may finish between ListPartitionReassignments and Metadata: it is still
    // in progress only while the partition's replicas include one being added or removed.
    for (int32_t id : p.replicas) {
        if (std::find(r.adding.begin(), r.adding.end(), id) != r.adding.end() ||
            std::find(r.removing.begin(), r.removing.end(), id) != r.removing.end()) {
            return true;
        }
    }
    return false;
}

const PartitionReassignment* find(const std::map<int32_t, PartitionReassignment>& all,
                                  int32_t partition) {
    const auto it = all.find(partition);
    return it == all.end() ? nullptr : &it->second;
}

}  // namespace

int replication_factor(const PartitionInfo& p, const PartitionReassignment* reassignment) {
    if (reassignment != nullptr && in_progress(p, *reassignment)) {
        int n = 0;
        for (int32_t id : reassignment->replicas) {
            const auto& a = reassignment->adding;
            n += std::find(a.begin(), a.end(), id) == a.end() ? 1 : 0;
        }
        return n;
    }
    return static_cast<int>(p.replicas.size());
}

std::string topic_line(const std::string& topic, int partition_count, int rf,
                       const TopicOverrides& overrides) {
    std::string out = "Topic: " + topic + "\tPartitionCount: " + std::to_string(partition_count) +
                      "\tReplicationFactor: " + std::to_string(rf);
    if (overrides) {
        out += "\tConfigs: ";
        for (std::size_t i = 0; i < overrides->size(); ++i) {
            out += (i == 0 ? "" : ",") + (*overrides)[i].first + "=" + (*overrides)[i].second;
        }
    }
    return out;
}

std::string partition_line(const std::string& topic, const PartitionInfo& p,
                           const PartitionReassignment* reassignment) {
    std::string out = "\tTopic: " + topic + "\tPartition: " + std::to_string(p.partition) +
                      "\tLeader: " + (p.leader >= 0 ? std::to_string(p.leader) : "none") +
                      "\tReplicas: " + join_ids(p.replicas) + "\tIsr: " + join_ids(p.isr);
    if (reassignment != nullptr) {
        out += "\tAdding Replicas: " + join_ids(reassignment->adding) +
               "\tRemoving Replicas: " + join_ids(reassignment->removing);
    }
    return out;
}

bool DescribeFilter::prints_partition(const PartitionInfo& p,
                                      const PartitionReassignment* reassignment,
                                      const std::set<int32_t>& live_brokers,
                                      std::optional<int> min_isr) const {
    const bool has_leader = p.leader >= 0;
    const int isr = static_cast<int>(p.isr.size());
    if (prints_topic_lines()) {
        return true;
    }
    if (under_replicated && replication_factor(p, reassignment) - isr > 0) {
        return true;
    }
    if (unavailable && (!has_leader || !live_brokers.contains(p.leader))) {
        return true;
    }
    if (under_min_isr && (!has_leader || (min_isr && isr < *min_isr))) {
        return true;
    }
    return at_min_isr && min_isr && isr == *min_isr;
}

std::string describe_topic(const TopicInfo& topic, const TopicOverrides& overrides,
                           const std::map<int32_t, PartitionReassignment>& reassignments,
                           const std::set<int32_t>& live_brokers, std::optional<int> min_isr,
                           const DescribeFilter& filter) {
    std::string out;
    if (filter.prints_topic_lines() && !topic.partitions.empty()) {
        const bool has_overrides = overrides && !overrides->empty();
        if (!filter.topics_with_overrides || has_overrides) {
            const auto& first = topic.partitions.front();
            out += topic_line(topic.name, static_cast<int>(topic.partitions.size()),
                              replication_factor(first, find(reassignments, first.partition)),
                              overrides) +
                   "\n";
        }
    }
    if (filter.prints_partitions()) {
        for (const auto& p : topic.partitions) {
            const auto* r = find(reassignments, p.partition);
            if (filter.prints_partition(p, r, live_brokers, min_isr)) {
                out += partition_line(topic.name, p, r) + "\n";
            }
        }
    }
    return out;
}

}  // namespace samsa::admin
