#pragma once
// The options of `samsa-admin configs`, Kafka's kafka-configs.sh flags for SCRAM users:
//
//   --zookeeper <h:p[/chroot]> | --bootstrap-server <h:p> [--command-config <file>]
//   --alter --entity-type users --entity-name <u>
//       [--add-config 'SCRAM-SHA-256=[iterations=8192,password=pw],SCRAM-SHA-512=[password=pw]']
//       [--delete-config 'SCRAM-SHA-512,...']
//   --describe --entity-type users [--entity-name <u>]

#include "tools/admin/command.h"

#include "auth/scram_mechanism.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::tools {

struct ScramAddition {
    int32_t iterations = auth::kScramMinIterations;  // Kafka's default, 4096
    std::string password;
};

struct ConfigsOptions {
    std::string zookeeper;
    // --zookeeper.auth.digest user:password: log in to a zookeeper.set.acl=true cluster as its
    // brokers do, and create znodes with the same secure ACLs (Kafka takes this from JAAS).
    std::string zookeeper_auth_digest;
    std::string bootstrap_server;
    std::string command_config;
    bool alter = false;
    bool describe = false;
    std::string entity_type;
    std::optional<std::string> entity_name;
    std::map<auth::ScramMechanism, ScramAddition> additions;
    std::vector<auth::ScramMechanism> deletions;
    bool help = false;
};

// Throws std::invalid_argument with Kafka's kind of message on bad usage.
ConfigsOptions parse_configs_options(const Args& args);
std::string configs_usage();

// --add-config's value: "SCRAM-SHA-256=[iterations=8192,password=pw],SCRAM-SHA-512=[password=pw]".
std::map<auth::ScramMechanism, ScramAddition> parse_scram_additions(const std::string& text);

// The two ways of running the command (configs_zookeeper.cc, configs_broker.cc).
int alter_users_with_zookeeper(const ConfigsOptions& o);
int describe_users_with_zookeeper(const ConfigsOptions& o);
int alter_users_with_broker(const ConfigsOptions& o);
int describe_users_with_broker(const ConfigsOptions& o);

}  // namespace samsa::tools
