#include "broker/api/admin_manager.h"

#include "broker/replica/metadata_cache.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <algorithm>
#include <set>

namespace samsa::api {

namespace {

using protocol::ErrorCode;

auto& logger() {
    static auto l = get_logger("admin");
    return *l;
}

constexpr size_t kMaxTopicNameLength = 249;

TopicOutcome fail(ErrorCode e, std::string message) {
    return TopicOutcome{e, std::move(message)};
}

// Kafka's Topic.unifyCollisionChars: '.' and '_' collide in metric names.
std::string unify_collision_chars(std::string name) {
    std::replace(name.begin(), name.end(), '.', '_');
    return name;
}

TopicOutcome check_explicit_assignment(const std::map<int32_t, std::vector<int32_t>>& assignment,
                                       const std::vector<BrokerPlacement>& live_brokers) {
    auto is_live = [&](int32_t id) {
        return std::any_of(live_brokers.begin(), live_brokers.end(),
                           [&](const BrokerPlacement& b) { return b.id == id; });
    };
    int32_t expected = 0;
    for (const auto& [partition, replicas] : assignment) {
        if (partition != expected++) {
            return fail(ErrorCode::invalid_replica_assignment,
                        "Partitions should be a consecutive 0-based integer sequence");
        }
        if (replicas.empty()) {
            return fail(
                ErrorCode::invalid_replica_assignment,
                "Replica assignment of partition " + std::to_string(partition) + " is empty");
        }
        std::set<int32_t> unique(replicas.begin(), replicas.end());
        if (unique.size() != replicas.size()) {
            return fail(
                ErrorCode::invalid_replica_assignment,
                "Duplicate replica assignment found for partition " + std::to_string(partition));
        }
        for (int32_t b : replicas) {
            if (!is_live(b)) {
                return fail(ErrorCode::invalid_replica_assignment,
                            "Unknown broker " + std::to_string(b) + " in assignment of partition " +
                                std::to_string(partition));
            }
        }
    }
    return {};
}

}  // namespace

AdminManager::AdminManager(zk::KafkaZkClient& zk, replica::MetadataCache& metadata,
                           AdminDefaults defaults)
    : zk_(zk), metadata_(metadata), defaults_(std::move(defaults)) {}

bool AdminManager::valid_topic_name(std::string_view name, std::string* why) {
    auto reject = [&](std::string reason) {
        if (why) {
            *why = std::move(reason);
        }
        return false;
    };
    if (name.empty()) {
        return reject("Topic name is illegal, it can't be empty");
    }
    if (name == "." || name == "..") {
        return reject("Topic name cannot be \".\" or \"..\"");
    }
    if (name.size() > kMaxTopicNameLength) {
        return reject(
            "Topic name is illegal, it can't be longer than 249 characters, topic name: " +
            std::string(name));
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return reject("Topic name \"" + std::string(name) +
                          "\" is illegal, it contains a character other than ASCII alphanumerics, "
                          "'.', '_' and '-'");
        }
    }
    return true;
}

TopicOutcome AdminManager::validate(const NewTopic& topic, const std::vector<BrokerPlacement>& live,
                                    std::map<int32_t, std::vector<int32_t>>& assignment) const {
    std::string why;
    if (!valid_topic_name(topic.name, &why)) {
        return fail(ErrorCode::invalid_topic_exception, why);
    }
    if (!topic.assignments.empty() &&
        (topic.num_partitions != -1 || topic.replication_factor != -1)) {
        return fail(ErrorCode::invalid_request,
                    "Both numPartitions or replicationFactor and replicasAssignments were set. "
                    "Both cannot be used at the same time.");
    }
    std::string config_error;
    if (!log::apply_topic_overrides(defaults_.log_config, topic.configs, &config_error)) {
        return fail(ErrorCode::invalid_config, config_error);
    }
    if (!topic.assignments.empty()) {
        assignment = topic.assignments;
        return check_explicit_assignment(assignment, live);
    }
    const int32_t partitions =
        topic.num_partitions == -1 ? defaults_.num_partitions : topic.num_partitions;
    const int16_t rf = topic.replication_factor == -1 ? defaults_.default_replication_factor
                                                      : topic.replication_factor;
    const auto start = random_assignment_start(static_cast<int32_t>(live.size()));
    auto placed = assign_replicas_to_brokers(live, partitions, rf, start);
    if (placed.error == ErrorCode::unknown_server_error) {
        logger().error(
            "cannot place replicas of {}: not all brokers have rack information for "
            "replica rack aware assignment",
            topic.name);
    }
    assignment = std::move(placed.assignment);
    return {placed.error, std::move(placed.message)};
}

TopicOutcome AdminManager::create_topic(const NewTopic& topic, bool validate_only) {
    auto snapshot = metadata_.snapshot();
    std::vector<BrokerPlacement> live;
    for (const auto& [id, b] : snapshot->brokers) {
        live.push_back(BrokerPlacement{id, b.rack});
    }
    // Existence first (as Kafka's createTopics does): a broker that has just started knows no
    // live brokers yet, and must answer an auto-create of an existing topic with
    // TOPIC_ALREADY_EXISTS (which Metadata turns into LEADER_NOT_AVAILABLE, a retry), not with
    // INVALID_REPLICATION_FACTOR.
    auto existing = zk_.get_all_topics(false);
    if (!existing) {
        return fail(ErrorCode::unknown_server_error,
                    "cannot read topics from ZooKeeper: " + existing.error().message());
    }
    const std::string unified = unify_collision_chars(topic.name);
    for (const auto& name : existing.value()) {
        if (name == topic.name) {
            return fail(ErrorCode::topic_already_exists,
                        "Topic '" + topic.name + "' already exists.");
        }
        if (unify_collision_chars(name) == unified) {
            return fail(ErrorCode::invalid_topic_exception,
                        "Topic '" + topic.name + "' collides with existing topic: " + name);
        }
    }
    std::map<int32_t, std::vector<int32_t>> assignment;
    if (auto outcome = validate(topic, live, assignment); outcome.error != ErrorCode::none) {
        return outcome;
    }
    if (validate_only) {
        return {};
    }
    std::map<int32_t, std::vector<BrokerId>> replicas;
    for (const auto& [partition, brokers] : assignment) {
        auto& ids = replicas[partition];
        for (int32_t b : brokers) {
            ids.push_back(BrokerId{b});
        }
    }
    auto created = zk_.create_topic(topic.name, zk::Uuid::random(), replicas, topic.configs);
    if (!created) {
        if (created.error() == zk::Errc::topic_already_exists ||
            created.error() == zk::Errc::node_exists) {
            return fail(ErrorCode::topic_already_exists,
                        "Topic '" + topic.name + "' already exists.");
        }
        return fail(ErrorCode::unknown_server_error,
                    "cannot write topic to ZooKeeper: " + created.error().message());
    }
    logger().info("created topic {} with {} partitions", topic.name, assignment.size());
    return {};
}

TopicOutcome AdminManager::delete_topic(const std::string& name) {
    if (!defaults_.delete_topic_enable) {
        return fail(ErrorCode::topic_deletion_disabled, "Topic deletion is disabled.");
    }
    auto existing = zk_.get_all_topics(false);
    if (!existing) {
        return fail(ErrorCode::unknown_server_error, existing.error().message());
    }
    const auto& topics = existing.value();
    if (std::find(topics.begin(), topics.end(), name) == topics.end()) {
        return fail(ErrorCode::unknown_topic_or_partition,
                    "This server does not host this topic-partition.");
    }
    auto marked = zk_.create_delete_topic_node(name);
    if (!marked && marked.error() != zk::Errc::node_exists) {
        return fail(ErrorCode::unknown_server_error, marked.error().message());
    }
    logger().info("topic {} marked for deletion", name);
    return {};
}

}  // namespace samsa::api
