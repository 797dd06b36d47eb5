#pragma once
// samsa-admin subcommands: each is one file with a `run_<name>(args)` entry, listed in the
// table in main.cc. A subcommand gets its arguments after the subcommand name, prints its
// results on stdout and its errors on stderr, and returns the process exit code.

#include <string>
#include <vector>

namespace samsa::tools {

using Args = std::vector<std::string>;

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
};

// `configs`: Kafka's kafka-configs.sh for SCRAM users (configs_command.cc).
int run_configs(const Args& args);
// `zookeeper-security-migration`: Kafka's tool of that name
// (zookeeper_security_migration_command.cc).
int run_zookeeper_security_migration(const Args& args);

}  // namespace samsa::tools
