#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prints the batches, records and index entries of a partition's segment files, offline (no
# broker needed), with the flags and output of Kafka 2.8's bin/kafka-dump-log.sh.
# A thin wrapper: the work is `samsa-admin dump-log`.
set -euo pipefail
PROG=samsa-dump-log
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --files FILE[,FILE...] [--print-data-log] [--deep-iteration]
          [--verify-index-only] [--index-sanity-check] [--max-message-size BYTES]

  --files               segment files of one partition's directory: <base>.log,
                        <base>.index, <base>.timeindex (an index is checked against its .log)
  --print-data-log      print each record's key and payload (implies --deep-iteration)
  --deep-iteration      print a line per record, decompressing compressed batches
  --verify-index-only   check the index entries without printing them
  --index-sanity-check  only the check the broker runs on an index at startup
  --max-message-size    the largest batch an index entry may point at (default 5242880)
  -h, --help            show this help ('samsa-admin dump-log --help' lists every option)

Mismatches between an index and its log are reported on stderr after the dump.

Examples:
  $0 --files /var/lib/samsa/data/orders-0/00000000000000000000.log --print-data-log
  $0 --files /var/lib/samsa/data/orders-0/00000000000000000000.index --verify-index-only
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin dump-log "$@"
