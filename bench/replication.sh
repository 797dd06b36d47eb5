#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# Replication benchmark with librdkafka (bench/samsa_bench.c), all on this machine: first one
# broker with replication factor 1 and acks=1 (the reference), then three brokers with
# replication factor 3, producing 100 B and 1 KiB records with acks=1 and acks=all, and a paced
# acks=all run at --rate records/s for the latency percentiles. Prints records/s, MB/s,
# latency percentiles (produce() to delivery report: for acks=all that is when the high
# watermark passed the record, i.e. when a consumer may read it), the brokers' CPU-seconds
# (all three summed), the client's, and how much of the CPUs the two used together, then acks=all
# as a share of the single broker's acks=1. Stops what it started, by pid. Not a test: it
# prints figures (bench/RESULTS.md).
set -euo pipefail
PROG=bench-replication
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
records=1000000
rate=50000
rate_seconds=10
sizes=(100 1024)
# Kafka's own replication benchmark (2014, the 51% the issue cites) used topics of six
# partitions, so leadership and follower fetches spread over the three brokers.
partitions=6
prefault=1
jobs=$(nproc)
skip_build=0
keep=0
perf_dir=

usage() {
    cat <<USAGE
USAGE: $0 [--records N] [--sizes "100 1024"] [--partitions N] [--no-prefault] [--rate N] [--perf DIR]
          [--skip-build] [--keep] [-j N]
  Builds $build (Release, -DSAMSA_BUILD_BENCH=ON), then on free loopback ports: ZooKeeper,
  one broker (RF 1, acks=1), then three brokers (RF 3, acks=1 and acks=all, and acks=all paced
  at --rate records/s for $rate_seconds s). Prints a table and the acks=all / single-broker ratios.
  --records N   records per throughput run (default $records)
  --sizes "A B" record sizes in bytes (default "${sizes[*]}")
  --partitions N partitions of every topic, the single broker's too (default $partitions)
  --no-prefault  do not write and delete a scratch file as large as each run's appends first
  --rate N      records/s of the paced latency run (default $rate)
  --perf DIR    also record every broker with 'perf record -g' during each run into DIR
  --skip-build  use the binaries already in $build
  --keep        keep the temp dir (logs, data, per-run output)
  -j N          build parallelism (default $jobs)
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --records) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--records needs a number"; records=$2; shift 2 ;;
        --sizes) read -r -a sizes <<<"${2:-}"; [ "${#sizes[@]}" -gt 0 ] || die "--sizes needs sizes"; shift 2 ;;
        --partitions) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--partitions needs a number"; partitions=$2; shift 2 ;;
        --rate) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--rate needs a number"; rate=$2; shift 2 ;;
        --no-prefault) prefault=0; shift ;;
        --perf) [ -n "${2:-}" ] || die "--perf needs a directory"; perf_dir=$(realpath -m "$2"); shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --keep) keep=1; shift ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
command -v kcat >/dev/null || die "kcat not found (scripts/install-deps.sh)"
[ -z "$perf_dir" ] || command -v perf >/dev/null || die "--perf needs perf"

if [ "$skip_build" -eq 0 ]; then
    note "building samsa-broker and samsa_bench (Release) into $build"
    bench_build "$build" "$jobs" samsa-broker samsa_bench
fi
broker_bin=$build/broker/samsa-broker
bench_bin=$build/bench/samsa_bench
{ [ -x "$broker_bin" ] && [ -x "$bench_bin" ]; } || die "binaries missing in $build (drop --skip-build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench-repl.XXXXXX")
export LOG_DIR=$work/logs PID_DIR=$work/logs
mkdir -p "$LOG_DIR" "$work/runs"

# Each broker has its own pid file and log dir: $work/cluster<size>-b<id>.
broker_pids=()
bootstrap=
start_brokers() { # <count>
    local id port dir
    broker_pids=()
    bootstrap=
    for id in $(seq 1 "$1"); do
        port=$(free_port)
        # A cluster of another size is another cluster (its own chroot and data).
        dir=$work/cluster$1-b$id
        mkdir -p "$dir/data"
        LOG_DIR=$dir PID_DIR=$dir SAMSA_BROKER_BIN=$broker_bin \
            "$SAMSA_ROOT/scripts/samsa-server-start.sh" -daemon \
            "$SAMSA_ROOT/config/server.properties" \
            --override "broker.id=$id" --override "log.dirs=$dir/data" \
            --override "listeners=PLAINTEXT://127.0.0.1:$port" \
            --override "zookeeper.connect=127.0.0.1:$zk_port/bench$1" >/dev/null
        bootstrap=${bootstrap:+$bootstrap,}127.0.0.1:$port
    done
    for id in $(seq 1 "$1"); do
        broker_pids+=("$(wait_pid_file "$work/cluster$1-b$id/samsaServer.pid")")
    done
    # Ready when a metadata request lists every broker.
    wait_for 60 "$1 broker(s)" -- sh -c "kcat -b '$bootstrap' -L -m 5 | grep -q '^ $1 brokers:'"
}

wait_pid_file() { # <file>
    local pid
    for _ in $(seq 1 100); do
        if pid=$(pid_file_process "$1"); then
            echo "$pid"
            return
        fi
        sleep 0.1
    done
    die "no broker pid in $1"
}

stop_brokers() {
    local id rc=0 pid
    for id in "${!broker_pids[@]}"; do
        pid=${broker_pids[$id]}
        terminate_and_wait 60 "$pid" || rc=1
    done
    broker_pids=()
    return "$rc"
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    stop_brokers || rc=1
    stop_cluster || rc=1
    if [ "$keep" -eq 1 ] || [ "$rc" -ne 0 ]; then
        echo "$PROG: logs, data and per-run output kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

brokers_cpu_ns() {
    local total=0 pid
    for pid in "${broker_pids[@]}"; do
        total=$((total + $(proc_cpu_ns "$pid")))
    done
    echo "$total"
}

declare -a rows=()
# <bytes-written>: what every replica together appends (the payload times the replication
# factor), prefaulted first (prefault_page_cache in bench/lib.sh): without it the runs that write
# three copies spent 70% of the brokers' CPU faulting fresh memory in from the VM's host inside
# the page-cache copy, where the single broker wrote a third as much.
measure() { # <name> <bytes-written> -- samsa_bench arguments...
    local name=$1 out=$work/runs/$1.txt n0 n1 perf_pid=
    [ "$prefault" -eq 0 ] || prefault_page_cache "$2"
    shift 3
    if [ -n "$perf_dir" ]; then
        mkdir -p "$perf_dir"
        perf record -q -g -p "$(IFS=,; echo "${broker_pids[*]}")" -o "$perf_dir/$name.data" \
            >/dev/null 2>&1 &
        perf_pid=$!
    fi
    n0=$(brokers_cpu_ns)
    # The client's CPU too (bash's time: user and system seconds), to tell whether the two
    # cores were the limit: brokers plus client against the run's seconds times the CPUs.
    local TIMEFORMAT='%U %S' client
    { time "$bench_bin" "$@" >"$out" 2>&1; } 2>"$out.time" || { cat "$out" >&2; die "$name failed"; }
    n1=$(brokers_cpu_ns)
    client=$(awk '{printf "%.2f", $1 + $2}' "$out.time")
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
    fi
    rows+=("$name $(awk -v a="$n0" -v b="$n1" 'BEGIN {printf "%.2f", (b - a) / 1e9}') $client $(grep '^RESULT' "$out" | sed 's/^RESULT //')")
    note "$name: $(grep -v '^RESULT' "$out" | tail -1)"
}

# A new topic's followers start fetching once both they and the leader have their
# LeaderAndIsr; a follower that asks first is told NOT_LEADER_OR_FOLLOWER and retries after
# replica.fetch.backoff.ms (1 s), as in Kafka. Measure from when replication flows.
warm_up() { # <topic>
    "$bench_bin" produce -b "$bootstrap" -t "$1" -n 100 -s 10 -a -1 -l 0 >/dev/null
}

memory_cost=$(host_memory_cost)
note "$memory_cost"
start_zookeeper

note "one broker, replication factor 1"
start_brokers 1
for size in "${sizes[@]}"; do
    "$bench_bin" create-topic -b "$bootstrap" -t "single-${size}" -p "$partitions" -r 1 >/dev/null
    warm_up "single-${size}"
    measure "1broker-rf1-${size}B-acks1" $((records * size)) -- \
        produce -b "$bootstrap" -t "single-${size}" -n "$records" -s "$size" -a 1 -l 5
done
stop_brokers

note "three brokers, replication factor 3"
start_brokers 3
for size in "${sizes[@]}"; do
    for acks in 1 -1; do
        topic="rf3-${size}-acks${acks/-1/all}"
        "$bench_bin" create-topic -b "$bootstrap" -t "$topic" -p "$partitions" -r 3 >/dev/null
        warm_up "$topic"
        measure "3brokers-rf3-${size}B-acks${acks/-1/all}" $((3 * records * size)) -- \
            produce -b "$bootstrap" -t "$topic" -n "$records" -s "$size" -a "$acks" -l 5
    done
done
"$bench_bin" create-topic -b "$bootstrap" -t rf3-paced -p "$partitions" -r 3 >/dev/null
warm_up rf3-paced
measure "3brokers-rf3-100B-acksall-${rate}per_s" $((3 * rate * rate_seconds * 100)) -- \
    produce -b "$bootstrap" -t rf3-paced -n $((rate * rate_seconds)) -s 100 -a -1 -l 1 -R "$rate"

echo
echo "Topics of $partitions partition(s)"
echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); all brokers and the client on it"
echo "Host memory before the runs: $memory_cost"
fmt='%-34s %10s %8s %7s %7s %7s %7s %11s %10s %5s\n'
# shellcheck disable=SC2059
printf "$fmt" run records/s MB/s p50_ms p95_ms p99_ms max_ms brokers_cpu client_cpu busy
declare -A rps=()
for row in "${rows[@]}"; do
    read -r -a f <<<"$row"
    kv=("${f[@]:3}")
    rps[${f[0]}]=$(field rps "${kv[@]}")
    busy=$(awk -v b="${f[1]}" -v c="${f[2]}" -v s="$(field seconds "${kv[@]}")" -v n="$(nproc)" \
        'BEGIN {printf "%.2f", (b + c) / (s * n)}')
    # shellcheck disable=SC2059
    printf "$fmt" "${f[0]}" "${rps[${f[0]}]}" "$(field mbps "${kv[@]}")" \
        "$(field p50_ms "${kv[@]}")" "$(field p95_ms "${kv[@]}")" "$(field p99_ms "${kv[@]}")" \
        "$(field max_ms "${kv[@]}")" "${f[1]}s" "${f[2]}s" "$busy"
done
echo "busy: brokers' and client's CPU over the run's seconds times $(nproc) CPUs (1.00: the cores were the limit)"
echo
for size in "${sizes[@]}"; do
    single=${rps[1broker-rf1-${size}B-acks1]}
    for acks in 1 all; do
        echo "$size B: 3 brokers RF 3 acks=$acks / 1 broker acks=1 = $(awk -v a="${rps[3brokers-rf3-${size}B-acks$acks]}" -v b="$single" 'BEGIN {printf "%.2f", a / b}')"
    done
done
