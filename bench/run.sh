#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# Throughput benchmark of one local broker with librdkafka (bench/samsa_bench.c): builds a
# Release broker and samsa_bench into build-bench, starts ZooKeeper and the broker on free
# loopback ports with temp dirs, produces N records of 100 B and of 1 KiB with acks=1 and
# acks=all (linger.ms=5), consumes the acks=1 topics back from offset 0, does the same bytes
# again with bench/samsa_bulkload (acks=1 produce and fetch), and prints records/s,
# MB/s, latency percentiles, the broker's CPU-seconds per GB (its threads' CPU time from
# /proc/<pid>/task/*/schedstat around each run, split into user/system with utime and stime
# from /proc/<pid>/stat) and its peak RSS per run (VmHWM, reset before each run). Stops what it
# started, by pid. Not a test: it prints figures (see bench/RESULTS.md), and is not in CTest.
set -euo pipefail
PROG=bench
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
records=1000000
sizes=(100 1024)
partitions=1
jobs=$(nproc)
skip_build=0
keep=0
perf_dir=
prefault=1
broker_overrides=()
producer_props=()
security=plaintext
idempotence=0
connections_only=0
bulk=1
bulk_connections=4
python_storm=0
broker_bin_arg=
client_props=()  # -X settings every samsa_bench command gets (the security protocol's)

usage() {
    cat <<USAGE
USAGE: $0 [--records N] [--sizes "100 1024"] [--partitions N] [--skip-build] [--keep]
          [--perf DIR] [--no-prefault] [--override key=value]... [--producer-prop key=value]...
          [--idempotence] [--security P] [--connections-only] [--python-storm]
          [--broker-bin PATH] [-j N]
  Builds $build (Release, -DSAMSA_BUILD_BENCH=ON), starts ZooKeeper and a broker on free
  loopback ports, runs the produce scenarios (each size x acks=1/all) and the consume runs,
  then prints a summary table. Needs java (Debian's zookeeper), librdkafka-dev, kcat.
  --records N        records per run (default $records)
  --sizes "A B"      record sizes in bytes (default "${sizes[*]}")
  --partitions N     partitions per topic (default $partitions)
  --skip-build       use the binaries already in $build
  --no-bulk          skip the samsa_bulkload runs (bulk-produce-*, bulk-fetch-*: the same
                     bytes in 1 MB requests over $bulk_connections connections from the broker's
                     own client, whose TLS records are full where librdkafka's are not; see
                     bench/samsa_bulkload.cc)
  --keep             keep the temp dir (broker logs, data, per-run output)
  --perf DIR         also record the broker with 'perf record -g' during each run into DIR,
                     and the client into DIR/<run>.client.data (its CPU column then includes
                     perf's own), and the broker during the first 200 connections of the
                     connection set-up
  --no-prefault      before each produce run, do not write and delete a scratch file 20%
                     larger than the run's data (see prefault_page_cache and RESULTS.md)
  --override k=v     broker property (repeatable), e.g. --override num.io.threads=2
  --security P       the clients' listener: plaintext (default), ssl (TLS 1.3 with an ECDSA
                     certificate made by scripts/samsa-certs.sh) or sasl_ssl (the same, with
                     SCRAM-SHA-512 as a user made in ZooKeeper; then also connection set-up with
                     bench/samsa_connstorm, see connection_setup below); the broker keeps a
                     PLAINTEXT listener for itself
  --connections-only with --security sasl_ssl: skip the produce and consume runs, measure only
                     connection set-up
  --python-storm     with --security sasl_ssl: also run the older Python client
                     (bench/connection_storm.py, confluent-kafka), for comparison
  --producer-prop k=v  librdkafka producer property (repeatable), after samsa_bench's own
  --idempotence      after each acks=all run, the same run again with enable.idempotence=true
                     into a fresh topic, and print the idempotent/plain ratio (librdkafka
                     refuses acks=1 with idempotence, so the comparison is at acks=all)
  --broker-bin PATH  run this samsa-broker instead of $build's (an A/B against an older build)
  -j N               build parallelism (default $jobs)
  -h, --help         show this help
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --records) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--records needs a number"; records=$2; shift 2 ;;
        --sizes) read -r -a sizes <<<"${2:-}"; [ "${#sizes[@]}" -gt 0 ] || die "--sizes needs sizes"; shift 2 ;;
        --partitions) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--partitions needs a number"; partitions=$2; shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --no-bulk) bulk=0; shift ;;
        --keep) keep=1; shift ;;
        --perf) [ -n "${2:-}" ] || die "--perf needs a directory"; perf_dir=$(realpath -m "$2"); shift 2 ;;
        --no-prefault) prefault=0; shift ;;
        --security)
            [[ "${2:-}" =~ ^(plaintext|ssl|sasl_ssl)$ ]] || die "--security takes plaintext, ssl or sasl_ssl"
            security=$2
            shift 2
            ;;
        --override) [[ "${2:-}" == *=* ]] || die "--override needs key=value"; broker_overrides+=(--override "$2"); shift 2 ;;
        --producer-prop) [[ "${2:-}" == *=* ]] || die "--producer-prop needs key=value"; producer_props+=(-X "$2"); shift 2 ;;
        --idempotence) idempotence=1; shift ;;
        --connections-only) connections_only=1; shift ;;
        --python-storm) python_storm=1; shift ;;
        --broker-bin) [ -x "${2:-}" ] || die "--broker-bin needs an executable"; broker_bin_arg=$(realpath "$2"); shift 2 ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
command -v kcat >/dev/null || die "kcat not found (scripts/install-deps.sh)"
[ "$connections_only" -eq 0 ] || [ "$security" = sasl_ssl ] || die "--connections-only needs --security sasl_ssl"
[ -z "$perf_dir" ] || command -v perf >/dev/null || die "--perf needs perf"

# --- build ------------------------------------------------------------------------------------

if [ "$skip_build" -eq 0 ]; then
    note "building samsa-broker and samsa_bench (Release) into $build"
    bench_build "$build" "$jobs" samsa-broker samsa_bench samsa-admin samsa_connstorm samsa_loadgen \
        samsa_bulkload
fi
broker_bin=${broker_bin_arg:-$build/broker/samsa-broker}
bench_bin=$build/bench/samsa_bench
bulk_bin=$build/bench/samsa_bulkload
export SAMSA_ADMIN_BIN=$build/tools/admin/samsa-admin  # samsa-configs.sh (--security sasl_ssl)
{ [ -x "$broker_bin" ] && [ -x "$bench_bin" ] && [ -x "$bulk_bin" ]; } || die "binaries missing in $build (drop --skip-build)"

# --- cluster ------------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-bench.XXXXXX")
export LOG_DIR=$work/logs PID_DIR=$work/logs
mkdir -p "$LOG_DIR" "$work/runs"

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
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

memory_cost=$(host_memory_cost)
note "$memory_cost"
start_zookeeper
if [ "$security" != plaintext ]; then
    tls=$work/tls
    "$SAMSA_ROOT/scripts/samsa-certs.sh" --dir "$tls" ca >/dev/null
    "$SAMSA_ROOT/scripts/samsa-certs.sh" --dir "$tls" broker broker >/dev/null
    secure_port=$(free_port)
    extra_listeners=${security^^}://127.0.0.1:$secure_port
    broker_overrides+=(--override ssl.keystore.type=PEM --override "ssl.keystore.location=$tls/broker.pem"
        --override ssl.truststore.type=PEM --override "ssl.truststore.location=$tls/ca.pem")
    client_props=(-X "security.protocol=$security" -X "ssl.ca.location=$tls/ca.pem")
fi
if [ "$security" = sasl_ssl ]; then
    "$SAMSA_ROOT/scripts/samsa-configs.sh" --zookeeper "127.0.0.1:$zk_port" --alter \
        --entity-type users --entity-name bench --add-config 'SCRAM-SHA-512=[password=bench-secret]' \
        >/dev/null 2>&1 || die "cannot create the bench user (samsa-configs.sh)"
    broker_overrides+=(--override sasl.enabled.mechanisms=SCRAM-SHA-512)
    client_props+=(-X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=bench -X sasl.password=bench-secret)
fi
start_broker "$broker_bin" "${broker_overrides[@]}"
plaintext_bootstrap=$bootstrap
if [ "$security" != plaintext ]; then
    bootstrap=127.0.0.1:$secure_port
fi
note "ZooKeeper on 127.0.0.1:$zk_port, broker (pid $broker_pid) on $bootstrap, data in $work"

# --- measurements -----------------------------------------------------------------------------

clk_tck=$(getconf CLK_TCK)

# prefault_page_cache (bench/lib.sh) before each produce run, unless --no-prefault.

declare -a rows=()
# Runs "$@" (samsa_bench or samsa_bulkload and its arguments) as run <name>; keeps its output,
# the broker's CPU and peak RSS.
measure() { # <name> <payload-bytes> -- command...
    local name=$1 payload=$2 out=$work/runs/$1.txt u0 s0 u1 s1 n0 n1 perf_pid=
    shift 3
    if [ "$prefault" -eq 1 ] && [[ "$name" == *produce-* ]]; then
        prefault_page_cache "$payload"
    fi
    reset_hwm "$broker_pid"
    if [ -n "$perf_dir" ]; then
        mkdir -p "$perf_dir"
        perf record -q -g -p "$broker_pid" -o "$perf_dir/$name.data" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5
    fi
    read -r u0 s0 < <(proc_ticks "$broker_pid")
    n0=$(proc_cpu_ns "$broker_pid")
    local client_cmd=("$@")
    if [ -n "$perf_dir" ]; then  # the client too: over TLS it can be the limit (RESULTS.md)
        client_cmd=(perf record -q -g -o "$perf_dir/$name.client.data" -- "${client_cmd[@]}")
    fi
    /usr/bin/time -f "CLIENT cpu_s=%U+%S" -o "$work/runs/$name.time" "${client_cmd[@]}" >"$out" 2>&1 ||
        { cat "$out" >&2; die "$name failed"; }
    n1=$(proc_cpu_ns "$broker_pid")
    read -r u1 s1 < <(proc_ticks "$broker_pid")
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
    fi
    grep -v '^RESULT' "$out" | sed "s/^/  [$name] /"
    local result cpu usr sys hwm client
    result=$(grep '^RESULT' "$out" | sed 's/^RESULT //')
    usr=$(awk -v a="$u0" -v b="$u1" -v hz="$clk_tck" 'BEGIN {printf "%.2f", (b - a) / hz}')
    sys=$(awk -v a="$s0" -v b="$s1" -v hz="$clk_tck" 'BEGIN {printf "%.2f", (b - a) / hz}')
    cpu=$(awk -v a="$n0" -v b="$n1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    hwm=$(proc_hwm_kb "$broker_pid")
    client=$(sed -n 's/^CLIENT cpu_s=//p' "$work/runs/$name.time" | awk -F+ '{printf "%.2f", $1 + $2}')
    rows+=("$name $payload $cpu $usr/$sys $hwm $client $result")
}

topic_for() { echo "bench-${1}b-acks${2/-1/all}"; }

[ "$connections_only" -eq 0 ] || sizes=()
for size in "${sizes[@]}"; do
    for acks in 1 -1; do
        topic=$(topic_for "$size" "$acks")
        "$bench_bin" create-topic -b "$bootstrap" -t "$topic" -p "$partitions" "${client_props[@]}" >/dev/null
        note "produce $records x $size B, acks=${acks/-1/all} -> $topic"
        measure "produce-${size}B-acks${acks/-1/all}" $((records * size)) -- \
            "$bench_bin" produce -b "$bootstrap" -t "$topic" -n "$records" -s "$size" -a "$acks" -l 5 \
            "${client_props[@]}" "${producer_props[@]}"
        if [ "$idempotence" -eq 1 ] && [ "$acks" = -1 ]; then
            "$bench_bin" create-topic -b "$bootstrap" -t "$topic-idem" -p "$partitions" "${client_props[@]}" >/dev/null
            note "produce $records x $size B, acks=all, enable.idempotence=true -> $topic-idem"
            measure "produce-${size}B-acksall-idem" $((records * size)) -- \
                "$bench_bin" produce -b "$bootstrap" -t "$topic-idem" -n "$records" -s "$size" -a -1 -l 5 \
                "${client_props[@]}" "${producer_props[@]}" -X enable.idempotence=true
        fi
    done
done
for size in "${sizes[@]}"; do
    topic=$(topic_for "$size" 1)
    note "consume $records x $size B <- $topic"
    measure "consume-${size}B" $((records * size)) -- \
        "$bench_bin" consume -b "$bootstrap" -t "$topic" -n "$records" -p "$partitions" "${client_props[@]}"
done
# The same bytes from samsa_bulkload (its header says why): 1 MB requests, TLS records full.
bulk_args=()
case "$security" in
    ssl) bulk_args=(--ca "$tls/ca.pem") ;;
    sasl_ssl) bulk_args=(--ca "$tls/ca.pem" --user bench --password bench-secret) ;;
esac
for size in "${sizes[@]}"; do
    [ "$bulk" -eq 1 ] || break
    topic=bench-bulk-${size}b
    "$bench_bin" create-topic -b "$bootstrap" -t "$topic" -p "$bulk_connections" "${client_props[@]}" >/dev/null
    for mode in produce fetch; do
        note "samsa_bulkload $mode $records x $size B, $bulk_connections connections -> $topic"
        measure "bulk-$mode-${size}B" $((records * size)) -- \
            "$bulk_bin" --bootstrap "$bootstrap" --topic "$topic" --mode "$mode" \
            --connections "$bulk_connections" --record-size "$size" --bytes $((records * size)) \
            "${bulk_args[@]}"
    done
done

# --- summary ----------------------------------------------------------------------------------

echo
echo "Broker: $broker_bin ($(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
echo "Records per run: $records; partitions per topic: $partitions; MB = 2^20 bytes; GB = 10^9 bytes of record payload"
echo "Host memory before the runs: $memory_cost"
fmt='%-22s %10s %8s %7s %7s %7s %7s %7s %10s %10s %8s %8s %8s\n'
# shellcheck disable=SC2059
printf "$fmt" run records/s MB/s p50_ms p95_ms p99_ms p999_ms max_ms broker_cpu usr/sys_s \
    cpu_s/GB peak_rss client
for row in "${rows[@]}"; do
    read -r -a f <<<"$row"
    name=${f[0]} payload=${f[1]} cpu=${f[2]} split=${f[3]} hwm=${f[4]} client=${f[5]}
    kv=("${f[@]:6}")
    # shellcheck disable=SC2059
    printf "$fmt" "$name" \
        "$(field rps "${kv[@]}")" "$(field mbps "${kv[@]}")" "$(field p50_ms "${kv[@]}")" \
        "$(field p95_ms "${kv[@]}")" "$(field p99_ms "${kv[@]}")" "$(field p999_ms "${kv[@]}")" \
        "$(field max_ms "${kv[@]}")" "${cpu}s" "$split" \
        "$(awk -v c="$cpu" -v b="$payload" 'BEGIN {printf "%.2f", c / (b / 1e9)}')" \
        "$((hwm / 1024))MB" "${client}s"
done
echo "Broker RSS now: $(($(proc_rss_kb "$broker_pid") / 1024)) MB"
if [ "$idempotence" -eq 1 ]; then
    # The cost of idempotence: the idempotent run's records/s over the plain acks=all run's.
    for size in "${sizes[@]}"; do
        plain='' idem=''
        for row in "${rows[@]}"; do
            read -r -a f <<<"$row"
            case "${f[0]}" in
                "produce-${size}B-acksall") plain=$(field rps "${f[@]:6}") ;;
                "produce-${size}B-acksall-idem") idem=$(field rps "${f[@]:6}") ;;
            esac
        done
        awk -v s="$size" -v p="$plain" -v i="$idem" \
            'BEGIN {printf "idempotent / plain at %s B, acks=all: %.3f (%s vs %s records/s)\n", s, i / p, i, p}'
    done
fi

# Connection set-up over SASL_SSL with a C++ client (bench/samsa_connstorm.cc): 200 connections
# one by one on the idle broker, then storms of 100 at once while samsa_loadgen produces 1000
# paced requests/s (one 100 B record each, acks=1) over the PLAINTEXT listener (it speaks no
# TLS). Each is run with SCRAM's salted password computed per connection (as Kafka's clients
# do) and cached (RFC 5802 5.1). The storms also run with their clients under SCHED_IDLE
# (chrt --idle): the 100 client threads share the broker's 2 cores here, and as idle-policy
# threads they run only on a CPU nothing else wants and give it up at once when the broker or
# the producer wakes (the kernel preempts an idle-policy thread for any other on wake-up), as
# clients on other machines would take nothing from them. nice 19, used before, only lowered
# their share: a woken thread preempts a niced one only when the scheduler's deadline
# comparison says so. Each kind of storm runs twice, interleaved, 4 s apart; the producer's
# latency log is cut into the 4 s before each storm and the storm itself
# (bench/latency_windows.py). Its latency is summarized twice: as the producer saw it (from each
# request's scheduled send time), and "on the wire" (from its send() to the kernel's receipt of
# the answer), which leaves out the producer's own waits for a CPU: a scheduler trace showed the
# producer runnable and not running for 5-10 ms while idle-policy storm threads ran, after the
# broker had answered within microseconds (bench/RESULTS.md, 2026-12-05).
# One line per samsa_connstorm RESULT in <file>: the storm's time to the last authentication,
# or the set-up's p50/p99, with the broker's and the client's CPU per connection.
summarize() { # <file>
    awk '/^RESULT/ {
        delete v
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["mode"] == "storm") printf "last_auth %s", v["last_auth_ms"]
        else printf "total p50 %s p99 %s", v["total_p50_ms"], v["total_p99_ms"]
        printf " (broker %s, client %s); ", v["broker_cpu_ms_per_conn"], v["client_cpu_ms_per_conn"]
    }' "$1"
}
connection_setup() {
    local connstorm=$build/bench/samsa_connstorm loadgen=$build/bench/samsa_loadgen out=$work/runs
    local args=(--bootstrap "$bootstrap" --ca "$tls/ca.pem" --user bench --password bench-secret
        --broker-pid "$broker_pid")
    { [ -x "$connstorm" ] && [ -x "$loadgen" ]; } || die "samsa_connstorm or samsa_loadgen missing in $build"
    echo
    local perf_pid=
    if [ -n "$perf_dir" ]; then
        mkdir -p "$perf_dir"
        perf record -q -g -p "$broker_pid" -o "$perf_dir/connections-sequential.data" >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5
    fi
    "$connstorm" "${args[@]}" --sequential 200 | tee "$out/sequential.txt"
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
    fi
    "$connstorm" "${args[@]}" --sequential 200 --cache-salted-password | tee "$out/sequential-cached.txt"
    "$bench_bin" create-topic -b "$plaintext_bootstrap" -t bench-storm -p 1 >/dev/null
    "$loadgen" produce --bootstrap "$plaintext_bootstrap" --topic bench-storm --rate 1000 \
        --warmup 2 --duration 50 --drain 3 --latency-log "$out/producer-latency.log" \
        >"$out/producer.txt" 2>&1 &
    local producer_pid=$! rep kind
    sleep 3 # the producer's 2 s warm-up
    local kinds=(storm storm-cached storm-idle storm-cached-idle)
    for rep in 1 2; do
        for kind in "${kinds[@]}"; do
            sleep 4 # the baseline window before this storm
            local run=("$connstorm" "${args[@]}" --storm 100)
            [[ "$kind" != *cached* ]] || run+=(--cache-salted-password)
            [[ "$kind" != *idle* ]] || run=(chrt --idle 0 "${run[@]}")
            echo "[$kind, $rep of 2]"
            "${run[@]}" | tee -a "$out/$kind.txt"
        done
    done
    wait "$producer_pid" || { cat "$out/producer.txt" >&2; die "samsa_loadgen failed"; }
    local files=()
    for kind in "${kinds[@]}"; do
        files+=("$out/$kind.txt")
    done
    echo
    echo "Connection set-up summary (ms; CPU per connection; 'cached': SCRAM's salted password reused)"
    printf '%-20s %s\n' sequential "$(summarize "$out/sequential.txt")"
    printf '%-20s %s\n' sequential-cached "$(summarize "$out/sequential-cached.txt")"
    for kind in "${kinds[@]}"; do
        printf '%-20s %s\n' "$kind" "$(summarize "$out/$kind.txt")"
    done
    /usr/bin/python3 "$SAMSA_ROOT/bench/latency_windows.py" "$out/producer-latency.log" "${files[@]}"
    if [ "$python_storm" -eq 1 ]; then
        echo "Python client (bench/connection_storm.py: 100 threads, Python's SCRAM):"
        /usr/bin/python3 "$SAMSA_ROOT/bench/connection_storm.py" --bootstrap "$bootstrap" \
            --ca "$tls/ca.pem" --user bench --password bench-secret
    fi
}
if [ "$security" = sasl_ssl ]; then
    connection_setup
fi
