#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Lists, describes (offsets and lag, members, state) and deletes consumer groups, resets and
# deletes their offsets, with the flags and output of Kafka 2.8's bin/kafka-consumer-groups.sh.
# A thin wrapper: the work is `samsa-admin consumer-groups`.
set -euo pipefail
PROG=samsa-consumer-groups
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE]
          (--list [--state [STATES]]
           | --describe (--group G ... | --all-groups) [--offsets | --members [--verbose] | --state]
           | --delete (--group G ... | --all-groups)
           | --reset-offsets (--group G | --all-groups) (--topic T[:P,...] ... | --all-topics)
               (--to-earliest | --to-latest | --to-current | --to-offset N | --shift-by N
                | --to-datetime YYYY-MM-DDTHH:mm:SS.sss | --by-duration PnDTnHnMnS)
               [--dry-run | --execute] [--export]
           | --delete-offsets --group G --topic T[:P,...] ...)

  --reset-offsets only plans (prints the new offsets) unless --execute is given; it is
  refused while the group has active members.

  --command-config FILE   client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help              show this help ('samsa-admin consumer-groups --help' lists every option)

Examples:
  $0 --bootstrap-server 127.0.0.1:9092 --describe --group billing
  $0 --bootstrap-server 127.0.0.1:9092 --reset-offsets --group billing --topic orders \\
      --to-earliest --execute
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin consumer-groups "$@"
