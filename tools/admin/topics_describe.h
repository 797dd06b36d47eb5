#pragma once
// What `samsa-admin topics --describe` prints (TopicCommand's TopicDescription,
// PartitionDescription and DescribeOptions): pure functions over the cluster's metadata, so
// the format is tested without a cluster.

#include "tools/admin/tool_support.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace samsa::admin {

// An ongoing reassignment of one partition (ListPartitionReassignments).
struct PartitionReassignment {
    std::vector<int32_t> replicas;
    std::vector<int32_t> adding;
    std::vector<int32_t> removing;
};

// The topic's configs that differ from the defaults (DescribeConfigs' non-default entries),
// when the tool could learn them; nullopt leaves the Configs column out.
using TopicOverrides = std::optional<std::vector<std::pair<std::string, std::string>>>;

// The replication factor the topic is meant to have: a partition being reassigned counts its
// target replicas, not the union it has meanwhile (TopicCommand.getReplicationFactor).
int replication_factor(const PartitionInfo& p, const PartitionReassignment* reassignment);

// "Topic: t\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: a=b,c=d" (no trailing newline).
std::string topic_line(const std::string& topic, int partition_count, int replication_factor,
                       const TopicOverrides& overrides);

// "\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3" plus the adding and
// removing replicas of an ongoing reassignment.
std::string partition_line(const std::string& topic, const PartitionInfo& p,
                           const PartitionReassignment* reassignment);

// Which partitions --describe prints, as DescribeOptions decides.
struct DescribeFilter {
    bool under_replicated = false;
    bool unavailable = false;
    bool under_min_isr = false;
    bool at_min_isr = false;
    bool topics_with_overrides = false;

    // The topic line is printed only for a plain --describe (or --topics-with-overrides).
    bool prints_topic_lines() const {
        return !under_replicated && !unavailable && !under_min_isr && !at_min_isr;
    }
    bool prints_partitions() const { return !topics_with_overrides; }
    // `min_isr`: the topic's min.insync.replicas if known.
    bool prints_partition(const PartitionInfo& p, const PartitionReassignment* reassignment,
                          const std::set<int32_t>& live_brokers, std::optional<int> min_isr) const;
};

// The whole --describe output for one topic (lines ending in '\n').
std::string describe_topic(const TopicInfo& topic, const TopicOverrides& overrides,
                           const std::map<int32_t, PartitionReassignment>& reassignments,
                           const std::set<int32_t>& live_brokers, std::optional<int> min_isr,
                           const DescribeFilter& filter);

}  // namespace samsa::admin
