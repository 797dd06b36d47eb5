#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Adds, deletes and describes SCRAM user credentials, with the flags of Kafka's
# bin/kafka-configs.sh (users only). A thin wrapper: the work is `samsa-admin configs`.
set -euo pipefail
PROG=samsa-configs
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 (--zookeeper HOST:PORT[/CHROOT] | --bootstrap-server HOST:PORT [--command-config FILE])
          (--alter --entity-type users --entity-name USER [--add-config CONFIGS] [--delete-config NAMES]
           | --describe --entity-type users [--entity-name USER])

  --zookeeper HOST:PORT[/CHROOT]  write /config/users/<user> in ZooKeeper directly (works before
                                  any broker runs); brokers pick the change up at once
  --bootstrap-server HOST:PORT    go through a broker (AlterUserScramCredentials to the
                                  controller, DescribeUserScramCredentials)
  --command-config FILE           client properties for --bootstrap-server: security.protocol,
                                  sasl.mechanism, sasl.jaas.config
  --add-config CONFIGS            e.g. 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],
                                  SCRAM-SHA-512=[password=alice-secret]' (iterations default 4096)
  --delete-config NAMES           e.g. 'SCRAM-SHA-512' (comma-separated)
  -h, --help                      show this help

Examples:
  $0 --zookeeper 127.0.0.1:2181 --alter --entity-type users --entity-name alice \\
      --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'
  $0 --bootstrap-server 127.0.0.1:9093 --command-config admin.properties \\
      --describe --entity-type users
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
    esac
done
[ $# -gt 0 ] || { usage >&2; exit 1; }

exec "$(find_admin)" configs "$@"
