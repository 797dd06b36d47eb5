// AdminManager::create_partitions: Kafka's ZkAdminManager.createPartitions with
// AdminZkClient.addPartitions, one topic at a time. Checks and messages follow Kafka 2.8 in
// its order: topic missing, reassignment running, count not increasing, explicit assignment
// (unknown brokers, count, empty, duplicates, replication factor), then placement.

#include "broker/api/admin_manager.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace samsa::api {

namespace {

using protocol::ErrorCode;

auto& logger() {
    static auto l = get_logger("admin");
    return *l;
}

// A topic rewritten concurrently is read again this many times before giving up.
constexpr int kMaxWriteAttempts = 5;

TopicOutcome fail(ErrorCode e, std::string message) {
    return TopicOutcome{e, std::move(message)};
}

// The checks of ZkAdminManager (unknown brokers, one list per added partition) and then of
// AdminZkClient.validateReplicaAssignment (empty, duplicates, replication factor).
TopicOutcome check_new_assignment(const std::vector<std::vector<int32_t>>& lists, int32_t increment,
                                  const std::vector<BrokerPlacement>& brokers) {
    std::set<int32_t> unknown;
    for (const auto& replicas : lists) {
        for (int32_t b : replicas) {
            if (std::none_of(brokers.begin(), brokers.end(),
                             [&](const BrokerPlacement& p) { return p.id == b; })) {
                unknown.insert(b);
            }
        }
    }
    if (!unknown.empty()) {
        return fail(
            ErrorCode::invalid_replica_assignment,
            fmt::format("Unknown broker(s) in replica assignment: {}.", fmt::join(unknown, ", ")));
    }
    if (static_cast<int32_t>(lists.size()) != increment) {
        return fail(ErrorCode::invalid_replica_assignment,
                    fmt::format("Increasing the number of partitions by {} but {} assignments "
                                "provided.",
                                increment, lists.size()));
    }
    return {};
}

TopicOutcome check_replica_lists(const std::map<int32_t, std::vector<int32_t>>& added,
                                 size_t replication_factor) {
    std::vector<int32_t> bad_partitions;
    std::vector<size_t> bad_factors;
    for (const auto& [partition, replicas] : added) {
        if (replicas.empty()) {
            return fail(
                ErrorCode::invalid_replica_assignment,
                fmt::format("Cannot have replication factor of 0 for partition id {}.", partition));
        }
        if (std::set<int32_t>(replicas.begin(), replicas.end()).size() != replicas.size()) {
            return fail(ErrorCode::invalid_replica_assignment,
                        fmt::format("Duplicate brokers not allowed in replica assignment: {} for "
                                    "partition id {}.",
                                    fmt::join(replicas, ", "), partition));
        }
        if (replicas.size() != replication_factor) {
            bad_partitions.push_back(partition);
            bad_factors.push_back(replicas.size());
        }
    }
    if (!bad_partitions.empty()) {
        return fail(ErrorCode::invalid_replica_assignment,
                    fmt::format("Inconsistent replication factor between partitions, partition 0 "
                                "has {} while partitions [{}] have replication factors [{}], "
                                "respectively.",
                                replication_factor, fmt::join(bad_partitions, ", "),
                                fmt::join(bad_factors, ", ")));
    }
    return {};
}

// AdminZkClient's automatic placement for added partitions: the walk starts at the first
// broker whose id is at least partition 0's leader, and numbering continues after the
// existing partitions, so the new ones extend the existing pattern.
TopicOutcome place_new_partitions(const std::vector<BrokerPlacement>& brokers,
                                  const std::vector<int32_t>& partition0, int32_t existing,
                                  int32_t increment,
                                  std::map<int32_t, std::vector<int32_t>>& added) {
    std::vector<int32_t> ids;
    for (const auto& b : brokers) {
        ids.push_back(b.id);
    }
    std::sort(ids.begin(), ids.end());
    const auto at =
        std::find_if(ids.begin(), ids.end(), [&](int32_t id) { return id >= partition0.front(); });
    const int32_t start = at == ids.end() ? 0 : static_cast<int32_t>(at - ids.begin());
    auto placed =
        assign_replicas_to_brokers(brokers, increment, static_cast<int32_t>(partition0.size()),
                                   AssignmentStart{start, start}, existing);
    if (placed.error != ErrorCode::none) {
        return {placed.error, std::move(placed.message)};
    }
    added = std::move(placed.assignment);
    return {};
}

}  // namespace

TopicOutcome AdminManager::assign_new_partitions(
    const NewPartitions& topic, const std::map<int32_t, std::vector<int32_t>>& existing,
    const std::vector<BrokerPlacement>& brokers, std::map<int32_t, std::vector<int32_t>>& added) {
    const auto old_count = static_cast<int32_t>(existing.size());
    const int32_t increment = topic.count - old_count;
    if (increment < 0) {
        return fail(ErrorCode::invalid_partitions,
                    fmt::format("Topic currently has {} partitions, which is higher than the "
                                "requested {}.",
                                old_count, topic.count));
    }
    if (increment == 0) {
        return fail(ErrorCode::invalid_partitions,
                    fmt::format("Topic already has {} partitions.", old_count));
    }
    if (topic.assignments) {
        if (auto bad = check_new_assignment(*topic.assignments, increment, brokers);
            bad.error != ErrorCode::none) {
            return bad;
        }
    }
    auto p0 = existing.find(0);
    if (p0 == existing.end() || p0->second.empty()) {
        // Kafka's AdminOperationException: UNKNOWN_SERVER_ERROR, no message.
        return {ErrorCode::unknown_server_error, std::nullopt};
    }
    const std::vector<int32_t>& partition0 = p0->second;
    if (topic.assignments) {
        for (size_t i = 0; i < topic.assignments->size(); ++i) {
            added[old_count + static_cast<int32_t>(i)] = (*topic.assignments)[i];
        }
        return check_replica_lists(added, partition0.size());
    }
    return place_new_partitions(brokers, partition0, old_count, increment, added);
}

std::optional<std::vector<BrokerPlacement>> AdminManager::registered_brokers() {
    auto brokers = zk_.get_all_brokers();
    if (!brokers) {
        logger().error("cannot read brokers from ZooKeeper: {}", brokers.error().message());
        return std::nullopt;
    }
    std::vector<BrokerPlacement> out;
    for (const auto& b : brokers.value()) {
        out.push_back(BrokerPlacement{b.id.value(), b.rack});
    }
    return out;
}

TopicOutcome AdminManager::create_partitions(const NewPartitions& topic, bool validate_only,
                                             const std::vector<BrokerPlacement>& brokers) {
    if (has_mixed_racks(brokers)) {
        // Kafka's getBrokerMetadatas throws AdminOperationException, which clients see as
        // UNKNOWN_SERVER_ERROR without a message.
        logger().error(
            "cannot add partitions to {}: not all brokers have rack information for "
            "replica rack aware assignment",
            topic.name);
        return {ErrorCode::unknown_server_error, std::nullopt};
    }
    auto queued = zk_.is_topic_marked_for_deletion(topic.name);
    if (!queued) {
        return fail(ErrorCode::unknown_server_error,
                    "cannot read topic deletions from ZooKeeper: " + queued.error().message());
    }
    if (queued.value()) {
        // Kafka checks its controller's deletion queue, filled from these znodes.
        return fail(ErrorCode::invalid_topic_exception, "The topic is queued for deletion.");
    }
    for (int attempt = 1;; ++attempt) {
        bool retry = false;
        auto outcome = try_create_partitions(topic, validate_only, brokers, retry);
        if (!retry) {
            return outcome;
        }
        if (attempt == kMaxWriteAttempts) {
            return fail(ErrorCode::unknown_server_error,
                        "The topic's assignment kept changing while partitions were added.");
        }
        logger().info("topic {} changed while adding partitions; reading it again", topic.name);
    }
}

TopicOutcome AdminManager::try_create_partitions(const NewPartitions& topic, bool validate_only,
                                                 const std::vector<BrokerPlacement>& brokers,
                                                 bool& retry) {
    auto read = zk_.get_topic_assignment_and_version(topic.name);
    if (!read) {
        return fail(ErrorCode::unknown_server_error,
                    "cannot read the topic from ZooKeeper: " + read.error().message());
    }
    if (!read.value() || read.value()->first.partitions.empty()) {
        return fail(ErrorCode::unknown_topic_or_partition,
                    "The topic '" + topic.name + "' does not exist.");
    }
    auto& [existing, version] = *read.value();
    for (const auto& [p, a] : existing.partitions) {
        if (!a.adding_replicas.empty() || !a.removing_replicas.empty()) {
            // As Kafka: a reassignment rewrites this znode too; adding partitions meanwhile
            // would race with the controller.
            return fail(
                ErrorCode::reassignment_in_progress,
                "A partition reassignment is in progress for the topic '" + topic.name + "'.");
        }
    }
    std::map<int32_t, std::vector<int32_t>> current;
    for (const auto& [p, a] : existing.partitions) {
        auto& ids = current[p];
        for (BrokerId b : a.replicas) {
            ids.push_back(b.value());
        }
    }
    std::map<int32_t, std::vector<int32_t>> added;
    if (auto bad = assign_new_partitions(topic, current, brokers, added);
        bad.error != ErrorCode::none) {
        if (bad.error == ErrorCode::unknown_server_error) {
            logger().error("topic {} has no replicas for partition 0; cannot add partitions",
                           topic.name);
        }
        return bad;
    }
    if (validate_only) {
        return {};
    }
    for (const auto& [p, replicas] : added) {
        auto& a = existing.partitions[p];
        for (int32_t b : replicas) {
            a.replicas.push_back(BrokerId{b});
        }
    }
    auto written = zk_.set_topic_assignment(topic.name, existing, version);
    if (!written) {
        if (written.error() == zk::Errc::bad_version) {
            retry = true;
            return {};
        }
        if (written.error() == zk::Errc::no_node) {
            return fail(ErrorCode::unknown_topic_or_partition,
                        "The topic '" + topic.name + "' does not exist.");
        }
        return fail(ErrorCode::unknown_server_error,
                    "cannot write the topic to ZooKeeper: " + written.error().message());
    }
    logger().info("added {} partitions to topic {} (now {})", added.size(), topic.name,
                  topic.count);
    return {};
}

}  // namespace samsa::api
