#include "broker/controller/controller_context.h"

#include <algorithm>
#include <limits>

namespace samsa::controller {

std::vector<int32_t> ControllerContext::live_broker_ids() const {
    std::vector<int32_t> ids;
    for (const auto& [id, info] : live_brokers) {
        if (!shutting_down_brokers.contains(id)) {
            ids.push_back(id);
        }
    }
    return ids;
}

std::vector<int32_t> ControllerContext::live_or_shutting_down_broker_ids() const {
    std::vector<int32_t> ids;
    for (const auto& [id, info] : live_brokers) {
        ids.push_back(id);
    }
    return ids;
}

std::vector<TopicPartition> ControllerContext::partitions_of(const std::string& topic) const {
    std::vector<TopicPartition> out;
    for (auto it = assignments.lower_bound(TopicPartition{topic, 0});
         it != assignments.end() && it->first.topic == topic; ++it) {
        out.push_back(it->first);
    }
    return out;
}

std::vector<TopicPartition> ControllerContext::partitions_on_broker(int32_t broker) const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, replicas] : assignments) {
        if (std::find(replicas.begin(), replicas.end(), broker) != replicas.end()) {
            out.push_back(tp);
        }
    }
    return out;
}

std::vector<TopicPartition> ControllerContext::partitions_led_by(int32_t broker) const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, l] : leadership) {
        if (l.leader_and_isr.leader == broker) {
            out.push_back(tp);
        }
    }
    return out;
}

std::vector<TopicPartition> ControllerContext::partition_leaders_on_broker(int32_t broker) const {
    std::vector<TopicPartition> out;
    for (const auto& tp : partitions_led_by(broker)) {
        if (replicas(tp).size() > 1 && !topics_to_be_deleted.contains(tp.topic)) {
            out.push_back(tp);
        }
    }
    return out;
}

std::vector<TopicPartition> ControllerContext::partitions_in(PartitionState state) const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, s] : partition_states) {
        if (s == state) {
            out.push_back(tp);
        }
    }
    return out;
}

PartitionState ControllerContext::state_of(const TopicPartition& tp) const {
    auto it = partition_states.find(tp);
    return it == partition_states.end() ? PartitionState::non_existent : it->second;
}

const std::vector<int32_t>& ControllerContext::replicas(const TopicPartition& tp) const {
    static const std::vector<int32_t> kNone;
    auto it = assignments.find(tp);
    return it == assignments.end() ? kNone : it->second;
}

ReplicaAssignment ControllerContext::full_assignment(const TopicPartition& tp) const {
    ReplicaAssignment out{replicas(tp), {}, {}};
    if (auto it = adding_removing.find(tp); it != adding_removing.end()) {
        out.adding = it->second.first;
        out.removing = it->second.second;
    }
    return out;
}

void ControllerContext::set_full_assignment(const TopicPartition& tp,
                                            const ReplicaAssignment& assignment) {
    assignments[tp] = assignment.replicas;
    if (assignment.is_being_reassigned()) {
        adding_removing[tp] = {assignment.adding, assignment.removing};
    } else {
        adding_removing.erase(tp);
    }
}

bool ControllerContext::is_topic_being_reassigned(const std::string& topic) const {
    auto it = partitions_being_reassigned.lower_bound(
        TopicPartition{topic, std::numeric_limits<int32_t>::min()});
    return it != partitions_being_reassigned.end() && it->topic == topic;
}

void ControllerContext::remove_topic(const std::string& topic) {
    all_topics.erase(topic);
    topic_ids.erase(topic);
    topics_to_be_deleted.erase(topic);
    topics_ineligible_for_deletion.erase(topic);
    for (const auto& tp : partitions_of(topic)) {
        assignments.erase(tp);
        leadership.erase(tp);
        partition_states.erase(tp);
    }
    std::erase_if(adding_removing, [&](const auto& e) { return e.first.topic == topic; });
    std::erase_if(partitions_being_reassigned,
                  [&](const TopicPartition& tp) { return tp.topic == topic; });
}

void ControllerContext::reset() {
    *this = ControllerContext{};
}

}  // namespace samsa::controller
