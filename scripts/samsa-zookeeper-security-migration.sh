#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Kafka's zookeeper-security-migration.sh: sets the ACLs of an existing cluster's znodes to the
# secure layout (then restart the brokers with zookeeper.set.acl=true) or back to open ones.
set -euo pipefail
PROG=samsa-zookeeper-security-migration.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --zookeeper.acl secure|unsecure --zookeeper.connect host:port[/chroot]
          [--zookeeper.auth.digest user:password]
  Run it with the brokers' own ZooKeeper login (zookeeper.auth.digest in their
  server.properties): the secure ACLs give all rights to the login that sets them.
  Rolling it out, as with Kafka: restart the brokers with zookeeper.auth.digest set, run
  this with --zookeeper.acl secure, then restart them with zookeeper.set.acl=true.
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin zookeeper-security-migration "$@"
