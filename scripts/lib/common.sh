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
