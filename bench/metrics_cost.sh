#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# What the metrics cost the broker (issue 10: "produce figures with metrics on are within noise
# of metrics off, measured in one run"). In one run, on free loopback ports with temp dirs:
# ZooKeeper and two single-broker clusters (own chroot, own data) from the same binary, broker
# "off" without metrics.listener and broker "on" with metrics.listener=http://127.0.0.1:<port>,
# whose /metrics is scraped every second (curl) from start to end. Then --rounds rounds, each
# running the same two loads against both brokers, the order alternating per round (off,on /
# on,off) so drift of the machine falls on both alike:
#   small  samsa_loadgen produce: 8 connections x 1 in flight, one 100 B record per Produce v7
#          request, acks=1 (the per-request path: request counters, TotalTimeMs, errors)
#   large  samsa_bench produce: --records x 1 KiB, acks=1, linger.ms=5 (librdkafka batches of
#          up to 1 MB: the per-batch path, bytes and messages in per topic)
# into a fresh topic per run (deleted after it). Prints each run, then per load the median over
# the rounds of off and on and the ratio on/off of throughput and of broker CPU per unit of
# work, with the spread of the rounds (the noise the ratio must be read against), and what the
# scraper saw. Stops what it started, by pid. Not a test: it prints figures (bench/RESULTS.md).
set -euo pipefail
PROG=bench-metrics-cost
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
rounds=4
duration=5
records=500000
loads=(small large)
jobs=$(nproc)
skip_build=0
keep=0
broker_bin=

usage() {
    cat <<USAGE
USAGE: $0 [--rounds N] [--duration S] [--records N] [--loads "small large"]
          [--broker-bin PATH] [--skip-build] [--keep] [-j N]
  Builds $build (Release, -DSAMSA_BUILD_BENCH=ON), starts ZooKeeper and two brokers (metrics
  off, metrics on and scraped every second), runs the small-request and large-batch produce
  loads against each, alternating, --rounds times, and prints the figures and on/off ratios.
  --rounds N     rounds of off+on runs per load (default $rounds)
  --duration S   measured seconds of each small-request run (default $duration; 1 s warm-up)
  --records N    1 KiB records of each large-batch run (default $records)
  --loads "A B"  which loads to run: small, large or both (default "${loads[*]}")
  --broker-bin PATH  this broker binary instead of building $build/broker/samsa-broker
  --skip-build   use the binaries already in \$BENCH_BUILD_DIR (default $build)
  --keep         keep the temp dir (broker logs, per-run output, the last scrape)
  -j N           build parallelism (default $jobs)
  -h, --help     show this help
Needs java (Debian's zookeeper), kcat, curl, librdkafka-dev.
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--rounds needs a number"; rounds=$2; shift 2 ;;
        --duration) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--duration needs seconds"; duration=$2; shift 2 ;;
        --records) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--records needs a number"; records=$2; shift 2 ;;
        --loads)
            read -r -a loads <<<"${2:-}"
            [ "${#loads[@]}" -gt 0 ] || die "--loads needs small and/or large"
            for load in "${loads[@]}"; do [[ "$load" =~ ^(small|large)$ ]] || die "--loads: small or large, not '$load'"; done
            shift 2
            ;;
        --broker-bin) [ -x "${2:-}" ] || die "--broker-bin needs an executable"; broker_bin=$(realpath "$2"); shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --keep) keep=1; shift ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
for tool in kcat curl; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh)"
done

targets=(samsa_loadgen samsa_bench samsa-admin)
[ -n "$broker_bin" ] || targets+=(samsa-broker)
if [ "$skip_build" -eq 0 ]; then
    note "building ${targets[*]} (Release) into $build"
    bench_build "$build" "$jobs" "${targets[@]}"
fi
broker_bin=${broker_bin:-$build/broker/samsa-broker}
loadgen_bin=$build/bench/samsa_loadgen
bench_bin=$build/bench/samsa_bench
export SAMSA_ADMIN_BIN=$build/tools/admin/samsa-admin # samsa-topics.sh --delete
for bin in "$broker_bin" "$loadgen_bin" "$bench_bin" "$SAMSA_ADMIN_BIN"; do
    [ -x "$bin" ] || die "$bin missing (drop --skip-build)"
done

# --- processes and cleanup --------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-metrics-cost.XXXXXX")
export LOG_DIR=$work/logs PID_DIR=$work/logs # ZooKeeper's; each broker has its own below
mkdir -p "$LOG_DIR" "$work/runs"
scraper_pid=
declare -A broker_pid=() bootstrap=()

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$? mode pids=()
    [ -z "$scraper_pid" ] || ! kill -0 "$scraper_pid" 2>/dev/null || pids+=("$scraper_pid")
    for mode in "${!broker_pid[@]}"; do
        kill -0 "${broker_pid[$mode]}" 2>/dev/null && pids+=("${broker_pid[$mode]}")
    done
    [ "${#pids[@]}" -eq 0 ] || terminate_and_wait 60 "${pids[@]}" || rc=1
    stop_cluster || rc=1 # ZooKeeper (PID_DIR has no broker pid file)
    if [ "$keep" -eq 1 ] || [ "$rc" -ne 0 ]; then
        echo "$PROG: logs and per-run output kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts broker <mode> (off|on) in its own chroot and dirs, with the given --override arguments;
# sets broker_pid[mode] and bootstrap[mode] once it answers metadata.
start_mode_broker() { # <mode> [--override key=value]...
    local mode=$1 dir=$work/broker-$1 port pid
    shift
    port=$(free_port)
    mkdir -p "$dir/data"
    LOG_DIR=$dir PID_DIR=$dir SAMSA_BROKER_BIN=$broker_bin \
        "$SAMSA_ROOT/scripts/samsa-server-start.sh" -daemon "$SAMSA_ROOT/config/server.properties" \
        --override broker.id=0 --override "log.dirs=$dir/data" \
        --override "listeners=PLAINTEXT://127.0.0.1:$port" \
        --override "zookeeper.connect=127.0.0.1:$zk_port/metrics-$mode" "$@" >/dev/null
    bootstrap[$mode]=127.0.0.1:$port
    wait_for 60 "broker $mode" -- kcat -b "${bootstrap[$mode]}" -L -m 5
    pid=$(pid_file_process "$dir/samsaServer.pid") || die "broker $mode is not running"
    broker_pid[$mode]=$pid
}

start_zookeeper
metrics_url=http://127.0.0.1:$(free_port)/metrics
start_mode_broker off
start_mode_broker on --override "metrics.listener=${metrics_url%/metrics}"
wait_for 30 "the metrics listener" -- curl -sf -o /dev/null "$metrics_url"
note "ZooKeeper on 127.0.0.1:$zk_port; broker off (pid ${broker_pid[off]}) on ${bootstrap[off]};" \
    "broker on (pid ${broker_pid[on]}) on ${bootstrap[on]}, scraped at $metrics_url"

# Prometheus' default is one scrape per 15 s or more; once a second makes the render and the
# scrape-time collectors count 15 times over. Each scrape appends "ok <bytes>" or "failed".
(
    while :; do
        if curl -sf -m 5 -o "$work/scrape.txt" "$metrics_url"; then
            echo "ok $(wc -c <"$work/scrape.txt")"
        else
            echo failed
        fi
        sleep 1
    done >"$work/scrapes.log" 2>/dev/null
) &
scraper_pid=$!

# --- runs ---------------------------------------------------------------------------------------

# results[<load>-<mode>-<round>] = "<throughput> <p99> <broker cpu per unit>"
declare -A results=()
topic_seq=0

create_topic() { # <mode> <topic>
    "$bench_bin" create-topic -b "${bootstrap[$1]}" -t "$2" -p 1 >/dev/null
}
delete_topic() { # <mode> <topic>
    "$SAMSA_ROOT/scripts/samsa-topics.sh" --bootstrap-server "${bootstrap[$1]}" --delete \
        --topic "$2" >/dev/null
}

# The value of <key> in the RESULT line of <file>, or "-".
result_of() { # <file> <key>
    local -a words
    read -r -a words <<<"$(sed -n 's/^RESULT //p' "$1")"
    field "$2" "${words[@]}"
}

run_small() { # <mode> <round>
    local mode=$1 round=$2 topic out
    topic=small-$((topic_seq += 1))
    out=$work/runs/small-$mode-$round.txt
    create_topic "$mode" "$topic"
    "$loadgen_bin" produce --bootstrap "${bootstrap[$mode]}" --topic "$topic" --connections 8 \
        --record-size 100 --warmup 1 --duration "$duration" --drain 2 \
        --broker-pid "${broker_pid[$mode]}" >"$out" 2>&1 || { cat "$out" >&2; die "small $mode failed"; }
    [ "$(result_of "$out" errors)" = 0 ] || { cat "$out" >&2; die "small $mode had errors"; }
    results[small-$mode-$round]="$(result_of "$out" rps) $(result_of "$out" p99_us) $(result_of "$out" broker_cpu_us_per_req)"
    delete_topic "$mode" "$topic"
}

run_large() { # <mode> <round>
    local mode=$1 round=$2 topic out n0 n1
    topic=large-$((topic_seq += 1))
    out=$work/runs/large-$mode-$round.txt
    create_topic "$mode" "$topic"
    prefault_page_cache $((records * 1024))
    n0=$(proc_cpu_ns "${broker_pid[$mode]}")
    "$bench_bin" produce -b "${bootstrap[$mode]}" -t "$topic" -n "$records" -s 1024 -a 1 -l 5 \
        >"$out" 2>&1 || { cat "$out" >&2; die "large $mode failed"; }
    n1=$(proc_cpu_ns "${broker_pid[$mode]}")
    # Broker CPU-seconds per GB (10^9 bytes) of record payload, as bench/run.sh.
    results[large-$mode-$round]="$(result_of "$out" mbps) $(result_of "$out" p99_ms) $(
        awk -v a="$n0" -v b="$n1" -v bytes=$((records * 1024)) 'BEGIN {printf "%.3f", (b - a) / 1e9 / (bytes / 1e9)}')"
    delete_topic "$mode" "$topic"
}

for round in $(seq 1 "$rounds"); do
    order=(off on)
    [ $((round % 2)) -eq 1 ] || order=(on off)
    for load in "${loads[@]}"; do
        for mode in "${order[@]}"; do
            "run_$load" "$mode" "$round"
            kill -0 "${broker_pid[$mode]}" 2>/dev/null || die "broker $mode died (logs in $work/broker-$mode)"
            read -r -a r <<<"${results[$load-$mode-$round]}"
            note "round $round $load metrics=$mode: ${r[0]} $([ "$load" = small ] && echo req/s || echo MB/s)," \
                "p99 ${r[1]} $([ "$load" = small ] && echo us || echo ms)," \
                "broker ${r[2]} $([ "$load" = small ] && echo CPU-us/request || echo CPU-s/GB)"
        done
    done
done

# --- summary ----------------------------------------------------------------------------------

# Column <col> (0-based) of <load>-<mode>-<round>, one line per round; with mode "paired",
# on/off within each round (the two runs next to each other in time, so slower drift of the
# machine cancels out).
column() { # <load> <mode> <col>
    local round
    for round in $(seq 1 "$rounds"); do
        read -r -a r <<<"${results[$1-on-$round]}"
        local on=${r[$3]}
        read -r -a r <<<"${results[$1-off-$round]}"
        local off=${r[$3]}
        case "$2" in
            on) echo "$on" ;;
            off) echo "$off" ;;
            paired) awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f\n", b == 0 ? 0 : a / b}' ;;
        esac
    done
}

# Median and [min-max] of column(): "median min max".
stats() { # <load> <mode> <col>
    column "$@" | sort -g | awk '
        function f(x) { return sprintf(x >= 1000 ? "%.0f" : x >= 100 ? "%.1f" : "%.3f", x) }
        {v[NR] = $1}
        END {
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %s", f(m), f(v[1]), f(v[NR])
        }'
}

fmt='%-28s %22s %22s %7s %22s\n'
cell() { printf '%s [%s-%s]' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b == 0 ? 0 : a / b}'; }

echo
echo "Broker: $broker_bin ($(nproc) CPUs); $rounds rounds, order off,on then on,off alternating"
[[ " ${loads[*]} " != *" small "* ]] ||
    echo "small: 8 connections x 1 in flight, one 100 B record per Produce, acks=1, 1 s warm-up + ${duration} s"
[[ " ${loads[*]} " != *" large "* ]] ||
    echo "large: $records x 1 KiB records, acks=1, linger.ms=5 (samsa_bench)"
echo "median [min-max] over the rounds; on/off: of the medians; paired: on/off within each round"
# shellcheck disable=SC2059
printf "$fmt" figure "metrics off" "metrics on" on/off "on/off paired"
for spec in "small 0 requests/s" "small 1 p99 us" "small 2 broker CPU-us/request" \
    "large 0 MB/s" "large 1 p99 ms" "large 2 broker CPU-s/GB"; do
    read -r load col label <<<"$spec"
    [[ " ${loads[*]} " == *" $load "* ]] || continue
    read -r off_m off_lo off_hi <<<"$(stats "$load" off "$col")"
    read -r on_m on_lo on_hi <<<"$(stats "$load" on "$col")"
    read -r pair_m pair_lo pair_hi <<<"$(stats "$load" paired "$col")"
    # shellcheck disable=SC2059
    printf "$fmt" "$load: $label" "$(cell "$off_m" "$off_lo" "$off_hi")" \
        "$(cell "$on_m" "$on_lo" "$on_hi")" "$(ratio "$on_m" "$off_m")" \
        "$(cell "$pair_m" "$pair_lo" "$pair_hi")"
done

kill "$scraper_pid" 2>/dev/null || true
wait "$scraper_pid" 2>/dev/null || true
scraper_pid=
ok=$(grep -c '^ok' "$work/scrapes.log" || true)
failed=$(grep -c '^failed' "$work/scrapes.log" || true)
echo "scrapes of broker on: $ok answered, $failed failed; last one $(tail -1 "$work/scrapes.log" | awk '{print $2}') bytes"
curl -sf -o "$work/scrape.txt" "$metrics_url" || die "the last scrape failed"
echo "broker on counted: $(awk '/^kafka_server_brokertopicmetrics_messagesin_total[ {]/ && !/topic=/ {print "messages in", $2; found = 1}
    END {if (!found) print "no kafka_server_brokertopicmetrics_messagesin_total (not instrumented in this build)"}' "$work/scrape.txt")"
