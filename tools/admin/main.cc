// samsa-admin: the cluster's administration tool, one subcommand per job (the Kafka scripts'
// counterparts). scripts/samsa-*.sh are thin wrappers that call it:
//
//   samsa-admin configs --zookeeper 127.0.0.1:2181 --describe --entity-type users
//
// A subcommand is a file with a run function and one line in kCommands.

#include "common/logging.h"
#include "tools/admin/acls_command.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/client_commands.h"
#include "tools/admin/command.h"

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

namespace {

using samsa::tools::Command;

constexpr Command kCommands[] = {
    {"configs", "alter and describe topic, broker and user configs (kafka-configs.sh)",
     samsa::tools::run_configs},
    {"acls", "add, remove and list ACLs (kafka-acls.sh)", samsa::admin::run_acls_command},
    {"topics", "create, list, describe, alter and delete topics (kafka-topics.sh)",
     samsa::admin::run_topics},
    {"consumer-groups",
     "list, describe and delete groups, reset offsets (kafka-consumer-groups.sh)",
     samsa::admin::run_consumer_groups},
    {"leader-election", "elect preferred or unclean leaders (kafka-leader-election.sh)",
     samsa::admin::run_leader_election},
    {"reassign-partitions", "move partitions between brokers (kafka-reassign-partitions.sh)",
     samsa::admin::run_reassign_partitions},
    {"dump-log", "print the batches and index entries of segment files (kafka-dump-log.sh)",
     samsa::admin::run_dump_log},
    {"log-dirs", "describe the brokers' log directories (kafka-log-dirs.sh)",
     samsa::admin::run_log_dirs},
    {"delete-records", "delete records below an offset (kafka-delete-records.sh)",
     samsa::admin::run_delete_records},
    {"console-producer", "send lines of standard input as records (kafka-console-producer.sh)",
     samsa::admin::run_console_producer},
    {"console-consumer", "print a topic's records (kafka-console-consumer.sh)",
     samsa::admin::run_console_consumer},
    {"producer-perf-test", "measure producer throughput (kafka-producer-perf-test.sh)",
     samsa::admin::run_producer_perf_test},
    {"consumer-perf-test", "measure consumer throughput (kafka-consumer-perf-test.sh)",
     samsa::admin::run_consumer_perf_test},
    {"zookeeper-security-migration",
     "set the znodes' ACLs to the secure layout or back (zookeeper-security-migration.sh)",
     samsa::tools::run_zookeeper_security_migration},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: samsa-admin <command> [options]\n\ncommands:\n");
    for (const auto& c : kCommands) {
        std::fprintf(out, "  %-29s %s\n", c.name, c.summary);
    }
    std::fprintf(out, "\n'samsa-admin <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
    // The broker code the tool reuses logs at info (connections, ZooKeeper sessions); a tool's
    // output is its answer, as Kafka's tools print it, so only warnings and errors go to stderr.
    samsa::init_logging("warn");
    if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const std::string_view name = argv[1];
    for (const auto& c : kCommands) {
        if (name == c.name) {
            try {
                return c.run(samsa::tools::Args(argv + 2, argv + argc));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "Error: %s\n", e.what());
                return 1;
            }
        }
    }
    std::fprintf(stderr, "samsa-admin: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 1;
}
