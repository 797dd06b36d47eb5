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
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --timeout)
            [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
            timeout=$2
            shift 2
            ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done

is_zookeeper() { [[ "$2" == *org.apache.zookeeper.server.quorum.QuorumPeerMain* ]]; }

pidfile=$PID_DIR/zookeeper.pid
if [ -f "$pidfile" ]; then
    if ! pid=$(pid_file_process "$pidfile"); then
        rm -f "$pidfile"
        note "ZooKeeper from $pidfile is not running (stale pid file removed)"
        exit 0
    fi
    pids=("$pid")
    note "stopping ZooKeeper (pid $pid, from $pidfile)"
else
    mapfile -t pids < <(find_processes is_zookeeper)
    if [ "${#pids[@]}" -eq 0 ]; then
        echo "No zookeeper server to stop"
        exit 1
    fi
    note "no pid file in $PID_DIR; stopping every ZooKeeper server on this machine: pid ${pids[*]}"
fi
terminate_and_wait "$timeout" "${pids[@]}"
rm -f "$pidfile"
note "stopped"
