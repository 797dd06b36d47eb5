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
read_stop_args "$@"

# A broker is a process whose program (argv[0]) is called samsa-broker.
is_broker() {
    local argv0=${2%% *}
    [ "${argv0##*/}" = samsa-broker ]
}

stop_servers "$PID_DIR/samsaServer.pid" "$timeout" is_broker "the broker" "samsa-broker" \
    "No samsa server to stop"
