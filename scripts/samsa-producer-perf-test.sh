#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Measures producer throughput and latency, with the flags and output of Kafka 2.8's
# bin/kafka-producer-perf-test.sh. A thin wrapper: the work is `samsa-admin producer-perf-test`.
set -euo pipefail
PROG=samsa-producer-perf-test
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --topic T --num-records N (--record-size S | --payload-file F)
          --throughput R [--producer-props K=V ...] [--producer.config FILE]
          [--payload-delimiter D] [--print-metrics]

  bootstrap.servers comes from --producer-props or --producer.config, as in Kafka.
  --throughput -1 sends as fast as the producer can.
  -h, --help              show this help ('samsa-admin producer-perf-test --help' lists every option)

Example:
  $0 --topic perf --num-records 100000 --record-size 100 --throughput -1 \\
      --producer-props bootstrap.servers=127.0.0.1:9092 acks=all
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin producer-perf-test "$@"
