#include "tools/admin/consumer_groups_format.h"

#include <algorithm>

namespace samsa::admin {

namespace {

constexpr const char* kMissing = "-";  // MISSING_COLUMN_VALUE

template <typename T>
std::string or_missing(const std::optional<T>& v) {
    if (!v) {
        return kMissing;
    }
    if constexpr (std::is_same_v<T, std::string>) {
        return *v;
    } else {
        return std::to_string(*v);
    }
}

}  // namespace

std::optional<int64_t> PartitionAssignmentRow::lag() const {
    if (!offset || *offset == -1 || !log_end_offset) {
        return std::nullopt;
    }
    return *log_end_offset - *offset;
}

std::string pad(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string format_offsets(const std::vector<PartitionAssignmentRow>& rows) {
    std::size_t group_w = 15, topic_w = 15, consumer_w = 15, host_w = 15;
    for (const auto& r : rows) {
        group_w = std::max(group_w, r.group.size());
        topic_w = std::max(topic_w, or_missing(r.topic).size());
        consumer_w = std::max(consumer_w, or_missing(r.consumer_id).size());
        host_w = std::max(host_w, or_missing(r.host).size());
    }
    auto line = [&](const std::string& g, const std::string& t, const std::string& p,
                    const std::string& o, const std::string& leo, const std::string& lag,
                    const std::string& c, const std::string& h, const std::string& cl) {
        return pad(g, group_w) + " " + pad(t, topic_w) + " " + pad(p, 10) + " " + pad(o, 15) + " " +
               pad(leo, 15) + " " + pad(lag, 15) + " " + pad(c, consumer_w) + " " + pad(h, host_w) +
               " " + cl + "\n";
    };
    std::string out = "\n" + line("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                                  "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
    for (const auto& r : rows) {
        out += line(r.group, or_missing(r.topic), or_missing(r.partition), or_missing(r.offset),
                    or_missing(r.log_end_offset), or_missing(r.lag()), or_missing(r.consumer_id),
                    or_missing(r.host), or_missing(r.client_id));
    }
    return out;
}

std::string format_members(const std::string& group, const std::vector<GroupMember>& members,
                           bool verbose) {
    std::size_t group_w = std::max<std::size_t>(15, group.size()), consumer_w = 15, instance_w = 17,
                host_w = 15, client_w = 15;
    bool with_instance = false;
    for (const auto& m : members) {
        const std::string instance = m.group_instance_id.value_or("");
        consumer_w = std::max(consumer_w, m.member_id.size());
        instance_w = std::max(instance_w, instance.size());
        host_w = std::max(host_w, m.host.size());
        client_w = std::max(client_w, m.client_id.size());
        with_instance = with_instance || !instance.empty();
    }
    auto columns = [&](const std::string& g, const std::string& c, const std::string& i,
                       const std::string& h, const std::string& cl, const std::string& n) {
        return pad(g, group_w) + " " + pad(c, consumer_w) + " " +
               (with_instance ? pad(i, instance_w) + " " : "") + pad(h, host_w) + " " +
               pad(cl, client_w) + " " + pad(n, 15) + " ";
    };
    std::string out = "\n" + columns("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST",
                                     "CLIENT-ID", "#PARTITIONS");
    out += verbose ? "ASSIGNMENT\n" : "\n";
    for (const auto& m : members) {
        out += columns(group, m.member_id, m.group_instance_id.value_or(""), m.host, m.client_id,
                       std::to_string(m.assignment.size()));
        if (verbose) {
            // "topic(0,1), other(2)": topics sorted, partitions sorted within each.
            std::map<std::string, std::vector<int32_t>> by_topic;
            for (const auto& [topic, partition] : m.assignment) {
                by_topic[topic].push_back(partition);
            }
            std::string text;
            for (auto& [topic, partitions] : by_topic) {
                std::sort(partitions.begin(), partitions.end());
                text += (text.empty() ? "" : ", ") + topic + "(" + join_ids(partitions) + ")";
            }
            out += text.empty() ? kMissing : text;
        }
        out += "\n";
    }
    return out;
}

std::string format_state(const GroupDescription& g) {
    const std::string coordinator = g.coordinator.host + ":" + std::to_string(g.coordinator.port) +
                                    " (" + std::to_string(g.coordinator.id) + ")";
    // Kafka sizes the first column by the coordinator's text, not the group's.
    const std::size_t width = std::max<std::size_t>(25, coordinator.size());
    auto line = [&](const std::string& a, const std::string& b, const std::string& c,
                    const std::string& d, const std::string& e) {
        return "\n" + pad(a, width) + " " + pad(b, 25) + " " + pad(c, 20) + " " + pad(d, 15) + " " +
               e;
    };
    return line("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS") +
           line(g.group_id, coordinator, g.assignment_strategy, g.state,
                std::to_string(g.members.size())) +
           "\n";
}

std::string format_group_states(const std::vector<ListedGroup>& groups) {
    std::size_t width = 15;
    for (const auto& g : groups) {
        width = std::max(width, g.group_id.size());
    }
    std::string out = pad("GROUP", width) + " STATE\n";
    for (const auto& g : groups) {
        out += pad(g.group_id, width) + " " + g.state + "\n";
    }
    return out;
}

std::string format_reset_plan(
    const std::map<std::string, std::map<TopicPartition, int64_t>>& plan) {
    std::string out;
    if (!plan.empty()) {
        out += "\n" + pad("GROUP", 30) + " " + pad("TOPIC", 30) + " " + pad("PARTITION", 10) + " " +
               pad("NEW-OFFSET", 15) + "\n";
    }
    for (const auto& [group, offsets] : plan) {
        for (const auto& [tp, offset] : offsets) {
            out += pad(group, 30) + " " + pad(tp.first, 30) + " " +
                   pad(std::to_string(tp.second), 10) + " " + pad(std::to_string(offset), 15) +
                   "\n";
        }
    }
    return out;
}

std::string format_reset_csv(const std::map<std::string, std::map<TopicPartition, int64_t>>& plan,
                             bool with_group) {
    std::string out;
    for (const auto& [group, offsets] : plan) {
        for (const auto& [tp, offset] : offsets) {
            out += (with_group ? group + "," : "") + tp.first + "," + std::to_string(tp.second) +
                   "," + std::to_string(offset) + "\n";
        }
    }
    return out;
}

}  // namespace samsa::admin
