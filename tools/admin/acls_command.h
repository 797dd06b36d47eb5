#pragma once
// `samsa-admin acls`: Kafka's kafka-acls.sh against a running cluster (--bootstrap-server).

#include <string>
#include <vector>

namespace samsa::admin {

// Runs the subcommand with its arguments (after "acls"); returns the exit status.
int run_acls_command(const std::vector<std::string>& args);

}  // namespace samsa::admin
