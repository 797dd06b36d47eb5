// KafkaZkClient: entity configs and config change notifications (Kafka's
// AdminZkClient.changeConfigs / fetchEntityConfig and ZkNodeChangeNotificationListener's reads).
// A writer sets /config/<type>/<name>, then creates /config/changes/config_change_<seq> naming
// the entity; every broker watches /config/changes and re-reads the entities named.

#include "zk/kafka_zk_client.h"

#include <algorithm>

namespace samsa::zk {

result<ConfigMap> KafkaZkClient::get_entity_configs(std::string_view entity_type,
                                                    std::string_view entity_name) {
    auto response = zk_.get_data(ConfigEntityZNode::path(entity_type, entity_name));
    if (!response) {
        if (response.error() == Errc::no_node) {
            return ConfigMap{};
        }
        return response.error();
    }
    return ConfigEntityZNode::decode(response.value().data);
}

result<std::vector<std::string>> KafkaZkClient::get_all_entities(std::string_view entity_type) {
    return get_children(ConfigEntityTypeZNode::path(entity_type));
}

result<void> KafkaZkClient::change_entity_configs(std::string_view entity_type,
                                                  std::string_view entity_name,
                                                  const ConfigMap& config) {
    SAMSA_TRY(set_or_create_entity_configs(entity_type, entity_name, config));
    return create_config_change_notification(std::string(entity_type) + "/" +
                                             std::string(entity_name));
}

result<void> KafkaZkClient::create_config_change_notification(std::string_view entity_path) {
    SAMSA_TRY(zk_.create_recursive(ConfigEntityChangeNotificationZNode::path()));
    SAMSA_TRY(zk_.create(CreateOp{ConfigEntityChangeNotificationSequenceZNode::path(),
                                  ConfigEntityChangeNotificationSequenceZNode::encode(entity_path),
                                  CreateMode::persistent_sequential,
                                  {}}));
    return success();
}

result<std::vector<std::string>> KafkaZkClient::get_config_change_notifications(bool watch) {
    SAMSA_TRY(auto children, get_children(ConfigEntityChangeNotificationZNode::path(), watch));
    constexpr std::string_view prefix =
        ConfigEntityChangeNotificationSequenceZNode::kSequenceNumberPrefix;
    std::vector<std::string> sequence_numbers;
    for (const std::string& child : children) {
        if (child.starts_with(prefix)) {
            sequence_numbers.push_back(child.substr(prefix.size()));
        }
    }
    std::sort(sequence_numbers.begin(), sequence_numbers.end());  // fixed-width numbers
    return sequence_numbers;
}

result<std::optional<std::string>> KafkaZkClient::get_config_change_notification(
    const std::string& sequence_number) {
    auto response =
        zk_.get_data(ConfigEntityChangeNotificationSequenceZNode::path(sequence_number));
    if (!response) {
        if (response.error() == Errc::no_node) {
            return std::optional<std::string>();
        }
        return response.error();
    }
    if (!response.value().data) {
        return make_error_code(Errc::malformed_data);
    }
    SAMSA_TRY(auto entity_path,
              ConfigEntityChangeNotificationSequenceZNode::decode(*response.value().data));
    return std::optional<std::string>(std::move(entity_path));
}

result<void> KafkaZkClient::purge_config_change_notifications(
    const std::vector<std::string>& sequence_numbers, int64_t now_ms, int64_t max_age_ms) {
    for (const std::string& seq : sequence_numbers) {
        const std::string path = ConfigEntityChangeNotificationSequenceZNode::path(seq);
        SAMSA_TRY(auto stat, zk_.exists(path));
        if (!stat || stat->ctime >= now_ms - max_age_ms) {
            continue;
        }
        auto deleted = zk_.delete_node(DeleteOp{path, kMatchAnyVersion});
        if (!deleted && deleted.error() != Errc::no_node) {
            return deleted.error();
        }
    }
    return success();
}

}  // namespace samsa::zk
