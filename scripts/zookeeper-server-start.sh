#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts a ZooKeeper server (Debian's `zookeeper` package) from a zoo.cfg-style properties file,
# like Kafka's bin/zookeeper-server-start.sh. Foreground by default; -daemon runs it in the
# background with its output in $LOG_DIR/zookeeper.out and its pid in $PID_DIR/zookeeper.pid
# (used by zookeeper-server-stop.sh).
set -euo pipefail
PROG=zookeeper-server-start
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 [-daemon] zookeeper.properties
  Runs ZooKeeper's QuorumPeerMain with the given configuration (e.g. config/zookeeper.properties).
  -daemon      run in the background; output to \$LOG_DIR/zookeeper.out, pid in \$PID_DIR/zookeeper.pid
  -h, --help   show this help
Environment:
  LOG_DIR               daemon output and ZooKeeper's zookeeper.log.dir (default: $SAMSA_ROOT/logs)
  PID_DIR               where the pid file goes (default: \$LOG_DIR)
  JAVA                  java binary (default: \$JAVA_HOME/bin/java, else java on PATH)
  ZOOKEEPER_HEAP_OPTS   heap flags (default: -Xmx512M -Xms512M, as Kafka's script)
  ZOOKEEPER_OPTS        extra JVM flags
  ZOOKEEPER_CLASSPATH   class path (default: Debian's /etc/zookeeper/conf and jars)
  ZOOKEEPER_SUPER_DIGEST  user:password of a ZooKeeper super user, who passes every znode ACL
                        (for operators of a cluster with zookeeper.set.acl=true: the server is
                        given only its digest, user:base64(sha1(user:password)))
USAGE
}

read_start_args 0 "$@"
config=$(config_file_path "${start_args[0]}")

if [ -n "${JAVA_HOME:-}" ]; then
    JAVA=${JAVA:-$JAVA_HOME/bin/java}
fi
JAVA=${JAVA:-java}
command -v "$JAVA" >/dev/null || die "java not found (install Debian's 'zookeeper' package: scripts/install-deps.sh)"
jars=/usr/share/java
[ -f "$jars/zookeeper.jar" ] || [ -n "${ZOOKEEPER_CLASSPATH:-}" ] ||
    die "ZooKeeper not found ($jars/zookeeper.jar); install Debian's 'zookeeper' package (scripts/install-deps.sh)"
# zookeeper.jar's manifest brings its own dependencies; log4j and its slf4j binding are added so
# the server logs instead of falling back to slf4j's no-op logger. /etc/zookeeper/conf provides
# log4j.properties, whose CONSOLE appender writes to stdout.
ZOOKEEPER_CLASSPATH=${ZOOKEEPER_CLASSPATH:-/etc/zookeeper/conf:$jars/zookeeper.jar:$jars/slf4j-log4j12.jar:$jars/log4j-1.2.jar}
read -r -a heap_opts <<<"${ZOOKEEPER_HEAP_OPTS:--Xmx512M -Xms512M}"
read -r -a extra_opts <<<"${ZOOKEEPER_OPTS:-}"

if [ -n "${ZOOKEEPER_SUPER_DIGEST:-}" ]; then
    [[ "$ZOOKEEPER_SUPER_DIGEST" == *:* ]] || die "ZOOKEEPER_SUPER_DIGEST must be user:password"
    super_user=${ZOOKEEPER_SUPER_DIGEST%%:*}
    super_hash=$(printf '%s' "$ZOOKEEPER_SUPER_DIGEST" | openssl dgst -sha1 -binary | openssl base64 -A)
    extra_opts+=("-Dzookeeper.DigestAuthenticationProvider.superDigest=$super_user:$super_hash")
fi

mkdir -p "$LOG_DIR"
cmd=("$JAVA" "${heap_opts[@]}" "${extra_opts[@]}"
    "-Dzookeeper.log.dir=$LOG_DIR" "-Dzookeeper.root.logger=INFO,CONSOLE"
    -cp "$ZOOKEEPER_CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$config")

if [ "$daemon" -eq 0 ]; then
    exec "${cmd[@]}"
fi

pidfile=$PID_DIR/zookeeper.pid
refuse_if_running "$pidfile" ZooKeeper
start_daemon ZooKeeper "$LOG_DIR/zookeeper.out" "$pidfile" "$config" -- "${cmd[@]}"
