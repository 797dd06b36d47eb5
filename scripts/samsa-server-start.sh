#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts a Samsa broker, like Kafka's bin/kafka-server-start.sh. Foreground by default; -daemon
# runs it in the background with its output in $LOG_DIR/samsaServer.out and its pid in
# $PID_DIR/samsaServer.pid (used by samsa-server-stop.sh). Everything after the properties file
# is passed to the broker unchanged.
set -euo pipefail
PROG=samsa-server-start
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 [-daemon] server.properties [--override property=value]*
  Runs the samsa-broker binary with the given configuration (e.g. config/server.properties);
  each --override sets one configuration key, winning over the file.
  -daemon      run in the background; output to \$LOG_DIR/samsaServer.out,
               pid in \$PID_DIR/samsaServer.pid
  -h, --help   show this help
Environment:
  SAMSA_BROKER_BIN   the broker binary (default: $SAMSA_ROOT/build/broker/samsa-broker,
                     else samsa-broker on PATH)
  LOG_DIR            where -daemon writes its output (default: $SAMSA_ROOT/logs)
  PID_DIR            where the pid file goes (default: \$LOG_DIR)
  SAMSA_NOFILE       open-files limit to raise to (default: 100000, Kafka's recommendation)
USAGE
}

read_start_args any "$@"
set -- "${start_args[@]}"
case "$1" in
    -*) die "the first argument must be the server.properties file, not '$1' (see --help)" ;;
esac
config=$(config_file_path "$1")
shift

find_broker() {
    if [ -n "${SAMSA_BROKER_BIN:-}" ]; then
        if [ ! -f "$SAMSA_BROKER_BIN" ] || [ ! -x "$SAMSA_BROKER_BIN" ]; then
            die "SAMSA_BROKER_BIN='$SAMSA_BROKER_BIN' is not an executable file"
        fi
        echo "$SAMSA_BROKER_BIN"
    elif [ -x "$SAMSA_ROOT/build/broker/samsa-broker" ]; then
        echo "$SAMSA_ROOT/build/broker/samsa-broker"
    elif command -v samsa-broker >/dev/null; then
        command -v samsa-broker
    else
        die "samsa-broker not found: build it (cmake --build build --target samsa-broker, or \
scripts/quickstart.sh), put it on PATH, or set SAMSA_BROKER_BIN"
    fi
}
broker=$(find_broker)

# Kafka's operations guide asks for at least 100000 file descriptors per broker (segments,
# indexes and client connections). Raise this shell's limit, which the broker inherits: both
# limits to SAMSA_NOFILE where allowed (root may raise the hard limit), otherwise the soft
# limit to the hard one, with a warning. Never lowers a limit that is already higher.
raise_open_files_limit() {
    local want=${SAMSA_NOFILE:-100000} soft hard
    soft=$(ulimit -Sn)
    hard=$(ulimit -Hn)
    [ "$soft" = unlimited ] || [ "$soft" -ge "$want" ] && return 0
    if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then
        ulimit -Sn "$want"
    elif ulimit -n "$want" 2>/dev/null; then
        :
    else
        ulimit -Sn "$hard"
        echo "$PROG: warning: open files limited to $hard (hard limit); Kafka recommends at \
least $want for a broker (raise it in /etc/security/limits.conf or the service's LimitNOFILE)" >&2
    fi
}
raise_open_files_limit

if [ "$daemon" -eq 0 ]; then
    exec "$broker" "$config" "$@"
fi

pidfile=$PID_DIR/samsaServer.pid
refuse_if_running "$pidfile" "a broker" "; stop it with scripts/samsa-server-stop.sh, or give a \
second broker its own LOG_DIR"
start_daemon "Samsa broker" "$LOG_DIR/samsaServer.out" "$pidfile" "$config" -- \
    "$broker" "$config" "$@"
