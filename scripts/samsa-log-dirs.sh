#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Describes the brokers' log directories (per partition replica: size, offset lag, future), with
# the flags and output of Kafka 2.8's bin/kafka-log-dirs.sh. A thin wrapper: the work is
# `samsa-admin log-dirs`.
set -euo pipefail
PROG=samsa-log-dirs
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE] --describe
          [--broker-list 1,2,3] [--topic-list t1,t2]

  --describe              query the brokers (DescribeLogDirs) and print Kafka's JSON document:
                          {"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"...",
                          "error":null,"partitions":[{"partition":"t-0","size":N,
                          "offsetLag":0,"isFuture":false}]}]}]}
  --broker-list LIST      the brokers to query (default: every live broker)
  --topic-list LIST       only these topics' partitions (default: all)
  --command-config FILE   client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help              show this help

Example:
  $0 --bootstrap-server 127.0.0.1:9092 --describe --topic-list orders
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin log-dirs "$@"
