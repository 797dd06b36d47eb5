#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# Idempotence benchmark of issue 8 ("idempotence costs <= 5% produce throughput"), with a client
# whose own work does not change with idempotence: samsa_loadgen (bench/samsa_loadgen.cc)
# encodes each connection's Produce request once and per send patches the stamp, the producer
# id, epoch and base sequence (-1 in a plain run) and the CRC, so the ratio idempotent / plain
# measures the broker, not the client (librdkafka's own cost, bench/RESULTS.md, is 6-13%).
#
# Builds samsa_loadgen, samsa_bench (topic creation) and the broker into build-bench (Release)
# unless --skip-build, starts ZooKeeper and one broker on free loopback ports with temp dirs,
# creates topic "idem" (4 partitions), then for each load below runs --rounds rounds of one
# plain and one idempotent run, alternating which goes first, each a warm-up and a measured
# window, acks=1, closed loop:
#   100B x1000   4 connections x 4 in flight, 1,000 records of 100 B per request
#   1KiB x100    4 connections x 4 in flight, 100 records of 1 KiB per request
#   small        8 connections x 1 in flight, one 100 B record per request
# Each connection i writes partition i % 4; idempotent, each connection is a producer of its own
# (InitProducerId at connect), so its sequences never interleave with another's.
# The topic keeps 64 MiB per partition in 32 MiB segments, deleted at once: the broker's
# appends then mostly reuse page-cache memory freed a moment before. With 512 MiB kept the
# freed memory sat long enough for the VM's balloon to hand it back to the host (see
# prefault_page_cache in bench/lib.sh), and the kernel's copy into the page cache cost from
# 10% to 42% of the broker's cycles from one run to the next (perf), whichever the mode:
# CPU/GB then moved 1.7-4.3 s between runs of the same load, with it 1.6-2.1.
# Before each run, the data dir's file system is synced (the previous run's dirty pages would
# otherwise be written back during this one: seen as the second run of a pair losing up to a
# third of its throughput), then twice what the topic retains is written to a file and deleted
# (prefault_page_cache), so the first seconds also append into recycled memory. (A prefault the
# size of the whole run, as bench/run.sh does, is 7 GB here and takes longer than the run.)
#
# Prints a table: per load and mode the medians over the rounds of the throughput (MB/s of
# record values, records/s, requests/s), the broker's CPU per GB of values (all of it, and user
# time only) and per request, with --perf the share of its samples in producer-state code, and
# the CPUs other processes took meanwhile; then per load the idempotent / plain ratios of
# throughput, CPU/GB and user CPU/GB: the median of the per-round ratios and their min-max.
# An idempotent run with any error (OUT_OF_ORDER_SEQUENCE_NUMBER, CORRUPT_MESSAGE...) stops the
# script: its figure would mean nothing. Stops everything it started, by pid, also on failure.
set -euo pipefail
PROG=idempotence
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
duration=10
warmup=2
rounds=3
partitions=4
jobs=2
skip_build=0
keep=0
broker_bin=
loads="big kib small"
perf_dir=
broker_overrides=()

usage() {
    cat <<USAGE
USAGE: $0 [--rounds N] [--duration S] [--warmup S] [--loads "big kib small"]
          [--broker-bin PATH] [--skip-build] [--keep] [--perf DIR] [--override key=value]...
          [-j N]
  Measures what idempotence costs the broker: plain and idempotent Produce runs of
  samsa_loadgen, alternated, against one local broker; the header of this script says how.
  --rounds N          plain + idempotent pairs per load (default $rounds)
  --duration S        measured seconds per run (default $duration)
  --warmup S          warm-up seconds per run (default $warmup)
  --loads LIST        which loads, of: big (100 B x 1000), kib (1 KiB x 100), small (1 x 100 B)
  --broker-bin PATH   this broker binary instead of building $build/broker/samsa-broker
  --skip-build        use the binaries already in $build
  --keep              keep the temp dir (logs, per-run output)
  --perf DIR          record the broker with perf (-g, 999 Hz) during each run's measured
                      window into DIR/<run>.data (perf's own cost lands in both modes alike)
  --override k=v      broker property (repeatable)
  -j N                build parallelism (default $jobs)
  -h, --help          show this help
Needs java (Debian's zookeeper), kcat, librdkafka-dev.
USAGE
}

number() { [[ "${2:-}" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 needs a number"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a number"; rounds=$2; shift 2 ;;
        --duration) number "$1" "${2:-}"; duration=$2; shift 2 ;;
        --warmup) number "$1" "${2:-}"; warmup=$2; shift 2 ;;
        --loads) [[ "${2:-}" =~ ^(big|kib|small)( (big|kib|small))*$ ]] || die "--loads: big, kib, small"; loads=$2; shift 2 ;;
        --broker-bin) [ -x "${2:-}" ] || die "--broker-bin needs an executable"; broker_bin=$(realpath "$2"); shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --keep) keep=1; shift ;;
        --perf) [ -n "${2:-}" ] || die "--perf needs a directory"; perf_dir=$(realpath -m "$2"); shift 2 ;;
        --override) [[ "${2:-}" == *=* ]] || die "--override needs key=value"; broker_overrides+=(--override "$2"); shift 2 ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
command -v kcat >/dev/null || die "kcat not found (scripts/install-deps.sh)"
if [ -n "$perf_dir" ]; then
    command -v perf >/dev/null || die "perf not found (apt-get install linux-perf)"
    mkdir -p "$perf_dir"
fi

# --- build ------------------------------------------------------------------------------------

bench_loadgen_binaries "$build" "$jobs" "$skip_build"

# --- processes and cleanup --------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-idem.XXXXXX")
export LOG_DIR=$work/logs PID_DIR=$work/logs
mkdir -p "$LOG_DIR" "$work/runs"
children=() # background processes of this script (the load generator, perf)

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${children[@]}"; do
        if kill "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
    done
    stop_cluster || rc=1
    if [ "$keep" -eq 1 ] || [ "$rc" -ne 0 ]; then
        rm -rf "$work/data"
        echo "$PROG: logs and per-run output kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the runs ---------------------------------------------------------------------------------

# load -> "record bytes, records per request, connections, in flight, label"
declare -A load_shape=(
    [big]="100 1000 4 4 100B_x1000"
    [kib]="1024 100 4 4 1KiB_x100"
    [small]="100 1 8 1 small_1x100B"
)
declare -A results=()     # run name -> the words of its RESULT line

# The value of <key> in run <name>'s RESULT line, or "-".
result() { # <name> <key>
    local -a words
    read -r -a words <<<"${results[$1]:-}"
    field "$2" "${words[@]}"
}

# Runs samsa_loadgen as run <name> in <mode> (plain or idem) with the shape of <load>.
run_once() { # <name> <load> <mode>
    local name=$1 out=$work/runs/$1.txt size per conns inflight label
    read -r size per conns inflight label <<<"${load_shape[$2]}"
    local -a extra=()
    [ "$3" = plain ] || extra=(--idempotent)
    sync -f "$work/data"
    prefault_page_cache $((retained_bytes * 2))
    "$loadgen_bin" produce --bootstrap "$bootstrap" --broker-pid "$broker_pid" \
        --topic idem --partitions "$partitions" --connections "$conns" --in-flight "$inflight" \
        --record-size "$size" --records-per-request "$per" --acks 1 --warmup "$warmup" \
        --duration "$duration" "${extra[@]}" >"$out" 2>&1 &
    local loadgen_pid=$! perf_pid='' rc=0
    children+=("$loadgen_pid")
    if [ -n "$perf_dir" ]; then
        sleep "$warmup"
        perf record -q -F 999 -g -p "$broker_pid" -o "$perf_dir/$name.data" -- sleep "$duration" \
            >/dev/null 2>&1 &
        perf_pid=$!
        children+=("$perf_pid")
    fi
    wait "$loadgen_pid" || rc=$?
    [ -z "$perf_pid" ] || wait "$perf_pid" || true
    if [ "$rc" -ne 0 ]; then
        cat "$out" >&2
        die "$name failed (an idempotent run with errors is not a figure)"
    fi
    kill -0 "$broker_pid" 2>/dev/null || die "the broker died during $name (see $LOG_DIR)"
    results[$name]=$(sed -n 's/^RESULT //p' "$out")
    # User time only: what idempotence adds is user-space work, and it leaves out the kernel's
    # copy into the page cache, the same bytes in both modes but the noisiest cost here.
    results[$name]+=" user_s_per_gb=$(awk -v u="$(result "$name" broker_user_s)" \
        -v m="$(result "$name" mb_per_s)" -v d="$duration" \
        'BEGIN {printf "%.3f", (m > 0 ? u * 1024 / (m * d) : 0)}')"
    [ -z "$perf_pid" ] || results[$name]+=" perf_producer_state_pct=$(producer_state_share "$perf_dir/$name.data")"
    note "$name: $(result "$name" mb_per_s) MB/s, $(result "$name" records_per_s) records/s," \
        "$(result "$name" rps) req/s, broker $(result "$name" broker_cpu_s_per_gb) s/GB" \
        "$(result "$name" broker_cpu_us_per_req) us/req, errors $(result "$name" errors)," \
        "other processes $(result "$name" other_cores) CPUs"
}

# The share of the broker's samples (self time) in the idempotent producer's state: the
# functions of broker/log/producer_state_manager.h and the Log's calls into it.
producer_state_share() { # <perf.data>
    perf report -i "$1" --no-children --sort sym -g none --stdio 2>/dev/null |
        awk '/ProducerState|producer_state/ && $1 ~ /%$/ { s += $1 } END { printf "%.2f", s }'
}

# Plain and idempotent runs of every load, alternating which goes first.
run_all() {
    local load round first second
    for load in $loads; do
        for round in $(seq 1 "$rounds"); do
            if [ $((round % 2)) -eq 1 ]; then first=plain second=idem; else first=idem second=plain; fi
            run_once "$load-$first-$round" "$load" "$first"
            run_once "$load-$second-$round" "$load" "$second"
        done
    done
}

# --- summary ----------------------------------------------------------------------------------

# Median, min and max of the numbers given.
stats() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'; }

# The <key> of every round of <load> in <mode>.
column() { # <load> <mode> <key>
    local round
    for round in $(seq 1 "$rounds"); do result "$1-$2-$round" "$3"; done
}

# Per-round idempotent / plain ratios of <key>: "median min max".
ratios() { # <load> <key>
    local round
    stats "$(for round in $(seq 1 "$rounds"); do
        awk -v i="$(result "$1-idem-$round" "$2")" -v p="$(result "$1-plain-$round" "$2")" \
            'BEGIN {printf "%.4f\n", (p > 0 ? i / p : 0)}'
    done)"
}

table_fmt='%-13s %-6s %9s %11s %8s %9s %10s %10s %8s  %s\n'

print_summary() {
    local load mode size per conns inflight label perf_col
    echo
    echo "Broker: $broker_bin; $(nproc) CPUs; $rounds rounds; ${warmup} s warm-up + ${duration} s" \
        "measured per run; acks=1; topic idem, $partitions partitions"
    # shellcheck disable=SC2059
    printf "$table_fmt" load mode "MB/s" "records/s" "req/s" "cpu s/GB" "user s/GB" \
        "cpu us/req" "perf ps%" "others' CPUs"
    for load in $loads; do
        read -r size per conns inflight label <<<"${load_shape[$load]}"
        for mode in plain idem; do
            perf_col=-
            # shellcheck disable=SC2046  # one word per round
            [ -z "$perf_dir" ] ||
                perf_col=$(stats $(column "$load" "$mode" perf_producer_state_pct) | awk '{printf "%.2f", $1}')
            # shellcheck disable=SC2046,SC2059  # word splitting wanted; the format is a variable
            printf "$table_fmt" "$label" "$mode" \
                "$(stats $(column "$load" "$mode" mb_per_s) | awk '{printf "%.1f", $1}')" \
                "$(stats $(column "$load" "$mode" records_per_s) | awk '{printf "%.0f", $1}')" \
                "$(stats $(column "$load" "$mode" rps) | awk '{printf "%.0f", $1}')" \
                "$(stats $(column "$load" "$mode" broker_cpu_s_per_gb) | awk '{printf "%.3f", $1}')" \
                "$(stats $(column "$load" "$mode" user_s_per_gb) | awk '{printf "%.3f", $1}')" \
                "$(stats $(column "$load" "$mode" broker_cpu_us_per_req) | awk '{printf "%.2f", $1}')" \
                "$perf_col" \
                "$(stats $(column "$load" "$mode" other_cores) | awk '{printf "%.2f-%.2f", $2, $3}')"
        done
        awk -v l="$label" -v r="$(ratios "$load" mb_per_s)" \
            -v c="$(ratios "$load" broker_cpu_s_per_gb)" -v u="$(ratios "$load" user_s_per_gb)" \
            'BEGIN { split(r, a, " "); split(c, b, " "); split(u, d, " ")
            printf "%-13s idem/plain: throughput %.3f (%.3f-%.3f), CPU/GB %.3f (%.3f-%.3f), user CPU/GB %.3f (%.3f-%.3f)\n",
                l, a[1], a[2], a[3], b[1], b[2], b[3], d[1], d[2], d[3] }'
    done
    echo
    echo "Medians over the rounds; MB is 2^20 bytes of record values, GB 2^30. idem/plain: the"
    echo "median of the per-round ratios (each round pairs adjacent runs), min-max over rounds."
    echo "cpu s/GB and us/req: the broker's CPU (all threads) over the measured window divided by"
    echo "the values produced / the requests answered in it; user s/GB: its user time only (10 ms"
    echo "ticks). perf ps%: with --perf, the share of the broker's samples in producer state code"
    echo "(ProducerStateManager, Log::*producer_state*), else -. others' CPUs: the machine's busy CPUs"
    echo "(/proc/stat) minus the broker's and the generator's in the window, min-max over rounds:"
    echo "other processes sharing the cores, the noise in these figures."
}

# --- main -------------------------------------------------------------------------------------

note "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_zookeeper
segment_bytes=33554432
retention_bytes=67108864
retained_bytes=$((partitions * (retention_bytes + segment_bytes)))
start_broker "$broker_bin" --override log.segment.bytes=$segment_bytes \
    --override log.retention.bytes=$retention_bytes --override log.retention.check.interval.ms=1000 \
    --override log.segment.delete.delay.ms=0 "${broker_overrides[@]}"
note "ZooKeeper on 127.0.0.1:$zk_port, broker (pid $broker_pid) on $bootstrap, data in $work"
"$bench_bin" create-topic -b "$bootstrap" -t idem -p "$partitions" >/dev/null
run_all
print_summary
note "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
