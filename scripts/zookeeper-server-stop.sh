#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops ZooKeeper servers, like Kafka's bin/zookeeper-server-stop.sh, with one difference: when
# $PID_DIR/zookeeper.pid exists (written by zookeeper-server-start.sh -daemon) only that server is
# stopped. Without a pid file it falls back to Kafka's behaviour and stops every ZooKeeper server
# (QuorumPeerMain) running on this machine. SIGTERM, then waits for the servers to exit.
set -euo pipefail
PROG=zookeeper-server-stop
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 [--timeout SECONDS]
  Stops the ZooKeeper server recorded in \$PID_DIR/zookeeper.pid; without that file, stops every
  ZooKeeper server (QuorumPeerMain) on this machine, as Kafka's script does.
  --timeout SECONDS   how long to wait for exit after SIGTERM (default: 30)
  -h, --help          show this help
Environment:
  LOG_DIR, PID_DIR    where zookeeper-server-start.sh -daemon put the pid file
                      (default: $SAMSA_ROOT/logs)
USAGE
}

timeout=30
read_stop_args "$@"

is_zookeeper() { [[ "$2" == *org.apache.zookeeper.server.quorum.QuorumPeerMain* ]]; }

stop_servers "$PID_DIR/zookeeper.pid" "$timeout" is_zookeeper "ZooKeeper" "ZooKeeper server" \
    "No zookeeper server to stop"
