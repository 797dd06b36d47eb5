#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Measures consumer throughput, with the flags and output of Kafka 2.8's
# bin/kafka-consumer-perf-test.sh. A thin wrapper: the work is `samsa-admin consumer-perf-test`.
set -euo pipefail
PROG=samsa-consumer-perf-test
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT --topic T --messages N [--group G]
          [--fetch-size BYTES] [--timeout MS] [--show-detailed-stats]
          [--reporting-interval MS] [--hide-header] [--from-latest] [--consumer.config FILE]

  --consumer.config FILE  client properties: security.protocol, sasl.*, ssl.*
  -h, --help              show this help ('samsa-admin consumer-perf-test --help' lists every option)

Example:
  $0 --bootstrap-server 127.0.0.1:9092 --topic perf --messages 100000
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin consumer-perf-test "$@"
