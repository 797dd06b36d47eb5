// samsa-admin configs --zookeeper: reads and writes /config/users directly, as Kafka 2.8's
// kafka-configs.sh --zookeeper does (AdminZkClient.changeUserOrUserClientIdConfig): the user
// node first, then a users/<user> change notification that every broker applies. Works with
// no broker running, so users can exist before the first broker starts.

#include "auth/sanitizer.h"
#include "auth/scram_credential.h"
#include "tools/admin/configs_options.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <cstdio>

namespace samsa::tools {

namespace {

constexpr int kSaltBytes = 24;

std::unique_ptr<zk::ZooKeeperClient> connect_or_throw(const ConfigsOptions& o) {
    const std::string& connect = o.zookeeper;
    zk::ZooKeeperClientOptions options;
    options.connect_string = connect;
    if (!o.zookeeper_auth_digest.empty()) {
        // The brokers' login: the secure ACLs it creates give it (and them) all rights.
        options.auth_scheme = "digest";
        options.auth_credentials = o.zookeeper_auth_digest;
        options.acl_provider = [](const std::string& path) {
            return zk::ZkData::default_acls(true, path);
        };
    }
    options.session_timeout_ms = 30000;
    options.connection_timeout_ms = 30000;
    auto client = zk::ZooKeeperClient::connect(options);
    if (!client) {
        throw std::runtime_error("cannot connect to ZooKeeper at " + connect + ": " +
                                 client.error().message());
    }
    return std::move(client).value();
}

template <typename T>
T value_or_throw(result<T> r, const std::string& what) {
    if (!r) {
        throw std::runtime_error(what + ": " + r.error().message());
    }
    return std::move(r).value();
}

std::string describe_line(const std::string& user, const zk::ConfigMap& config) {
    std::string configs;
    for (const auto& [k, v] : config) {
        configs += (configs.empty() ? "" : ",") + k + "=" + v;
    }
    return "Configs for user-principal '" + user + "' are " + configs + "\n";
}

}  // namespace

int alter_users_with_zookeeper(const ConfigsOptions& o) {
    auto client = connect_or_throw(o);
    zk::KafkaZkClient zk(*client);
    const std::string sanitized = auth::sanitize(*o.entity_name);
    zk::ConfigMap config =
        value_or_throw(zk.get_entity_configs(zk::kConfigTypeUser, sanitized), "reading the user");
    for (const auto m : o.deletions) {
        config.erase(std::string(auth::mechanism_name(m)));
    }
    for (const auto& [m, add] : o.additions) {
        config[std::string(auth::mechanism_name(m))] =
            auth::format_scram_credential(auth::derive_scram_credential(
                m, add.password, auth::random_bytes(kSaltBytes), add.iterations));
    }
    if (auto r = zk.change_entity_configs(zk::kConfigTypeUser, sanitized, config); !r) {
        throw std::runtime_error("writing the user: " + r.error().message());
    }
    std::printf("Completed updating config for entity: user-principal '%s'.\n",
                o.entity_name->c_str());
    return 0;
}

int describe_users_with_zookeeper(const ConfigsOptions& o) {
    auto client = connect_or_throw(o);
    zk::KafkaZkClient zk(*client);
    std::vector<std::string> users;
    if (o.entity_name) {
        users.push_back(auth::sanitize(*o.entity_name));
    } else {
        users = value_or_throw(zk.get_all_entities(zk::kConfigTypeUser), "listing users");
    }
    for (const auto& sanitized : users) {
        auto config = value_or_throw(zk.get_entity_configs(zk::kConfigTypeUser, sanitized),
                                     "reading user " + sanitized);
        const std::string name = auth::desanitize(sanitized).value_or(sanitized);
        std::fputs(describe_line(name, config).c_str(), stdout);
    }
    return 0;
}

}  // namespace samsa::tools
