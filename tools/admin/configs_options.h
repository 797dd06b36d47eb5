#pragma once
// The options of `samsa-admin configs`, Kafka 2.8's kafka-configs.sh (ConfigCommandOptions):
//
//   --zookeeper <h:p[/chroot]> | --bootstrap-server <h:p> [--command-config <file>]
//   users (ZooKeeper or broker):
//     --alter --entity-type users --entity-name <u>
//         [--add-config 'SCRAM-SHA-256=[iterations=8192,password=pw],SCRAM-SHA-512=[password=pw]']
//         [--delete-config 'SCRAM-SHA-512,...']
//     --describe --entity-type users [--entity-name <u>]
//   topics and brokers (--bootstrap-server only; configs_resources.cc):
//     --alter (--entity-type topics --entity-name <t> | --topic <t>
//              | --entity-type brokers (--entity-name <id> | --entity-default)
//              | --broker <id> | --broker-defaults)
//         [--add-config 'k1=v1,k2=[a,b]' | --add-config-file <file>] [--delete-config k3,k4]
//     --describe [--all] (same entities; the name may be left out to describe them all)

#include "auth/scram_mechanism.h"
#include "tools/admin/command.h"

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
    bool all = false;  // --all: every config, not only the dynamic ones
    // From --entity-type or a shorthand flag (--topic, --broker, --broker-defaults, --user).
    std::string entity_type;
    // --entity-name or a shorthand's value; nullopt with --entity-default (entity_default) or
    // when no entity is named (--describe of them all).
    std::optional<std::string> entity_name;
    bool entity_default = false;
    // Users: the SCRAM credentials to add and the mechanisms to delete.
    std::map<auth::ScramMechanism, ScramAddition> additions;
    std::vector<auth::ScramMechanism> deletions;
    // Topics and brokers: --add-config / --add-config-file and --delete-config, as given.
    std::map<std::string, std::string> configs_to_add;
    std::vector<std::string> configs_to_delete;
    bool help = false;
};

// Throws std::invalid_argument with Kafka's kind of message on bad usage. Reads the
// --add-config-file it names.
ConfigsOptions parse_configs_options(const Args& args);
std::string configs_usage();

// --add-config's value: "SCRAM-SHA-256=[iterations=8192,password=pw],SCRAM-SHA-512=[password=pw]".
std::map<auth::ScramMechanism, ScramAddition> parse_scram_additions(const std::string& text);

// --add-config for topics and brokers (ConfigCommand.parseConfigsToBeAdded): 'k1=v1,k2=[a,b]'
// -> {k1: v1, k2: "a,b"}: split at commas outside brackets, then at '=', brackets dropped, keys
// and values trimmed. Throws std::invalid_argument with Kafka's message for an entry that is not
// key=value.
std::map<std::string, std::string> parse_configs_to_add(const std::string& text);

// --add-config-file: a Java properties file (key=value or key: value lines, # and ! comments).
// Throws std::invalid_argument when the file cannot be read.
std::map<std::string, std::string> read_config_file(const std::string& path);

// One synonym or entry of a DescribeConfigs answer, as --describe prints it.
struct ConfigSynonymView {
    std::string name;
    std::optional<std::string> value;  // null for a sensitive config
    int8_t source = 0;
};

struct ConfigEntryView {
    std::string name;
    std::optional<std::string> value;
    bool sensitive = false;
    int8_t source = 0;
    std::vector<ConfigSynonymView> synonyms;
};

// Kafka's ConfigEntry.ConfigSource name for a wire id (1 -> DYNAMIC_TOPIC_CONFIG, ...).
std::string config_source_name(int8_t source);

// "  key=value sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:key=value, DEFAULT_CONFIG:k=v}"
// (a null value prints as Java prints it: "null").
std::string config_entry_line(const ConfigEntryView& entry);

// The line --describe prints before an entity's entries: "Dynamic configs for topic t are:",
// "All configs for broker 1 are:", "Default configs for brokers in the cluster are:".
std::string describe_header(const std::string& entity_type, const std::optional<std::string>& name,
                            bool all);

// "Completed updating config for topic t." / "Completed updating default config for brokers in
// the cluster."
std::string completed_line(const std::string& entity_type, const std::optional<std::string>& name);

// The two ways of running the command for users (configs_zookeeper.cc, configs_broker.cc).
int alter_users_with_zookeeper(const ConfigsOptions& o);
int describe_users_with_zookeeper(const ConfigsOptions& o);
int alter_users_with_broker(const ConfigsOptions& o);
int describe_users_with_broker(const ConfigsOptions& o);

// Topics and brokers through a broker (configs_resources.cc): IncrementalAlterConfigs for topics,
// AlterConfigs for brokers, DescribeConfigs for both, as Kafka 2.8's ConfigCommand.
int alter_resource_configs(const ConfigsOptions& o);
int describe_resource_configs(const ConfigsOptions& o);

}  // namespace samsa::tools
