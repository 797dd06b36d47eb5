#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Moves partition replicas between brokers, with the flags, JSON and output of Kafka 2.8's
# bin/kafka-reassign-partitions.sh --bootstrap-server (throttles are not supported yet).
# A thin wrapper: the work is `samsa-admin reassign-partitions`.
set -euo pipefail
PROG=samsa-reassign-partitions
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE]
          (--generate --topics-to-move-json-file FILE --broker-list 1,2,3
           | --execute --reassignment-json-file FILE [--additional]
           | --verify --reassignment-json-file FILE
           | --cancel --reassignment-json-file FILE
           | --list)

  --topics-to-move-json-file   {"topics": [{"topic": "foo"}], "version": 1}
  --reassignment-json-file     {"version": 1, "partitions": [{"topic": "foo", "partition": 0,
                               "replicas": [1, 2], "log_dirs": ["any", "any"]}]}

  --command-config FILE   client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help              show this help ('samsa-admin reassign-partitions --help' lists every option)

Examples:
  $0 --bootstrap-server 127.0.0.1:9092 --generate --topics-to-move-json-file move.json \\
      --broker-list 1,2,3
  $0 --bootstrap-server 127.0.0.1:9092 --execute --reassignment-json-file plan.json
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin reassign-partitions "$@"
