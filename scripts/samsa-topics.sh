#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Creates, lists, describes, alters (partition count) and deletes topics, with the flags and
# output of Kafka 2.8's bin/kafka-topics.sh --bootstrap-server. A thin wrapper: the work is
# `samsa-admin topics`.
set -euo pipefail
PROG=samsa-topics
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE]
          (--create --topic T [--partitions N] [--replication-factor R]
                    [--replica-assignment 1:2,2:3,...] [--config K=V ...] [--if-not-exists]
           | --list [--topic REGEX] [--exclude-internal]
           | --describe [--topic REGEX] [--exclude-internal] [--if-exists]
                    [--under-replicated-partitions | --unavailable-partitions
                     | --under-min-isr-partitions | --at-min-isr-partitions]
           | --alter --topic REGEX --partitions N [--replica-assignment ...] [--if-exists]
           | --delete --topic REGEX [--if-exists])

  --topic accepts a regular expression (a comma means "or") except with --create.
  --alter takes no --config with --bootstrap-server (Kafka 2.8 refuses it too): change a
  topic's configs with samsa-configs.sh --alter --entity-type topics --entity-name T
  --add-config K=V.
  --command-config FILE   client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help              show this help ('samsa-admin topics --help' lists every option)

Examples:
  $0 --bootstrap-server 127.0.0.1:9092 --create --topic orders --partitions 3 \\
      --replication-factor 3 --config retention.ms=86400000
  $0 --bootstrap-server 127.0.0.1:9092 --describe --topic 'orders|payments'
  $0 --bootstrap-server 127.0.0.1:9092 --describe --under-replicated-partitions
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin topics "$@"
