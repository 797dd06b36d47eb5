# shellcheck shell=bash
# Helpers shared by the scripts in scripts/: sourced, never run. Linux only (reads /proc).
#
# Daemons started with -daemon leave a pid file in $PID_DIR (default: $LOG_DIR). It holds two
# lines: the pid, then a marker that the process's command line must contain (the absolute path
# of its configuration file). A pid file whose process is gone, or whose pid now belongs to some
# other program, is stale and ignored, so a reused pid is never signalled.

SAMSA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOG_DIR=${LOG_DIR:-$SAMSA_ROOT/logs}
PID_DIR=${PID_DIR:-$LOG_DIR}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

note() { echo "$PROG: $*"; }

# The command line of process $1 with arguments joined by spaces; fails if it is gone.
proc_cmdline() {
    local -a args
    [ -r "/proc/$1/cmdline" ] || return 1
    mapfile -d '' args 2>/dev/null <"/proc/$1/cmdline" || return 1
    [ "${#args[@]}" -gt 0 ] || return 1 # zombies and kernel threads have none
    printf '%s' "${args[*]}"
}

# Absolute path of an existing file.
abs_path() { realpath -e -- "$1"; }

write_pid_file() { # <file> <pid> <marker>
    mkdir -p "$(dirname "$1")"
    printf '%s\n%s\n' "$2" "$3" >"$1"
}

# Prints the pid recorded in pid file $1 if that process is still the one started (its command
# line contains the recorded marker); fails otherwise.
pid_file_process() {
    local file=$1 pid marker cmd
    [ -f "$file" ] || return 1
    { read -r pid && read -r marker; } <"$file" || true
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    cmd=$(proc_cmdline "$pid") || return 1
    [ -z "$marker" ] || [[ "$cmd" == *"$marker"* ]] || return 1
    echo "$pid"
}

# Pids of running processes for which predicate $1 (a function taking the pid and the joined
# command line) succeeds, excluding this script and its subshells.
find_processes() {
    local predicate=$1 dir pid cmd
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
        cmd=$(proc_cmdline "$pid") || continue
        "$predicate" "$pid" "$cmd" && echo "$pid"
    done
    return 0
}

# Sends SIGTERM to each pid, then waits up to $1 seconds for all of them to exit. Fails, naming
# the survivors, if some are still running at the deadline (nothing is SIGKILLed).
terminate_and_wait() {
    local timeout=$1 pid deadline alive=()
    shift
    for pid in "$@"; do
        kill -TERM "$pid" 2>/dev/null || note "could not signal pid $pid (already gone or not ours)"
    done
    deadline=$((SECONDS + timeout))
    while :; do
        alive=()
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && alive+=("$pid")
        done
        [ "${#alive[@]}" -eq 0 ] && return 0
        [ "$SECONDS" -ge "$deadline" ] && break
        sleep 0.2
    done
    echo "$PROG: still running after ${timeout}s: pid ${alive[*]} (kill -9 ${alive[*]} to force)" >&2
    return 1
}

# Starts "$@" in the background like Kafka's -daemon: output to $out, stdin from /dev/null,
# immune to hangups. Records the pid file and fails (showing the output) if the process dies
# within its first two seconds, the usual sign of a bad configuration or a taken port.
start_daemon() { # <name> <out-file> <pid-file> <marker> -- command...
    local name=$1 out=$2 pidfile=$3 marker=$4 pid
    shift 5
    mkdir -p "$(dirname "$out")"
    nohup "$@" >"$out" 2>&1 </dev/null &
    pid=$!
    write_pid_file "$pidfile" "$pid" "$marker"
    for _ in $(seq 10); do
        if ! kill -0 "$pid" 2>/dev/null; then
            local rc=0
            wait "$pid" || rc=$?
            rm -f "$pidfile"
            echo "$PROG: $name exited at once (status $rc); last lines of $out:" >&2
            tail -n 20 "$out" >&2
            exit 1
        fi
        sleep 0.2
    done
    note "$name started (pid $pid); output in $out, pid file $pidfile"
}

# --- The shape shared by the *-server-start.sh and *-server-stop.sh scripts. Each script defines
# usage() and PROG; these helpers call them, print the same messages, exit with the same statuses.

# The arguments of a start script, [-daemon] <properties file> [argument...]: -h/--help first
# shows usage and exits 0; -daemon sets daemon=1 (else 0). The rest goes into the array
# start_args, which must hold the file and at most $1 more arguments ("any": no limit); otherwise
# usage goes to stderr and the script exits 1.
# shellcheck disable=SC2034  # daemon and start_args are read by the start script
read_start_args() { # <how many may follow the file: a number, or any> <the script's arguments>...
    local most=$1
    shift
    daemon=0
    case "${1:-}" in
        -h | --help) usage; exit 0 ;;
        -daemon) daemon=1; shift ;;
    esac
    if [ $# -lt 1 ] || { [ "$most" != any ] && [ $(($# - 1)) -gt "$most" ]; }; then
        usage >&2
        exit 1
    fi
    start_args=("$@")
}

# The absolute path of configuration file $1; dies when there is no such file.
config_file_path() {
    [ -f "$1" ] || die "configuration file '$1' not found"
    abs_path "$1"
}

# Dies when the process recorded in pid file $1 still runs: "$2 started by this script is already
# running (pid P, <pid file>)", then $3 (a hint, may be empty).
refuse_if_running() { # <pid-file> <who> [<hint>]
    local pid
    if pid=$(pid_file_process "$1"); then
        die "$2 started by this script is already running (pid $pid, $1)${3:-}"
    fi
}

# The arguments of a stop script, [--timeout SECONDS]: sets timeout (the script sets its default
# first); -h/--help shows usage and exits 0; anything else is reported with usage, exit 1.
read_stop_args() { # <the script's arguments>...
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
}

# The body of a stop script. With pid file $1 present, stops the process it records (a stale one
# is removed, status 0); without it, every process on this machine for which predicate $3 holds
# (see find_processes), as Kafka's scripts do, printing $6 and exiting 1 when there is none.
# SIGTERM, then up to $2 seconds for them to exit (terminate_and_wait: exits 1 if some are still
# running); the pid file is removed once they are gone. $4 names the one process ("the broker"),
# $5 the kind for "stopping every $5 on this machine".
stop_servers() { # <pid-file> <timeout> <predicate> <the one> <every kind> <nothing-to-stop line>
    local pidfile=$1 timeout=$2 predicate=$3 one=$4 kind=$5 none=$6 pid
    local -a pids
    if [ -f "$pidfile" ]; then
        if ! pid=$(pid_file_process "$pidfile"); then
            rm -f "$pidfile"
            note "$one from $pidfile is not running (stale pid file removed)"
            exit 0
        fi
        pids=("$pid")
        note "stopping $one (pid $pid, from $pidfile)"
    else
        mapfile -t pids < <(find_processes "$predicate")
        if [ "${#pids[@]}" -eq 0 ]; then
            echo "$none"
            exit 1
        fi
        note "no pid file in $PID_DIR; stopping every $kind on this machine: pid ${pids[*]}"
    fi
    terminate_and_wait "$timeout" "${pids[@]}"
    rm -f "$pidfile"
    note "stopped"
}

# True when something accepts TCP connections on host $1 port $2.
port_in_use() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# The listening socket on port $1 and its owner when ss can tell, for error messages.
describe_port_owner() {
    command -v ss >/dev/null || return 0
    ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /'
}

# True when ZooKeeper at host $1 port $2 answers the four-letter word `ruok` with `imok`.
zookeeper_ok() {
    local reply
    reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2 && printf ruok >&3 && cat <&3" 2>/dev/null) ||
        true
    [ "$reply" = imok ]
}

# Configures build directory $1 with build type $2 (more cmake arguments may follow): Ninja for
# a new directory, whatever generator an existing one already uses.
cmake_configure() {
    local build=$1 type=$2
    shift 2
    local -a generator=()
    if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null; then
        generator=(-G Ninja)
    fi
    cmake -S "$SAMSA_ROOT" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE="$type" "$@"
}

# The samsa-admin binary the samsa-*.sh tools wrap: $SAMSA_ADMIN_BIN, else the build tree's,
# else samsa-admin on PATH.
# The end of each samsa-admin wrapper script (which defines usage()): --help anywhere prints
# the usage, no arguments print it on stderr and fail, anything else becomes
# `samsa-admin <subcommand> <arguments>`.
run_admin() {
    local subcommand=$1 arg
    shift
    for arg in "$@"; do
        case "$arg" in
            -h | --help) usage; exit 0 ;;
        esac
    done
    [ $# -gt 0 ] || { usage >&2; exit 1; }
    exec "$(find_admin)" "$subcommand" "$@"
}

find_admin() {
    if [ -n "${SAMSA_ADMIN_BIN:-}" ]; then
        [ -x "$SAMSA_ADMIN_BIN" ] || die "SAMSA_ADMIN_BIN='$SAMSA_ADMIN_BIN' is not an executable file"
        echo "$SAMSA_ADMIN_BIN"
    elif [ -x "$SAMSA_ROOT/build/tools/admin/samsa-admin" ]; then
        echo "$SAMSA_ROOT/build/tools/admin/samsa-admin"
    elif command -v samsa-admin >/dev/null; then
        command -v samsa-admin
    else
        die "samsa-admin not found: build it (cmake --build build --target samsa-admin), put it \
on PATH, or set SAMSA_ADMIN_BIN"
    fi
}
