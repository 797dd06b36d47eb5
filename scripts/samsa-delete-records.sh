#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deletes the records of partitions below given offsets (moves their log start offset), with
# the flags and output of Kafka 2.8's bin/kafka-delete-records.sh. A thin wrapper: the work is
# `samsa-admin delete-records`.
set -euo pipefail
PROG=samsa-delete-records
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE] --offset-json-file FILE

  --offset-json-file FILE  the partitions and offsets, e.g.
                           {"partitions":[{"topic":"orders","partition":0,"offset":3}],"version":1}
                           (offset -1: the partition's high watermark, i.e. delete everything)
  --command-config FILE    client properties: security.protocol, sasl.*, ssl.*, client.id
  -h, --help               show this help

Prints "partition: orders-0<TAB>low_watermark: 3" per partition, or the partition's error.
Example:
  $0 --bootstrap-server 127.0.0.1:9092 --offset-json-file delete.json
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin delete-records "$@"
