// KafkaZkClient: the ACL store of AclAuthorizer (Kafka's ZkAclStore and the ACL methods of
// KafkaZkClient.scala). The znodes' content is the authorizer's (auth/acl_json.h); here only
// paths, versions and the conditional writes of its read-modify-write loop. See
// kafka_zk_client.h.

#include "zk/kafka_zk_client.h"

#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

namespace samsa::zk {

result<void> KafkaZkClient::create_acl_paths(const std::vector<std::string>& resource_types) {
    for (const bool prefixed : {false, true}) {
        SAMSA_TRY(zk_.create_recursive(AclZNodes::store_path(prefixed)));
        for (const std::string& type : resource_types) {
            SAMSA_TRY(zk_.create_recursive(AclZNodes::type_path(prefixed, type)));
        }
        SAMSA_TRY(zk_.create_recursive(AclZNodes::change_path(prefixed)));
    }
    return success();
}

result<VersionedData> KafkaZkClient::get_versioned_data(const std::string& path) {
    auto response = zk_.get_data(path);
    if (!response) {
        if (response.error() == Errc::no_node) {
            return VersionedData{};
        }
        return response.error();
    }
    return VersionedData{std::move(response.value().data), response.value().stat.version};
}

result<bool> KafkaZkClient::conditional_set_data(const std::string& path, const std::string& data,
                                                 int32_t expected_version) {
    auto set = zk_.set_data(SetDataOp{path, data, expected_version});
    if (!set && (set.error() == Errc::bad_version || set.error() == Errc::no_node)) {
        return false;
    }
    if (!set) {
        return set.error();
    }
    return true;
}

result<bool> KafkaZkClient::create_if_not_exists(const std::string& path, const std::string& data) {
    auto created = zk_.create_recursive(path, data, /*fail_if_exists=*/true);
    if (!created && created.error() == Errc::node_exists) {
        return false;
    }
    if (!created) {
        return created.error();
    }
    return true;
}

result<bool> KafkaZkClient::conditional_delete(const std::string& path, int32_t expected_version) {
    auto deleted = zk_.delete_node(DeleteOp{path, expected_version});
    if (!deleted && deleted.error() == Errc::bad_version) {
        return false;
    }
    if (!deleted && deleted.error() != Errc::no_node) {
        return deleted.error();
    }
    return true;
}

result<void> KafkaZkClient::create_acl_change_notification(bool prefixed, const std::string& data) {
    SAMSA_TRY(zk_.create(
        CreateOp{AclZNodes::change_path(prefixed) + "/" + std::string(AclZNodes::kChangePrefix),
                 data,
                 CreateMode::persistent_sequential,
                 {}}));
    return success();
}

}  // namespace samsa::zk
