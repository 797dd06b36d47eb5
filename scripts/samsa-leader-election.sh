#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Elects partition leaders (the preferred replica, or an out-of-sync one), with the flags and
# output of Kafka 2.8's bin/kafka-leader-election.sh.
# A thin wrapper: the work is `samsa-admin leader-election`.
set -euo pipefail
PROG=samsa-leader-election
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--admin.config FILE | --command-config FILE]
          --election-type (preferred | unclean)
          (--all-topic-partitions | --topic T --partition P | --path-to-json-file FILE)

  --path-to-json-file FILE  {"partitions": [{"topic": "foo", "partition": 1}, ...]}

  --command-config FILE   client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help              show this help ('samsa-admin leader-election --help' lists every option)

Examples:
  $0 --bootstrap-server 127.0.0.1:9092 --election-type preferred --all-topic-partitions
  $0 --bootstrap-server 127.0.0.1:9092 --election-type unclean --topic orders --partition 0
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin leader-election "$@"
