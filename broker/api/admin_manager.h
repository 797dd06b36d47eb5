#pragma once
// AdminManager: topic administration on behalf of client requests (Kafka's ZkAdminManager and
// the topic half of AdminZkClient): validates CreateTopics, places replicas, writes the topic
// to ZooKeeper the way Kafka does, and marks topics for deletion. The controller, watching
// ZooKeeper, does the rest (partition state, leaders, LeaderAndIsr).
//
// Thread-safe. Every method may block on ZooKeeper: call them on the I/O pool, never on a
// network thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/log/log_config.h"
#include "broker/protocol/error_code.h"

namespace samsa::zk {
class KafkaZkClient;
}
namespace samsa::replica {
class MetadataCache;
}

namespace samsa::api {

struct NewTopic {
    std::string name;
    int32_t num_partitions = -1;       // -1 = num.partitions
    int16_t replication_factor = -1;   // -1 = default.replication.factor
    std::map<int32_t, std::vector<int32_t>> assignments;  // explicit replica lists, if any
    std::map<std::string, std::string> configs;
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

    // Rack-unaware replica placement (Kafka's AdminUtils.assignReplicasToBrokers) with the
    // random start and shift passed in, so tests can pin them.
    static std::map<int32_t, std::vector<int32_t>> assign_replicas(
        const std::vector<int32_t>& brokers, int32_t partitions, int16_t replication_factor,
        int32_t start_index, int32_t shift);

    const AdminDefaults& defaults() const { return defaults_; }

private:
    TopicOutcome validate(const NewTopic& topic, const std::vector<int32_t>& live_brokers,
                          std::map<int32_t, std::vector<int32_t>>& assignment) const;

    zk::KafkaZkClient& zk_;
    replica::MetadataCache& metadata_;
    const AdminDefaults defaults_;
};

}  // namespace samsa::api
