#include "zk/kafka_zk_client.h"

#include "common/logging.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

namespace samsa::zk {
namespace {

spdlog::logger& logger() {
    static const std::shared_ptr<spdlog::logger> instance = get_logger("zk");
    return *instance;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string endpoints_text(const BrokerInfo& info) {
    std::string text;
    for (const EndPoint& ep : info.endpoints) {
        text += (text.empty() ? "" : ",") + ep.connection_string();
    }
    return text;
}

// Sends get_data for every path at once; responses in the same order.
std::vector<GetDataResponse> get_data_all(ZooKeeperClient& zk,
                                          const std::vector<std::string>& paths) {
    return zk.call_all<GetDataResponse>(
        paths.size(), [&](std::size_t i, const Executor& ex, Callback<GetDataResponse> cb) {
            zk.async_get_data(paths[i], false, ex, std::move(cb));
        });
}

}  // namespace

// --- Startup ----------------------------------------------------------------------------------

result<void> KafkaZkClient::create_top_level_paths() {
    for (const std::string& path : ZkData::persistent_zk_paths()) {
        SAMSA_TRY(make_sure_persistent_path_exists(path));
    }
    return success();
}

result<void> KafkaZkClient::make_sure_persistent_path_exists(const std::string& path) {
    return zk_.create_recursive(path, std::nullopt, /*fail_if_exists=*/false);
}

result<std::optional<std::string>> KafkaZkClient::get_cluster_id() {
    auto response = zk_.get_data(ClusterIdZNode::path());
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<std::string>();
        }
        return response.error();
    }
    SAMSA_TRY(auto id, ClusterIdZNode::decode(response.value().data.value_or("")));
    return std::optional<std::string>(std::move(id));
}

result<std::string> KafkaZkClient::get_or_create_cluster_id(const std::string& proposed) {
    SAMSA_TRY(auto existing, get_cluster_id());
    if (existing) {
        return *existing;
    }
    auto created = zk_.create_recursive(ClusterIdZNode::path(), ClusterIdZNode::encode(proposed),
                                        /*fail_if_exists=*/true);
    if (created) {
        logger().info("Created cluster id {}", proposed);
        return proposed;
    }
    if (created.error() != Errc::node_exists) {
        return created.error();
    }
    SAMSA_TRY(auto winner, get_cluster_id());  // another broker was first
    if (!winner) {
        return Errc::no_node;
    }
    return *winner;
}

// --- Brokers ----------------------------------------------------------------------------------

result<int64_t> KafkaZkClient::register_broker(const BrokerInfo& info) {
    const std::string path = BrokerIdZNode::path(info.id);
    auto epoch = checked_ephemeral_create(path, BrokerIdZNode::encode(info, now_ms()));
    if (!epoch) {
        if (epoch.error() == Errc::node_exists) {
            logger().error(
                "Error registering broker {}: a broker is already registered with "
                "id {} (another session owns {})",
                info.id, info.id, path);
        }
        return epoch.error();
    }
    logger().info("Registered broker {} at path {} with addresses: {}, czxid (broker epoch): {}",
                  info.id, path, endpoints_text(info), epoch.value());
    return epoch.value();
}

// Kafka's CheckedEphemeral, with ZK-MODE's extra rule for our previous session's node.
result<int64_t> KafkaZkClient::checked_ephemeral_create(const std::string& path,
                                                        const std::string& data) {
    // A node that keeps vanishing between our create and read is retried a few times only.
    for (int attempt = 0; attempt < 5; ++attempt) {
        MultiResponse created = zk_.multi(
            {CreateOp{path, std::nullopt, CreateMode::ephemeral, {}}, SetDataOp{path, data, 0}});
        if (!created.ec) {
            return created.results[1].stat.czxid;
        }
        if (created.ec != Errc::node_exists) {
            logger().error("Error while creating ephemeral at {}: {}", path, created.ec.message());
            return created.ec;
        }
        auto existing = zk_.get_data(path);
        if (!existing) {
            if (existing.error() == Errc::no_node) {
                logger().info(
                    "The ephemeral node at {} went away while reading it, "
                    "attempting create() again",
                    path);
                continue;
            }
            return existing.error();
        }
        const Stat& stat = existing.value().stat;
        const int64_t owner = stat.ephemeral_owner;
        if (owner == zk_.session_id()) {
            return stat.czxid;  // ours: typically a create retried after connection loss
        }
        if (owner != 0 && owner == zk_.previous_session_id()) {
            logger().info("Deleting {} left by our expired session 0x{:x}", path, owner);
            auto deleted = zk_.delete_node(DeleteOp{path, stat.version});
            if (!deleted && deleted.error() != Errc::no_node &&
                deleted.error() != Errc::bad_version) {
                return deleted.error();
            }
            continue;
        }
        logger().error(
            "Error while creating ephemeral at {}, node already exists and owner "
            "'0x{:x}' does not match current session '0x{:x}'",
            path, owner, zk_.session_id());
        return Errc::node_exists;
    }
    return Errc::node_exists;
}

result<void> KafkaZkClient::update_broker_info(const BrokerInfo& info) {
    SAMSA_TRY(zk_.set_data(SetDataOp{BrokerIdZNode::path(info.id),
                                     BrokerIdZNode::encode(info, now_ms()), kMatchAnyVersion}));
    return success();
}

result<std::vector<BrokerId>> KafkaZkClient::get_sorted_broker_list(bool watch) {
    SAMSA_TRY(auto children, get_children(BrokerIdsZNode::path(), watch));
    std::vector<BrokerId> ids;
    for (const std::string& child : children) {
        int32_t id = 0;
        const auto [end, ec] = std::from_chars(child.data(), child.data() + child.size(), id);
        if (ec == std::errc() && end == child.data() + child.size()) {
            ids.emplace_back(id);
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

result<std::optional<BrokerInfo>> KafkaZkClient::get_broker(BrokerId id) {
    SAMSA_TRY(auto registration, get_broker_registration(id));
    if (!registration) {
        return std::optional<BrokerInfo>();
    }
    return std::optional<BrokerInfo>(std::move(registration->info));
}

result<std::optional<BrokerRegistration>> KafkaZkClient::get_broker_registration(BrokerId id) {
    auto response = zk_.get_data(BrokerIdZNode::path(id));
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<BrokerRegistration>();
        }
        return response.error();
    }
    SAMSA_TRY(auto info, BrokerIdZNode::decode(id, response.value().data.value_or("")));
    info.epoch = response.value().stat.czxid;
    return std::optional<BrokerRegistration>(
        BrokerRegistration{std::move(info), response.value().stat.ephemeral_owner});
}

result<std::vector<BrokerInfo>> KafkaZkClient::get_all_brokers() {
    SAMSA_TRY(auto ids, get_sorted_broker_list());
    std::vector<std::string> paths;
    for (const BrokerId id : ids) {
        paths.push_back(BrokerIdZNode::path(id));
    }
    const auto responses = get_data_all(zk_, paths);
    std::vector<BrokerInfo> brokers;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const GetDataResponse& r = responses[i];
        if (r.ec == Errc::no_node) {
            continue;  // went away since the listing
        }
        if (r.ec) {
            return r.ec;
        }
        SAMSA_TRY(auto info, BrokerIdZNode::decode(ids[i], r.data.value_or("")));
        info.epoch = r.stat.czxid;
        brokers.push_back(std::move(info));
    }
    return brokers;
}

// --- Controller -------------------------------------------------------------------------------

result<std::optional<BrokerId>> KafkaZkClient::get_controller_id() {
    auto response = zk_.get_data(ControllerZNode::path());
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<BrokerId>();
        }
        return response.error();
    }
    SAMSA_TRY(auto id, ControllerZNode::decode(response.value().data.value_or("")));
    return std::optional<BrokerId>(id);
}

result<std::optional<ControllerEpochAndZkVersion>> KafkaZkClient::get_controller_epoch() {
    auto response = zk_.get_data(ControllerEpochZNode::path());
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<ControllerEpochAndZkVersion>();
        }
        return response.error();
    }
    SAMSA_TRY(auto epoch, ControllerEpochZNode::decode(response.value().data.value_or("")));
    return std::optional<ControllerEpochAndZkVersion>(
        ControllerEpochAndZkVersion{epoch, response.value().stat.version});
}

result<ControllerEpochAndZkVersion> KafkaZkClient::maybe_create_controller_epoch_znode() {
    auto created = zk_.create(CreateOp{ControllerEpochZNode::path(),
                                       ControllerEpochZNode::encode(ControllerEpoch(0)),
                                       CreateMode::persistent,
                                       {}});
    if (created) {
        logger().info("Successfully created {} with initial epoch 0", ControllerEpochZNode::path());
        return ControllerEpochAndZkVersion{ControllerEpoch(0), 0};
    }
    if (created.error() != Errc::node_exists) {
        return created.error();
    }
    SAMSA_TRY(auto current, get_controller_epoch());
    if (!current) {
        return Errc::no_node;  // existed a moment ago; the next election attempt will see
    }
    return *current;
}

result<void> KafkaZkClient::enable_feature_versioning() {
    auto existing = zk_.get_data(FeatureZNode::path());
    if (!existing) {
        if (existing.error() != Errc::no_node) {
            return existing.error();
        }
        auto created =
            zk_.create_recursive(FeatureZNode::path(), FeatureZNode::encode(FeatureZNode::kEnabled),
                                 /*fail_if_exists=*/false);
        if (created) {
            logger().info("Created /feature with feature versioning enabled");
        }
        return created;
    }
    SAMSA_TRY(auto node, FeatureZNode::decode(existing.value().data.value_or("")));
    if (node.first == FeatureZNode::kEnabled) {
        return success();
    }
    SAMSA_TRY(zk_.set_data(SetDataOp{FeatureZNode::path(),
                                     FeatureZNode::encode(FeatureZNode::kEnabled, node.second),
                                     existing.value().stat.version}));
    return success();
}

result<ControllerRegistration> KafkaZkClient::try_register_controller(BrokerId broker_id,
                                                                      int64_t timestamp_ms) {
    SAMSA_TRY(auto current, get_controller_epoch());
    ControllerEpochAndZkVersion read;
    if (current) {
        read = *current;
    } else {
        SAMSA_TRY(read, maybe_create_controller_epoch_znode());
    }
    const ControllerEpoch next(read.epoch.value() + 1);
    MultiResponse response =
        zk_.multi({CreateOp{ControllerZNode::path(),
                            ControllerZNode::encode(broker_id, timestamp_ms),
                            CreateMode::ephemeral,
                            {}},
                   SetDataOp{ControllerEpochZNode::path(), ControllerEpochZNode::encode(next),
                             read.zk_version}});
    if (!response.ec) {
        logger().info("Broker {} elected controller with epoch {} (epoch zkVersion {})", broker_id,
                      next, response.results[1].stat.version);
        return ControllerRegistration{true, next, response.results[1].stat.version, broker_id};
    }
    if (response.ec == Errc::node_exists || response.ec == Errc::bad_version) {
        return check_controller_and_epoch(broker_id, next);
    }
    return response.ec;
}

// Our multi may have succeeded before a connection loss made us send it again.
result<ControllerRegistration> KafkaZkClient::check_controller_and_epoch(BrokerId broker_id,
                                                                         ControllerEpoch expected) {
    SAMSA_TRY(auto controller, get_controller_id());
    if (!controller) {
        return ControllerRegistration{};
    }
    if (*controller == broker_id) {
        SAMSA_TRY(auto epoch, get_controller_epoch());
        if (epoch && epoch->epoch == expected) {
            return ControllerRegistration{true, expected, epoch->zk_version, broker_id};
        }
    }
    return ControllerRegistration{false, ControllerEpoch(0), 0, *controller};
}

// --- Topics -----------------------------------------------------------------------------------

result<void> KafkaZkClient::create_topic(const std::string& topic,
                                         const std::optional<Uuid>& topic_id,
                                         const std::map<int32_t, std::vector<BrokerId>>& assignment,
                                         const ConfigMap& config) {
    SAMSA_TRY(auto topic_node, zk_.exists(TopicZNode::path(topic)));
    SAMSA_TRY(auto deletion_node, zk_.exists(DeleteTopicsTopicZNode::path(topic)));
    if (topic_node || deletion_node) {
        return Errc::topic_already_exists;
    }
    SAMSA_TRY(set_or_create_entity_configs(kConfigTypeTopic, topic, config));
    std::map<int32_t, ReplicaAssignment> partitions;
    for (const auto& [partition, replicas] : assignment) {
        partitions[partition].replicas = replicas;
    }
    auto created =
        zk_.create_recursive(TopicZNode::path(topic), TopicZNode::encode(topic_id, partitions),
                             /*fail_if_exists=*/true);
    if (!created) {
        return created.error() == Errc::node_exists ? make_error_code(Errc::topic_already_exists)
                                                    : created.error();
    }
    logger().info("Created topic {} with {} partitions", topic, assignment.size());
    return success();
}

result<void> KafkaZkClient::set_or_create_entity_configs(std::string_view entity_type,
                                                         std::string_view entity_name,
                                                         const ConfigMap& config) {
    const std::string path = ConfigEntityZNode::path(entity_type, entity_name);
    const std::string data = ConfigEntityZNode::encode(config);
    auto set = zk_.set_data(SetDataOp{path, data, kMatchAnyVersion});
    if (set) {
        return success();
    }
    if (set.error() != Errc::no_node) {
        return set.error();
    }
    auto created = zk_.create_recursive(path, data, /*fail_if_exists=*/true);
    if (created) {
        return success();
    }
    if (created.error() != Errc::node_exists) {
        return created.error();
    }
    SAMSA_TRY(zk_.set_data(SetDataOp{path, data, kMatchAnyVersion}));  // lost a race: overwrite
    return success();
}

result<std::vector<std::string>> KafkaZkClient::get_all_topics(bool watch) {
    return get_children(TopicsZNode::path(), watch);
}

result<std::map<std::string, TopicAssignment>> KafkaZkClient::get_topic_assignments(
    const std::vector<std::string>& topics) {
    std::vector<std::string> paths;
    for (const std::string& topic : topics) {
        paths.push_back(TopicZNode::path(topic));
    }
    const auto responses = get_data_all(zk_, paths);
    std::map<std::string, TopicAssignment> assignments;
    for (std::size_t i = 0; i < topics.size(); ++i) {
        if (responses[i].ec == Errc::no_node) {
            continue;
        }
        if (responses[i].ec) {
            return responses[i].ec;
        }
        SAMSA_TRY(auto assignment, TopicZNode::decode(responses[i].data.value_or("")));
        assignments.emplace(topics[i], std::move(assignment));
    }
    return assignments;
}

result<std::optional<std::pair<TopicAssignment, int32_t>>>
KafkaZkClient::get_topic_assignment_and_version(const std::string& topic) {
    using Found = std::optional<std::pair<TopicAssignment, int32_t>>;
    auto response = zk_.get_data(TopicZNode::path(topic));
    if (!response) {
        if (response.error() == Errc::no_node) {
            return Found();
        }
        return response.error();
    }
    SAMSA_TRY(auto assignment, TopicZNode::decode(response.value().data.value_or("")));
    return Found(std::in_place, std::move(assignment), response.value().stat.version);
}

result<void> KafkaZkClient::set_topic_assignment(const std::string& topic,
                                                 const TopicAssignment& assignment,
                                                 int32_t expected_version) {
    SAMSA_TRY(zk_.set_data(SetDataOp{TopicZNode::path(topic),
                                     TopicZNode::encode(assignment.topic_id, assignment.partitions),
                                     expected_version}));
    return success();
}

result<bool> KafkaZkClient::is_topic_marked_for_deletion(const std::string& topic) {
    SAMSA_TRY(auto stat, zk_.exists(DeleteTopicsTopicZNode::path(topic)));
    return stat.has_value();
}

result<ConfigMap> KafkaZkClient::get_topic_config(const std::string& topic) {
    auto response = zk_.get_data(ConfigEntityZNode::path(kConfigTypeTopic, topic));
    if (!response) {
        if (response.error() == Errc::no_node) {
            return ConfigMap{};
        }
        return response.error();
    }
    return ConfigEntityZNode::decode(response.value().data);
}

// --- Partition state --------------------------------------------------------------------------

result<std::map<TopicPartition, LeaderIsrAndControllerEpoch>> KafkaZkClient::get_partition_states(
    const std::vector<TopicPartition>& partitions) {
    std::vector<std::string> paths;
    for (const TopicPartition& tp : partitions) {
        paths.push_back(TopicPartitionStateZNode::path(tp));
    }
    const auto responses = get_data_all(zk_, paths);
    std::map<TopicPartition, LeaderIsrAndControllerEpoch> states;
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        const GetDataResponse& r = responses[i];
        if (r.ec == Errc::no_node) {
            continue;
        }
        if (r.ec) {
            return r.ec;
        }
        SAMSA_TRY(auto state,
                  TopicPartitionStateZNode::decode(r.data.value_or(""), r.stat.version));
        states.emplace(partitions[i], std::move(state));
    }
    return states;
}

result<std::map<TopicPartition, std::error_code>> KafkaZkClient::create_partition_states(
    const std::map<TopicPartition, LeaderIsrAndControllerEpoch>& states,
    int32_t expected_controller_epoch_zk_version) {
    // Parents first (Kafka's createTopicPartitions / createTopicPartition); they may exist.
    std::set<std::string> topics;
    std::vector<Op> parents;
    std::vector<Op> partition_nodes;
    std::vector<Op> state_nodes;
    for (const auto& [tp, state] : states) {
        if (topics.insert(tp.topic).second) {
            parents.push_back(CreateOp{
                TopicPartitionsZNode::path(tp.topic), std::nullopt, CreateMode::persistent, {}});
        }
        partition_nodes.push_back(
            CreateOp{TopicPartitionZNode::path(tp), std::nullopt, CreateMode::persistent, {}});
        state_nodes.push_back(CreateOp{TopicPartitionStateZNode::path(tp),
                                       TopicPartitionStateZNode::encode(state),
                                       CreateMode::persistent,
                                       {}});
    }
    SAMSA_TRY(fenced(std::move(parents), expected_controller_epoch_zk_version));
    SAMSA_TRY(fenced(std::move(partition_nodes), expected_controller_epoch_zk_version));
    SAMSA_TRY(auto results, fenced(std::move(state_nodes), expected_controller_epoch_zk_version));
    std::map<TopicPartition, std::error_code> outcome;
    std::size_t i = 0;
    for (const auto& [tp, state] : states) {
        outcome.emplace(tp, results[i++].ec);
    }
    return outcome;
}

result<std::map<TopicPartition, PartitionUpdateResult>> KafkaZkClient::update_partition_states(
    const std::map<TopicPartition, LeaderIsrAndControllerEpoch>& states,
    int32_t expected_controller_epoch_zk_version) {
    std::vector<Op> ops;
    for (const auto& [tp, state] : states) {
        ops.push_back(SetDataOp{TopicPartitionStateZNode::path(tp),
                                TopicPartitionStateZNode::encode(state),
                                state.leader_and_isr.zk_version});
    }
    SAMSA_TRY(auto results, fenced(std::move(ops), expected_controller_epoch_zk_version));
    std::map<TopicPartition, PartitionUpdateResult> outcome;
    std::size_t i = 0;
    for (const auto& [tp, state] : states) {
        const OpResult& r = results[i++];
        outcome.emplace(tp, PartitionUpdateResult{r.ec, r.ec ? 0 : r.stat.version});
    }
    return outcome;
}

// --- ISR changes written by partition leaders ---------------------------------------------------

result<int32_t> KafkaZkClient::update_leader_and_isr(const TopicPartition& tp,
                                                     const LeaderIsrAndControllerEpoch& state) {
    SAMSA_TRY(auto updates, update_partition_states({{tp, state}}, kMatchAnyVersion));
    const PartitionUpdateResult& r = updates.at(tp);
    if (r.ec) {
        return r.ec;
    }
    return r.zk_version;
}

result<void> KafkaZkClient::propagate_isr_changes(const std::vector<TopicPartition>& partitions) {
    SAMSA_TRY(zk_.create(CreateOp{IsrChangeNotificationSequenceZNode::path(),
                                  IsrChangeNotificationSequenceZNode::encode(partitions),
                                  CreateMode::persistent_sequential,
                                  {}}));
    return success();
}

// --- ISR change notifications, the controller's side -------------------------------------------

result<std::vector<std::string>> KafkaZkClient::get_all_isr_change_notifications(bool watch) {
    SAMSA_TRY(auto children, get_children(IsrChangeNotificationZNode::path(), watch));
    constexpr std::string_view prefix = IsrChangeNotificationSequenceZNode::kSequenceNumberPrefix;
    std::vector<std::string> sequence_numbers;
    for (const std::string& child : children) {
        if (child.starts_with(prefix)) {
            sequence_numbers.push_back(child.substr(prefix.size()));
        }
    }
    // Children come in no particular order; sequence numbers have a fixed width.
    std::sort(sequence_numbers.begin(), sequence_numbers.end());
    return sequence_numbers;
}

result<std::vector<TopicPartition>> KafkaZkClient::get_partitions_from_isr_change_notifications(
    const std::vector<std::string>& sequence_numbers) {
    std::vector<std::string> paths;
    for (const std::string& n : sequence_numbers) {
        paths.push_back(IsrChangeNotificationSequenceZNode::path(n));
    }
    const auto responses = get_data_all(zk_, paths);
    std::vector<TopicPartition> partitions;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const GetDataResponse& r = responses[i];
        if (r.ec == Errc::no_node) {
            continue;
        }
        if (r.ec) {
            return r.ec;
        }
        auto listed = IsrChangeNotificationSequenceZNode::decode(r.data.value_or(""));
        if (!listed) {
            logger().warn("Ignoring malformed ISR change notification {}: {}", paths[i],
                          listed.error().message());
            continue;
        }
        partitions.insert(partitions.end(), listed.value().begin(), listed.value().end());
    }
    return partitions;
}

result<void> KafkaZkClient::delete_isr_change_notifications(
    const std::vector<std::string>& sequence_numbers,
    int32_t expected_controller_epoch_zk_version) {
    std::vector<Op> deletes;
    for (const std::string& n : sequence_numbers) {
        deletes.push_back(DeleteOp{IsrChangeNotificationSequenceZNode::path(n), kMatchAnyVersion});
    }
    SAMSA_TRY(auto results, fenced(std::move(deletes), expected_controller_epoch_zk_version));
    for (const OpResult& r : results) {
        if (r.ec && r.ec != Errc::no_node) {
            return r.ec;
        }
    }
    return success();
}

result<void> KafkaZkClient::delete_isr_change_notifications(
    int32_t expected_controller_epoch_zk_version) {
    SAMSA_TRY(auto sequence_numbers, get_all_isr_change_notifications(/*watch=*/true));
    return delete_isr_change_notifications(sequence_numbers, expected_controller_epoch_zk_version);
}

// --- Preferred replica election -------------------------------------------------------------

result<std::optional<std::vector<TopicPartition>>> KafkaZkClient::get_preferred_replica_election() {
    auto response = zk_.get_data(PreferredReplicaElectionZNode::path());
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<std::vector<TopicPartition>>{};
        }
        return response.error();
    }
    SAMSA_TRY(auto partitions,
              PreferredReplicaElectionZNode::decode(response.value().data.value_or("")));
    return std::optional<std::vector<TopicPartition>>{std::move(partitions)};
}

result<void> KafkaZkClient::delete_preferred_replica_election(
    int32_t expected_controller_epoch_zk_version) {
    SAMSA_TRY(auto results,
              fenced({DeleteOp{PreferredReplicaElectionZNode::path(), kMatchAnyVersion}},
                     expected_controller_epoch_zk_version));
    for (const OpResult& r : results) {
        if (r.ec && r.ec != Errc::no_node) {
            return r.ec;
        }
    }
    return success();
}

// --- Topic deletion ---------------------------------------------------------------------------

result<void> KafkaZkClient::create_delete_topic_node(const std::string& topic) {
    return zk_.create_recursive(DeleteTopicsTopicZNode::path(topic), std::nullopt,
                                /*fail_if_exists=*/true);
}

result<std::vector<std::string>> KafkaZkClient::get_delete_topic_nodes(bool watch) {
    return get_children(DeleteTopicsZNode::path(), watch);
}

result<void> KafkaZkClient::delete_topic_znodes(const std::string& topic,
                                                int32_t expected_controller_epoch_zk_version) {
    SAMSA_TRY(delete_recursive(TopicZNode::path(topic), expected_controller_epoch_zk_version));
    SAMSA_TRY(auto results,
              fenced({DeleteOp{ConfigEntityZNode::path(kConfigTypeTopic, topic), kMatchAnyVersion},
                      DeleteOp{DeleteTopicsTopicZNode::path(topic), kMatchAnyVersion}},
                     expected_controller_epoch_zk_version));
    for (const OpResult& r : results) {
        if (r.ec && r.ec != Errc::no_node) {
            return r.ec;
        }
    }
    logger().info("Deleted the znodes of topic {}", topic);
    return success();
}

result<void> KafkaZkClient::delete_recursive(const std::string& path, int32_t epoch_zk_version) {
    auto children = zk_.get_children(path, /*watch=*/true);
    if (!children) {
        return children.error() == Errc::no_node ? success() : result<void>(children.error());
    }
    for (const std::string& child : children.value().children) {
        SAMSA_TRY(delete_recursive(path + "/" + child, epoch_zk_version));
    }
    SAMSA_TRY(auto results, fenced({DeleteOp{path, kMatchAnyVersion}}, epoch_zk_version));
    if (results.front().ec && results.front().ec != Errc::no_node) {
        return results.front().ec;
    }
    return success();
}

// --- Watches ----------------------------------------------------------------------------------

result<bool> KafkaZkClient::register_znode_change_handler_and_check_existence(
    std::shared_ptr<ZNodeChangeHandler> handler, Executor executor) {
    const std::string path = handler->path();
    zk_.register_znode_change_handler(std::move(handler), std::move(executor));
    SAMSA_TRY(auto stat, zk_.exists(path, /*watch=*/true));
    return stat.has_value();
}

result<std::vector<std::string>> KafkaZkClient::get_children(const std::string& path, bool watch) {
    auto response = zk_.get_children(path, watch);
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::vector<std::string>();
        }
        return response.error();
    }
    return std::move(response.value().children);
}

result<std::optional<Stat>> KafkaZkClient::exists(const std::string& path, bool watch) {
    return zk_.exists(path, watch);
}

}  // namespace samsa::zk
