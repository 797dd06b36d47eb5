#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# Small-request benchmark of issue 5: what one small request costs the broker, side by side
# with Redis. Builds samsa_loadgen (bench/samsa_loadgen.cc, a raw Kafka request generator),
# samsa_bench (topic creation) and the broker into build-bench (Release), starts ZooKeeper and
# one broker on free loopback ports with temp dirs, runs the scenario, prints a summary and
# stops everything it started, by pid, also when it fails. Not a test: it prints figures.
#
# --scenario small (default), each run: warm-up, then a measured window:
#   produce 1x1, 8x1, 64x1   connections x requests in flight, closed loop, one 100 B record
#                            per Produce v7 request, acks=1
#   paced 1000 x 100/s       1,000 connections each sending 100 requests/s on a fixed schedule
#                            (open loop: latency counts from the scheduled send time)
#   fetch tail               8 consumers (Fetch v11, max_wait_ms 1) tailing the topic an 8x1
#                            producer appends to, both at once; the producer's records carry
#                            their send time, so the consumers also report end-to-end latency
#   idle 10,000              10,000 connections, one ApiVersions each, then idle: the broker's
#                            CPU and RSS while they sit there, and a new connection answered
#   Redis                    Debian's redis-server (AOF on, appendfsync everysec, no RDB) on a
#                            free port with a temp dir, and redis-benchmark sending XADD with a
#                            100-byte field at 1, 8 and 64 clients (no pipelining), then the
#                            paced run's load from samsa_loadgen --redis (XADD, open loop);
#                            then samsa_loadgen --redis at 1x1, 8x1 and 64x1 (the very client of
#                            the Samsa rows, closed loop) and PING at 1x1: a server that does
#                            no work, so its round trip is the machine's floor for every server
# Broker or Redis CPU per request = CPU time of all the server's threads (/proc/PID/task/*/
# schedstat) over the measured window / requests answered in it.
#
# --scenario saturation: a producer writing faster than the disk while a consumer tails another
# topic. Topic sat-bulk gets 1,000,000-byte records from 2 connections x 4 in flight; topic
# sat-tail gets one 100 B record per request from 1 connection paced at 100 requests/s, and one
# consumer tails it (max_wait_ms 1). Reports the bulk producer's MB/s, the tail consumer's fetch
# round trip and end-to-end latency (the issue's bar: fetch p99 <= 50 ms), the tail producer's
# latency, and nr_dirty / nr_writeback from /proc/vmstat sampled every 0.5 s.
#   How throttling is reached: when a writer dirties page-cache pages faster than writeback
#   cleans them, the kernel makes the writing thread sleep inside write() (balance_dirty_pages,
#   here in the broker's pwrite) once the dirty pages pass a limit. No sysctl is changed.
#   - By default the data dir is on the machine's disk, and the limit is the global one: from
#     the midpoint of /proc/vmstat nr_dirty_background_threshold and nr_dirty_threshold
#     (vm.dirty_background_ratio / vm.dirty_ratio of available memory, gigabytes on a large
#     machine). The run reaches it only if the producer outruns the disk for long enough: watch
#     "dirty+writeback max" against "throttling from". A fast disk on few cores never gets there
#     (on the 2-core VM with 1.2 GB/s virtio-blk, the broker writes about 0.9 GB/s).
#   - --slow-disk MBPS (root) puts the data dir on a disk of that write speed instead: an ext4
#     file system on a loop device (direct I/O to a sparse file in the temp dir), its writes
#     limited by a blkio throttle rule for that device only (cgroup v1's root
#     blkio.throttle.write_bps_device; cgroup v2 has no equivalent), and its dirty pages capped at
#     512 MiB by the device's own bdi limit (/sys/class/bdi/MAJ:MIN max_bytes + strict_limit),
#     so the broker is throttled within seconds while the rest of the machine is not. All of
#     it is undone at exit; the bdi settings are restored to what they were.
#   The broker keeps log.retention.bytes per topic (default: twice the global dirty limit, or
#   1 GiB on the slow disk, whose image is sized for three times that) in 256 MiB segments
#   deleted a second after retention drops them, so the disk never holds much more; the data
#   dir (and the image) is deleted at the end whatever happens.
set -euo pipefail
PROG=small-requests
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
scenario=small
duration=
warmup=
drain=5
jobs=2
skip_build=0
keep=0
broker_bin=
redis=1
redis_requests=
idle_connections=10000
paced_connections=1000
paced_rate=100
retention_bytes=
slow_disk=
broker_overrides=()

usage() {
    cat <<USAGE
USAGE: $0 [--scenario small|saturation] [--duration S] [--warmup S]
          [--broker-bin PATH] [--skip-build] [--no-redis] [--redis-requests N]
          [--idle-connections N] [--paced-connections N] [--paced-rate R]
          [--retention-bytes B] [--slow-disk MBPS] [--keep] [--override key=value]... [-j N]
  Runs the small-request benchmark of issue 5 against one local broker (and Redis), or the
  disk-saturation scenario; the header of this script says what each measures.
  --scenario NAME      small (default) or saturation
  --duration S         measured seconds per run (small: 10, saturation: 30)
  --warmup S           warm-up seconds per run (small: 2, saturation: 20)
  --broker-bin PATH    this broker binary instead of building $build/broker/samsa-broker
  --skip-build         use the binaries already in $build
  --no-redis           skip the Redis runs
  --redis-requests N   XADDs per redis-benchmark run (default: 60000 x duration)
  --idle-connections N   the idle run's connections (default $idle_connections)
  --paced-connections N  the paced run's connections (default $paced_connections)
  --paced-rate R         requests/s per paced connection (default $paced_rate)
  --retention-bytes B  saturation: log.retention.bytes (default: twice the kernel's dirty
                       limit; 1 GiB with --slow-disk)
  --slow-disk MBPS     saturation: data dir on a loop device limited to MBPS MB/s (root)
  --keep               keep the temp dir (logs, per-run output; never the saturation data)
  --override k=v       broker property (repeatable), e.g. --override num.io.threads=2
  -j N                 build parallelism (default $jobs)
  -h, --help           show this help
Needs java (Debian's zookeeper), kcat, librdkafka-dev; Redis from Debian's redis-server
(installed with apt-get when missing and run as root).
USAGE
}

positive() { [[ "${2:-}" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 needs a number"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --scenario) [[ "${2:-}" =~ ^(small|saturation)$ ]] || die "--scenario: small or saturation"; scenario=$2; shift 2 ;;
        --duration) positive "$1" "${2:-}"; duration=$2; shift 2 ;;
        --warmup) positive "$1" "${2:-}"; warmup=$2; shift 2 ;;
        --broker-bin) [ -x "${2:-}" ] || die "--broker-bin needs an executable"; broker_bin=$(realpath "$2"); shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        --no-redis) redis=0; shift ;;
        --redis-requests) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a number"; redis_requests=$2; shift 2 ;;
        --idle-connections) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a number"; idle_connections=$2; shift 2 ;;
        --paced-connections) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a number"; paced_connections=$2; shift 2 ;;
        --paced-rate) positive "$1" "${2:-}"; paced_rate=$2; shift 2 ;;
        --retention-bytes) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a number"; retention_bytes=$2; shift 2 ;;
        --slow-disk) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "$1 needs MB/s"; slow_disk=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --override) [[ "${2:-}" == *=* ]] || die "--override needs key=value"; broker_overrides+=(--override "$2"); shift 2 ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
if [ "$scenario" = small ]; then
    duration=${duration:-10} warmup=${warmup:-2}
else
    duration=${duration:-30} warmup=${warmup:-20}
fi
command -v kcat >/dev/null || die "kcat not found (scripts/install-deps.sh)"

# Redis comes from Debian's redis-server package (redis-benchmark is in redis-tools, a
# dependency); install it when missing and allowed to.
ensure_redis() {
    command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null && return
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        note "installing redis-server (apt-get)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >/dev/null
    else
        die "redis-server/redis-benchmark not found: run 'sudo apt-get install -y redis-server', or --no-redis"
    fi
}
[ "$scenario" = small ] && [ "$redis" -eq 1 ] && ensure_redis

# --- build ------------------------------------------------------------------------------------

bench_loadgen_binaries "$build" "$jobs" "$skip_build"

# --- processes and cleanup --------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-small.XXXXXX")
export LOG_DIR=$work/logs PID_DIR=$work/logs
mkdir -p "$LOG_DIR" "$work/runs"
children=() # background processes of this script (load generators, the vmstat sampler, Redis)
loop_dev=   # --slow-disk's loop device, once attached

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$? pid alive=()
    for pid in "${children[@]}"; do
        kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    [ "${#alive[@]}" -eq 0 ] || terminate_and_wait 30 "${alive[@]}" || rc=1
    stop_cluster || rc=1
    [ -z "$loop_dev" ] || remove_slow_disk || rc=1
    rm -rf "$work/data" "$work/disk.img" # the saturation scenario leaves gigabytes there
    if [ "$keep" -eq 1 ] || [ "$rc" -ne 0 ]; then
        echo "$PROG: logs and per-run output kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The broker inherits this limit: 10,000 connections need more than the usual soft 1024.
ulimit -n "$(ulimit -Hn)"

# --- load generator runs ----------------------------------------------------------------------

declare -A results=() # run name -> the words of its RESULT line

# Starts samsa_loadgen in the background as run <name>, output in $work/runs/<name>.txt; sets
# loadgen_pid (for finish_loadgen).
# The server is the broker unless target_address/target_pid say otherwise (the Redis runs).
start_loadgen() { # <name> -- samsa_loadgen arguments...
    local name=$1
    shift 2
    "$loadgen_bin" "$@" --bootstrap "${target_address:-$bootstrap}" \
        --broker-pid "${target_pid:-$broker_pid}" --drain "$drain" >"$work/runs/$name.txt" 2>&1 &
    loadgen_pid=$!
    children+=("$loadgen_pid")
}

# Waits for run <name> (pid <pid>), shows its human output and keeps its RESULT line.
finish_loadgen() { # <name> <pid>
    local name=$1 out=$work/runs/$1.txt
    wait "$2" || { cat "$out" >&2; die "$name failed"; }
    kill -0 "$broker_pid" 2>/dev/null || die "the broker died during $name (see $LOG_DIR)"
    grep -v '^RESULT' "$out" | sed "s/^/  [$name] /"
    results[$name]=$(sed -n 's/^RESULT //p' "$out")
}

loadgen() { # <name> -- samsa_loadgen arguments...
    start_loadgen "$@"
    finish_loadgen "$1" "$loadgen_pid"
}

# The value of <key> in run <name>'s RESULT line, or "-".
result() { # <name> <key>
    local -a words
    read -r -a words <<<"${results[$1]:-}"
    field "$2" "${words[@]}"
}

create_topic() { "$bench_bin" create-topic -b "$bootstrap" -t "$1" -p 1 >/dev/null; }

timing=() # set per scenario: --warmup/--duration of every load generator

run_small_samsa() {
    local conns pid_p pid_f
    create_topic small
    for conns in 1 8 64; do
        note "produce ${conns}x1"
        loadgen "produce-${conns}x1" -- produce --topic small --connections "$conns" "${timing[@]}"
    done
    note "paced ${paced_connections} x ${paced_rate}/s"
    loadgen paced -- produce --topic small --connections "$paced_connections" \
        --rate "$paced_rate" "${timing[@]}"
    create_topic tail
    note "fetch tail: 8 consumers while an 8x1 producer appends"
    start_loadgen fetch-tail -- fetch --topic tail --connections 8 --max-wait-ms 1 "${timing[@]}"
    pid_f=$loadgen_pid
    start_loadgen fetch-tail-producer -- produce --topic tail --connections 8 "${timing[@]}"
    pid_p=$loadgen_pid
    finish_loadgen fetch-tail-producer "$pid_p"
    finish_loadgen fetch-tail "$pid_f"
    note "idle: $idle_connections connections"
    loadgen idle -- idle --connections "$idle_connections" "${timing[@]}"
}

# --- Redis ------------------------------------------------------------------------------------

declare -A redis_results=() # clients -> "rps p50_us p95_us p99_us max_us cpu_us_per_cmd"

start_redis() {
    redis_port=$(free_port)
    mkdir -p "$work/redis"
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work/redis" --appendonly yes \
        --appendfsync everysec --save '' --daemonize no --logfile "$work/redis/redis.log" &
    redis_pid=$!
    children+=("$redis_pid")
    # Redis takes up to 10,000 clients, fewer under a lower file limit (raised above): the
    # paced run needs 1,000.
    wait_for 30 Redis -- redis-cli -h 127.0.0.1 -p "$redis_port" ping
}

# redis-benchmark XADD at <clients>: a warm-up of a tenth of the requests, then the measured
# run with redis-server's CPU read around it.
run_redis() { # <clients>
    local clients=$1 secs=${duration%.*} n value csv n0 n1
    n=${redis_requests:-$((${secs:-0} > 0 ? secs * 60000 : 60000))}
    value=$(printf 'v%.0s' {1..100})
    local -a cmd=(redis-benchmark -h 127.0.0.1 -p "$redis_port" -c "$clients" -P 1 --csv)
    "${cmd[@]}" -n $((n / 10)) XADD bench '*' f "$value" >/dev/null
    n0=$(proc_cpu_ns "$redis_pid")
    csv=$("${cmd[@]}" -n "$n" XADD bench '*' f "$value" | tail -n 1)
    n1=$(proc_cpu_ns "$redis_pid")
    echo "$csv" >"$work/runs/redis-$clients.csv"
    # "XADD ...","rps","avg_ms","min_ms","p50_ms","p95_ms","p99_ms","max_ms"
    redis_results[$clients]=$(awk -F'","' -v n="$n" -v cpu=$((n1 - n0)) '{
        gsub(/"/, "", $8)
        printf "%.0f %.1f %.1f %.1f %.1f %.2f", $2, $5 * 1000, $6 * 1000, $7 * 1000, $8 * 1000,
            cpu / n / 1000
    }' <<<"$csv")
    note "redis XADD, $clients clients: ${redis_results[$clients]} (rps p50 p95 p99 max us, cpu us/cmd)"
}

# The paced load of run_small_samsa against Redis: samsa_loadgen --redis sends one XADD of the
# same 100 B value per request on the same open-loop schedule (redis-benchmark has none).
run_redis_paced() {
    note "redis paced ${paced_connections} x ${paced_rate}/s (samsa_loadgen --redis)"
    target_address=127.0.0.1:$redis_port target_pid=$redis_pid \
        loadgen redis-paced -- produce --redis --topic paced --connections "$paced_connections" \
        --rate "$paced_rate" "${timing[@]}"
}

# The closed-loop loads of run_small_samsa against Redis from samsa_loadgen itself, so both
# servers face the same client (redis-benchmark's costs differ), and PING at 1x1: Redis does
# nothing for it but answer, so no server on this machine can have a lower 1x1 round trip.
run_redis_same_client() {
    local conns
    for conns in 1 8 64; do
        note "redis XADD ${conns}x1 (samsa_loadgen --redis)"
        target_address=127.0.0.1:$redis_port target_pid=$redis_pid \
            loadgen "redis-lg-${conns}x1" -- produce --redis --topic same-client \
            --connections "$conns" "${timing[@]}"
    done
    note "redis PING 1x1 (samsa_loadgen --redis --redis-ping): the machine's round-trip floor"
    target_address=127.0.0.1:$redis_port target_pid=$redis_pid \
        loadgen redis-ping-1x1 -- produce --redis --redis-ping --topic unused --connections 1 \
        "${timing[@]}"
}

# --- summaries --------------------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

# Microseconds as printed in the table: one decimal below 1000, none above.
us() { awk -v v="$1" 'BEGIN { if (v == "-") print v; else if (v >= 1000) printf "%.0f", v; else printf "%.1f", v }'; }

table_fmt='%-20s %-8s %9s %9s %9s %9s %9s %7s %8s %7s\n'

# One table row from run <name>'s RESULT line; <cpu/req> and <ratio> given by the caller.
run_row() { # <label> <server> <name> <cpu/req> <ratio>
    # shellcheck disable=SC2059
    printf "$table_fmt" "$1" "$2" "$(result "$3" rps)" "$(us "$(result "$3" p50_us)")" \
        "$(us "$(result "$3" p99_us)")" "$(us "$(result "$3" p999_us)")" \
        "$(us "$(result "$3" max_us)")" "$(result "$3" errors)" "$4" "$5"
}
samsa_row() { run_row "$1" samsa "$2" "$3" "$4"; }

# A row for a samsa_loadgen run against Redis, if there was one.
redis_lg_row() { # <label> <server> <name>
    [ -z "${results[$3]:-}" ] || run_row "$1" "$2" "$3" "$(result "$3" broker_cpu_us_per_req)" ""
}

print_small_summary() {
    local conns redis_row fetches produced cpu
    echo
    echo "Broker: $broker_bin; $(nproc) CPUs; ${warmup} s warm-up + ${duration} s measured per run"
    # shellcheck disable=SC2059
    printf "$table_fmt" load server "req/s" "p50 us" "p99 us" "p99.9 us" "max us" errors \
        "cpu/req" "S/R cpu"
    for conns in 1 8 64; do
        redis_row=(- - - - - -)
        [ -z "${redis_results[$conns]:-}" ] || read -r -a redis_row <<<"${redis_results[$conns]}"
        cpu=$(result "produce-${conns}x1" broker_cpu_us_per_req)
        samsa_row "produce ${conns}x1" "produce-${conns}x1" "$cpu" "$(ratio "$cpu" "${redis_row[5]}")"
        # shellcheck disable=SC2059
        printf "$table_fmt" "" redis "${redis_row[0]}" "$(us "${redis_row[1]}")" \
            "$(us "${redis_row[3]}")" - "$(us "${redis_row[4]}")" - "${redis_row[5]}" ""
        redis_lg_row "" redis-lg "redis-lg-${conns}x1"
    done
    redis_lg_row "PING 1x1 (floor)" redis redis-ping-1x1
    cpu=$(result paced broker_cpu_us_per_req)
    samsa_row "paced ${paced_connections}x${paced_rate}/s" paced "$cpu" \
        "$(ratio "$cpu" "$(result redis-paced broker_cpu_us_per_req)")"
    if [ -n "${results[redis-paced]:-}" ]; then
        # shellcheck disable=SC2059
        printf "$table_fmt" "" redis "$(result redis-paced rps)" \
            "$(us "$(result redis-paced p50_us)")" "$(us "$(result redis-paced p99_us)")" \
            "$(us "$(result redis-paced p999_us)")" "$(us "$(result redis-paced max_us)")" \
            "$(result redis-paced errors)" "$(result redis-paced broker_cpu_us_per_req)" ""
    fi
    fetches=$(result fetch-tail requests)
    produced=$(result fetch-tail-producer requests)
    cpu=$(result fetch-tail broker_cpu_s)
    samsa_row "fetch tail 8" fetch-tail \
        "$(awk -v c="$cpu" -v n=$((fetches + produced)) 'BEGIN {printf "%.2f", n ? c * 1e6 / n : 0}')" ""
    samsa_row "  its producer 8x1" fetch-tail-producer "" ""
    echo
    echo "cpu/req: the server's CPU per request in us (redis-server's per XADD); S/R cpu: Samsa's"
    echo "over Redis's. Redis: AOF everysec, redis-benchmark -P 1 with a 100-byte field; it"
    echo "reports p95 (us) instead of p99.9: $(for conns in 1 8 64; do [ -z "${redis_results[$conns]:-}" ] ||
        printf '%s at %s, ' "$(awk '{print $3}' <<<"${redis_results[$conns]}")" "$conns"; done | sed 's/, $//') clients."
    if [ -n "${results[redis-ping-1x1]:-}" ]; then
        echo "redis-lg: the Samsa rows' own client against Redis (samsa_loadgen --redis, XADD)."
        echo "PING 1x1: samsa_loadgen --redis --redis-ping; Redis does no work for it, so its"
        echo "round trip is this machine's floor for any server at 1x1."
    fi
    echo "paced: samsa_loadgen's open-loop schedule for both servers (Redis: --redis, XADD);" \
        "timeouts $(result paced timeouts) / $(result redis-paced timeouts) (percentiles are" \
        "lower bounds when > 0)."
    echo "fetch tail: cpu/req = broker CPU / (fetches + produces); $(result fetch-tail records_per_s)" \
        "records/s received, end to end p50 $(us "$(result fetch-tail e2e_p50_us)") us, p99" \
        "$(us "$(result fetch-tail e2e_p99_us)") us, max $(us "$(result fetch-tail e2e_max_us)") us."
    echo "idle: $(result idle ready)/$idle_connections connections ready in" \
        "$(result idle prepare_s) s; broker CPU while idle $(result idle broker_cpu_s) s in" \
        "$duration s; RSS $(($(result idle broker_rss_before_kb) / 1024)) MB before," \
        "$(($(result idle broker_rss_kb) / 1024)) MB with them; a new connection answered:" \
        "$([ "$(result idle probe_ok)" = 1 ] && echo "yes, in $(result idle probe_us) us" || echo NO);" \
        "errors $(result idle errors)."
}

# --- saturation -------------------------------------------------------------------------------

vm_pages() { awk -v k="$1" '$1 == k {print $2}' /proc/vmstat; }

# Samples nr_dirty, nr_writeback and the two thresholds every 0.5 s until killed.
sample_vmstat() { # <file>
    while :; do
        awk '/^(nr_dirty|nr_writeback|nr_dirty_threshold|nr_dirty_background_threshold) / {
            v[$1] = $2 } END { print v["nr_dirty"], v["nr_writeback"], v["nr_dirty_threshold"],
            v["nr_dirty_background_threshold"] }' /proc/vmstat >>"$1"
        sleep 0.5
    done
}

# The write limit of block device <maj:min> for everyone: a rule in the root blkio cgroup of
# cgroup v1 (v2 cannot limit its root, which owns the page-cache writeback); 0 removes it.
throttle_writes() { # <maj:min> <bytes/s>
    echo "$1 $2" >"$blkio_rules"
}
blkio_rules=/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device

# Mounts an ext4 file system on a loop device at $work/data, writes limited to <MB/s> and
# dirty pages to 512 MiB (see the header). Sets loop_dev and loop_bdi.
make_slow_disk() { # <MB/s> <image bytes>
    [ "$(id -u)" -eq 0 ] || die "--slow-disk needs root (loop device, mount, blkio throttle)"
    [ -w "$blkio_rules" ] || die "--slow-disk needs cgroup v1's blkio controller ($blkio_rules)"
    truncate -s "$2" "$work/disk.img"
    loop_dev=$(losetup --find --show --direct-io=on "$work/disk.img")
    loop_bdi=$(cat "/sys/block/${loop_dev#/dev/}/dev")
    bdi_saved="$(cat "/sys/class/bdi/$loop_bdi/strict_limit") $(cat "/sys/class/bdi/$loop_bdi/max_ratio")"
    mkfs.ext4 -q "$loop_dev"
    mkdir -p "$work/data"
    mount "$loop_dev" "$work/data"
    throttle_writes "$loop_bdi" $(($1 * 1048576))
    echo $((512 * 1048576)) >"/sys/class/bdi/$loop_bdi/max_bytes"
    echo 1 >"/sys/class/bdi/$loop_bdi/strict_limit"
    note "data dir on $loop_dev ($loop_bdi): writes limited to $1 MB/s, dirty pages to 512 MiB"
}

# Undoes make_slow_disk once the broker is gone; fails, naming what is left, if it cannot.
remove_slow_disk() {
    local strict ratio
    read -r strict ratio <<<"$bdi_saved"
    echo "$strict" >"/sys/class/bdi/$loop_bdi/strict_limit" || true
    echo "$ratio" >"/sys/class/bdi/$loop_bdi/max_ratio" || true
    throttle_writes "$loop_bdi" 0 || true
    if { mountpoint -q "$work/data" && ! umount "$work/data"; } || ! losetup -d "$loop_dev"; then
        echo "$PROG: could not remove $loop_dev mounted on $work/data (umount, losetup -d)" >&2
        return 1
    fi
    loop_dev=
}

run_saturation() {
    local pid_bulk pid_slow pid_tail sampler
    create_topic sat-bulk
    create_topic sat-tail
    sample_vmstat "$work/runs/vmstat.txt" &
    sampler=$!
    children+=("$sampler")
    note "saturation: bulk producer on sat-bulk, 100/s producer + tailing consumer on sat-tail"
    start_loadgen sat-tail-consumer -- fetch --topic sat-tail --connections 1 --max-wait-ms 1 \
        "${timing[@]}"
    pid_tail=$loadgen_pid
    start_loadgen sat-tail-producer -- produce --topic sat-tail --connections 1 --rate 100 \
        "${timing[@]}"
    pid_slow=$loadgen_pid
    start_loadgen sat-bulk -- produce --topic sat-bulk --connections 2 --in-flight 4 \
        --record-size 1000000 "${timing[@]}"
    pid_bulk=$loadgen_pid
    finish_loadgen sat-bulk "$pid_bulk"
    finish_loadgen sat-tail-producer "$pid_slow"
    finish_loadgen sat-tail-consumer "$pid_tail"
    kill "$sampler"
    wait "$sampler" 2>/dev/null || true
    print_saturation_summary "$work/runs/vmstat.txt"
}

print_saturation_summary() { # <vmstat samples>
    local mbps disk=
    mbps=$(awk -v r="$(result sat-bulk rps)" 'BEGIN {printf "%.0f", r * 1000000 / 1048576}')
    [ -z "$slow_disk" ] || disk=" (disk limited to $slow_disk MB/s, 512 MiB of dirty pages)"
    echo
    echo "Broker: $broker_bin; $(nproc) CPUs; ${warmup} s warm-up + ${duration} s measured;" \
        "log.retention.bytes=$retention_bytes"
    echo "bulk producer:   $mbps MB/s$disk, 1,000,000 B records, 2x4 in flight; p99" \
        "$(result sat-bulk p99_us) us, errors $(result sat-bulk errors)"
    echo "tail consumer:   fetch p50 $(result sat-tail-consumer p50_us) us, p99" \
        "$(result sat-tail-consumer p99_us) us, max $(result sat-tail-consumer max_us) us;" \
        "end to end p50 $(result sat-tail-consumer e2e_p50_us) us, p99" \
        "$(result sat-tail-consumer e2e_p99_us) us, max $(result sat-tail-consumer e2e_max_us) us;" \
        "errors $(result sat-tail-consumer errors)"
    echo "tail producer:   $(result sat-tail-producer rps) req/s, p50" \
        "$(result sat-tail-producer p50_us) us, p99 $(result sat-tail-producer p99_us) us, max" \
        "$(result sat-tail-producer max_us) us"
    # The global limit: throttling starts at the midpoint of the background and hard limits.
    awk '{ d = $1 + $2; if (d > max) max = d; if ($2 > wb) wb = $2; limit = $3; bg = $4
           if (d > (limit + bg) / 2) above += 0.5 }
         END { mb = 4096 / 1048576
               printf "page cache:      dirty+writeback max %.0f MB (writeback max %.0f MB);", max * mb, wb * mb
               printf " global throttling from %.0f MB, hard limit %.0f MB; %.1f s above it\n",
                   (limit + bg) / 2 * mb, limit * mb, above }' "$1"
    echo "bar (issue 5): the consumer's fetch p99 <= 50 ms while the bulk producer is throttled"
}

# Broker settings (and with --slow-disk, the data dir) of the saturation scenario.
prepare_saturation() {
    local image=0 free_bytes
    if [ -n "$slow_disk" ]; then
        retention_bytes=${retention_bytes:-1073741824}
        # Retention deletes late (seen: 1.8 GB past the limit at 200 MB/s), and a full disk
        # turns every append into KAFKA_STORAGE_ERROR: room for three times the limit.
        image=$((3 * retention_bytes + 2 * 1073741824))
    else
        retention_bytes=${retention_bytes:-$((2 * $(vm_pages nr_dirty_threshold) * 4096))}
    fi
    free_bytes=$(($(df -k --output=avail "$work" | tail -n 1) * 1024))
    [ $((retention_bytes + image + 4 * 268435456 + 10 * 1073741824)) -lt "$free_bytes" ] ||
        die "retention $retention_bytes B would leave less than 10 GB free in $work (--retention-bytes)"
    [ -z "$slow_disk" ] || make_slow_disk "$slow_disk" "$image"
    broker_overrides=(--override log.segment.bytes=268435456
        --override "log.retention.bytes=$retention_bytes"
        --override log.retention.check.interval.ms=1000
        --override log.segment.delete.delay.ms=1000 "${broker_overrides[@]}")
}

# --- main -------------------------------------------------------------------------------------

timing=(--warmup "$warmup" --duration "$duration")
start_zookeeper
[ "$scenario" = small ] || prepare_saturation
start_broker "$broker_bin" "${broker_overrides[@]}"
note "ZooKeeper on 127.0.0.1:$zk_port, broker (pid $broker_pid) on $bootstrap, data in $work"

if [ "$scenario" = saturation ]; then
    run_saturation
    exit 0
fi
run_small_samsa
if [ "$redis" -eq 1 ]; then
    start_redis
    note "Redis (pid $redis_pid) on 127.0.0.1:$redis_port, AOF everysec"
    for clients in 1 8 64; do
        run_redis "$clients"
    done
    run_redis_paced
    run_redis_same_client
fi
print_small_summary
