#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Adds, removes and lists ACLs, like Kafka's bin/kafka-acls.sh (same flags and output): a
# wrapper around `samsa-admin acls`.
set -euo pipefail
PROG=samsa-acls
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server host:port (--add | --remove | --list) [options]
  Manages the ACLs of a cluster whose brokers run the ACL authorizer
  (authorizer.class.name=kafka.security.authorizer.AclAuthorizer). Examples:
    $0 --bootstrap-server 127.0.0.1:9092 --add --allow-principal User:alice \\
        --operation Read --operation Describe --topic orders
    $0 --bootstrap-server 127.0.0.1:9092 --add --deny-principal User:bob --operation Write \\
        --topic secret- --resource-pattern-type prefixed
    $0 --bootstrap-server 127.0.0.1:9092 --add --allow-principal User:app --producer --topic orders
    $0 --bootstrap-server 127.0.0.1:9092 --remove --force --topic orders
    $0 --bootstrap-server 127.0.0.1:9092 --list
  Options (Kafka's): --bootstrap-server, --command-config, --add, --remove, --list,
    --topic, --group, --cluster, --transactional-id, --delegation-token,
    --resource-pattern-type literal|prefixed|any|match, --allow-principal, --deny-principal,
    --allow-host, --deny-host, --operation (repeatable; default All), --producer, --consumer,
    --idempotent, --principal (with --list), --force.
  -h, --help   show this help (and the full option list of samsa-admin acls)
Environment:
  SAMSA_ADMIN_BIN   the admin tool (default: $SAMSA_ROOT/build/tools/admin/samsa-admin,
                    else samsa-admin on PATH)
USAGE
}

for arg in "$@"; do
    case "$arg" in
        -h | --help)
            usage
            admin=$(find_admin 2>/dev/null) && { echo; "$admin" acls --help; }
            exit 0
            ;;
    esac
done
[ $# -gt 0 ] || { usage >&2; exit 1; }
exec "$(find_admin)" acls "$@"
