#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops Samsa brokers, like Kafka's bin/kafka-server-stop.sh: SIGTERM (the broker then shuts
# down cleanly, with a controlled shutdown when enabled), then waits, up to a bound, for them to
# exit. When $PID_DIR/samsaServer.pid exists (written by samsa-server-start.sh -daemon) only that
# broker is stopped; without it, every samsa-broker process on this machine is, as Kafka does.
set -euo pipefail
PROG=samsa-server-stop
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 [--timeout SECONDS]
  Stops the broker recorded in \$PID_DIR/samsaServer.pid; without that file, stops every
  samsa-broker process on this machine, as Kafka's script does.
  --timeout SECONDS   how long to wait for exit after SIGTERM (default: 60); a broker still
                      running then is reported (exit status 1), not killed
  -h, --help          show this help
Environment:
  LOG_DIR, PID_DIR    where samsa-server-start.sh -daemon put the pid file
                      (default: $SAMSA_ROOT/logs)
USAGE
}

timeout=60
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

# A broker is a process whose program (argv[0]) is called samsa-broker.
is_broker() {
    local argv0=${2%% *}
    [ "${argv0##*/}" = samsa-broker ]
}

pidfile=$PID_DIR/samsaServer.pid
if [ -f "$pidfile" ]; then
    if ! pid=$(pid_file_process "$pidfile"); then
        rm -f "$pidfile"
        note "the broker from $pidfile is not running (stale pid file removed)"
        exit 0
    fi
    pids=("$pid")
    note "stopping the broker (pid $pid, from $pidfile)"
else
    mapfile -t pids < <(find_processes is_broker)
    if [ "${#pids[@]}" -eq 0 ]; then
        echo "No samsa server to stop"
        exit 1
    fi
    note "no pid file in $PID_DIR; stopping every samsa-broker on this machine: pid ${pids[*]}"
fi
terminate_and_wait "$timeout" "${pids[@]}"
rm -f "$pidfile"
note "stopped"
