#pragma once
// AdminManager: topic administration on behalf of client requests (Kafka's ZkAdminManager and
// the topic half of AdminZkClient): validates CreateTopics and CreatePartitions, places
// replicas (rack-aware, replica_assignment.h), writes the topic to ZooKeeper the way Kafka
// does, and marks topics for deletion. The controller, watching
// ZooKeeper, does the rest (partition state, leaders, LeaderAndIsr).
//
// Thread-safe. Every method may block on ZooKeeper: call them on the I/O pool, never on a
// network thread.

#include "broker/api/replica_assignment.h"
#include "broker/log/log_config.h"
#include "broker/protocol/error_code.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::zk {
class KafkaZkClient;
}
namespace samsa::replica {
class MetadataCache;
}

namespace samsa::api {

struct NewTopic {
    std::string name;
    int32_t num_partitions = -1;                          // -1 = num.partitions
    int16_t replication_factor = -1;                      // -1 = default.replication.factor
    std::map<int32_t, std::vector<int32_t>> assignments;  // explicit replica lists, if any
    std::map<std::string, std::string> configs;
};

// One topic of a CreatePartitions request.
struct NewPartitions {
    std::string name;
    int32_t count = 0;  // the new total
    // Replicas of each added partition, in order; nullopt lets the broker place them.
    std::optional<std::vector<std::vector<int32_t>>> assignments;
};

struct TopicOutcome {
    protocol::ErrorCode error = protocol::ErrorCode::none;
    std::optional<std::string> message;
};

struct AdminDefaults {
    int32_t num_partitions = 1;
    int16_t default_replication_factor = 1;
    bool delete_topic_enable = true;
    log::LogConfig log_config;
};

class AdminManager {
  public:
    AdminManager(zk::KafkaZkClient& zk, replica::MetadataCache& metadata, AdminDefaults defaults);

    // Validates `topic` and, unless `validate_only`, writes /config/topics/<t> and
    // /brokers/topics/<t>.
    TopicOutcome create_topic(const NewTopic& topic, bool validate_only);
    // Writes /admin/delete_topics/<t>; the controller deletes the topic.
    TopicOutcome delete_topic(const std::string& name);

    // Kafka's topic name rules: [a-zA-Z0-9._-]{1,249}, not "." or "..".
    static bool valid_topic_name(std::string_view name, std::string* why = nullptr);

    // Kafka's createPartitions for one topic: validates the new count and any explicit
    // assignment against `brokers` (the registered brokers, read once per request with
    // live_brokers()), places the other replicas after the existing ones and, unless
    // `validate_only`, rewrites /brokers/topics/<t> conditionally on the version it read. The
    // controller's watch on that znode then creates the partitions.
    TopicOutcome create_partitions(const NewPartitions& topic, bool validate_only,
                                   const std::vector<BrokerPlacement>& brokers);
    // The pure half of create_partitions: checks `topic` against the topic's `existing`
    // replicas and `brokers`, and fills `added` with the new partitions' replicas (given, or
    // placed after the existing ones as Kafka's AdminZkClient places them).
    static TopicOutcome assign_new_partitions(
        const NewPartitions& topic, const std::map<int32_t, std::vector<int32_t>>& existing,
        const std::vector<BrokerPlacement>& brokers,
        std::map<int32_t, std::vector<int32_t>>& added);
    // The brokers registered in ZooKeeper with their racks (CreatePartitions reads them there,
    // as Kafka's AdminZkClient does); nullopt if ZooKeeper cannot be read.
    std::optional<std::vector<BrokerPlacement>> registered_brokers();

    const AdminDefaults& defaults() const { return defaults_; }

  private:
    TopicOutcome validate(const NewTopic& topic, const std::vector<BrokerPlacement>& live_brokers,
                          std::map<int32_t, std::vector<int32_t>>& assignment) const;
    // One attempt at create_partitions; Errc::bad_version from the write comes back as
    // `retry`, to read the topic again.
    TopicOutcome try_create_partitions(const NewPartitions& topic, bool validate_only,
                                       const std::vector<BrokerPlacement>& brokers, bool& retry);

    zk::KafkaZkClient& zk_;
    replica::MetadataCache& metadata_;
    const AdminDefaults defaults_;
};

}  // namespace samsa::api
