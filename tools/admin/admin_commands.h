#pragma once
// The subcommands that mirror Kafka's AdminClient tools, one file each (listed in main.cc).

#include "tools/admin/command.h"

namespace samsa::admin {

// `topics`: kafka-topics.sh (topics_command.cc).
int run_topics(const tools::Args& args);
// `consumer-groups`: kafka-consumer-groups.sh (consumer_groups_command.cc).
int run_consumer_groups(const tools::Args& args);
// `leader-election`: kafka-leader-election.sh (leader_election_command.cc).
int run_leader_election(const tools::Args& args);
// `reassign-partitions`: kafka-reassign-partitions.sh (reassign_partitions_command.cc).
int run_reassign_partitions(const tools::Args& args);
// `dump-log`: kafka-dump-log.sh, offline on segment files (dump_log_command.cc).
int run_dump_log(const tools::Args& args);
// `log-dirs`: kafka-log-dirs.sh (log_dirs_command.cc).
int run_log_dirs(const tools::Args& args);
// `delete-records`: kafka-delete-records.sh (delete_records_command.cc).
int run_delete_records(const tools::Args& args);

}  // namespace samsa::admin
