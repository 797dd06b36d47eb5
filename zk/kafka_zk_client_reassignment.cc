// KafkaZkClient: the znodes of partition reassignment (KIP-455) — a topic's full assignment
// with its adding/removing replicas, and the legacy /admin/reassign_partitions request node.
// See kafka_zk_client.h.

#include "zk/kafka_zk_client.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

namespace samsa::zk {

namespace {

// The first error of a batch of fenced ops that is not `tolerated`.
result<void> first_error(const std::vector<OpResult>& results, Errc tolerated) {
    for (const OpResult& r : results) {
        if (r.ec && r.ec != tolerated) {
            return r.ec;
        }
    }
    return success();
}

}  // namespace

result<void> KafkaZkClient::set_topic_assignment(
    const std::string& topic, const std::optional<Uuid>& topic_id,
    const std::map<int32_t, ReplicaAssignment>& partitions,
    int32_t expected_controller_epoch_zk_version) {
    SAMSA_TRY(auto results,
              fenced({SetDataOp{TopicZNode::path(topic), TopicZNode::encode(topic_id, partitions),
                                kMatchAnyVersion}},
                     expected_controller_epoch_zk_version));
    return first_error(results, Errc::ok);
}

result<std::optional<std::map<TopicPartition, std::vector<BrokerId>>>>
KafkaZkClient::get_partition_reassignment() {
    using Targets = std::map<TopicPartition, std::vector<BrokerId>>;
    auto response = zk_.get_data(ReassignPartitionsZNode::path());
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<Targets>{};
        }
        return response.error();
    }
    SAMSA_TRY(auto targets, ReassignPartitionsZNode::decode(response.value().data.value_or("")));
    return std::optional<Targets>{std::move(targets)};
}

result<void> KafkaZkClient::set_or_create_partition_reassignment(
    const std::map<TopicPartition, std::vector<BrokerId>>& targets,
    int32_t expected_controller_epoch_zk_version) {
    const std::string data = ReassignPartitionsZNode::encode(targets);
    SAMSA_TRY(auto set, fenced({SetDataOp{ReassignPartitionsZNode::path(), data, kMatchAnyVersion}},
                               expected_controller_epoch_zk_version));
    if (set.front().ec != Errc::no_node) {
        return first_error(set, Errc::ok);
    }
    // Deleted meanwhile (by an operator): Kafka's setOrCreatePartitionReassignment creates it.
    SAMSA_TRY(auto created,
              fenced({CreateOp{ReassignPartitionsZNode::path(), data, CreateMode::persistent, {}}},
                     expected_controller_epoch_zk_version));
    return first_error(created, Errc::ok);
}

result<void> KafkaZkClient::delete_partition_reassignment(
    int32_t expected_controller_epoch_zk_version) {
    SAMSA_TRY(auto results, fenced({DeleteOp{ReassignPartitionsZNode::path(), kMatchAnyVersion}},
                                   expected_controller_epoch_zk_version));
    return first_error(results, Errc::no_node);
}

}  // namespace samsa::zk
