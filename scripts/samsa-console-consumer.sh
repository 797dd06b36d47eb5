#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prints a topic's records on standard output, with the flags and output of Kafka 2.8's
# bin/kafka-console-consumer.sh ("Processed a total of N messages" on stderr at exit). A thin
# wrapper: the work is `samsa-admin console-consumer`.
set -euo pipefail
PROG=samsa-console-consumer
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT --topic T [--group G] [--from-beginning]
          [--partition P [--offset N|earliest|latest]] [--max-messages N] [--timeout-ms N]
          [--property print.key=true --property print.partition=true ...]
          [--consumer.config FILE] [--consumer-property K=V ...]
          [--isolation-level read_committed|read_uncommitted]

  Without --group the consumer joins a console-consumer-<random> group and commits nothing,
  as Kafka's does.
  --consumer.config FILE  client properties: security.protocol, sasl.*, ssl.*, group.id, ...
  -h, --help              show this help ('samsa-admin console-consumer --help' lists every option)

Example:
  $0 --bootstrap-server 127.0.0.1:9092 --topic orders --from-beginning \\
      --property print.key=true --max-messages 10
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin console-consumer "$@"
