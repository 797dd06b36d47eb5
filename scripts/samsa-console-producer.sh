#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Reads lines from standard input and sends each as a record, with the flags and messages of
# Kafka 2.8's bin/kafka-console-producer.sh. A thin wrapper: the work is
# `samsa-admin console-producer`.
set -euo pipefail
PROG=samsa-console-producer
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT --topic T [--producer.config FILE]
          [--producer-property K=V ...] [--property parse.key=true --property key.separator=:]
          [--request-required-acks -1|0|1] [--compression-codec [none|gzip|snappy|lz4|zstd]]
          [--sync] [--batch-size N] [--timeout MS]

  Each line of standard input becomes one record (with parse.key=true, the text before
  key.separator is its key).
  --producer.config FILE  client properties: security.protocol, sasl.*, ssl.*, acks, ...
  -h, --help              show this help ('samsa-admin console-producer --help' lists every option)

Example:
  printf 'user1:hello\\nuser2:world\\n' | $0 --bootstrap-server 127.0.0.1:9092 --topic orders \\
      --property parse.key=true --property key.separator=:
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin console-producer "$@"
