# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # globals set for, and read from, the sourcing script
# Helpers shared by the benchmark scripts (bench/run.sh, bench/small_requests.sh): sourced after
# scripts/lib/common.sh, never run. A script using them sets $work (its temp dir) and exports
# LOG_DIR and PID_DIR under it before start_zookeeper / start_broker, and calls stop_cluster
# from its EXIT trap. Linux only (reads /proc).

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs the command until it succeeds, every 0.5 s, or dies after <seconds>.
wait_for() { # <seconds> <what> -- command...
    local deadline=$((SECONDS + $1)) what=$2
    shift 3
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "$what did not come up (logs in $LOG_DIR)"
        sleep 0.5
    done
}

# Configures <build> as a Release build with the benchmarks and builds the targets.
bench_build() { # <build> <jobs> <target>...
    local build=$1 jobs=$2
    shift 2
    cmake_configure "$build" Release -DSAMSA_BUILD_BENCH=ON >/dev/null
    cmake --build "$build" -j"$jobs" --target "$@"
}

# The raw-generator benchmarks' binaries: builds samsa_loadgen, samsa_bench and (unless
# $broker_bin names another broker, --broker-bin) samsa-broker into <build> unless <skip_build>
# is 1, then sets broker_bin, loadgen_bin and bench_bin, each checked to be there.
bench_loadgen_binaries() { # <build> <jobs> <skip_build>
    local build=$1 jobs=$2 skip=$3 bin
    local targets=(samsa_loadgen samsa_bench)
    [ -n "${broker_bin:-}" ] || targets+=(samsa-broker)
    if [ "$skip" -eq 0 ]; then
        note "building ${targets[*]} (Release) into $build"
        bench_build "$build" "$jobs" "${targets[@]}"
    fi
    broker_bin=${broker_bin:-$build/broker/samsa-broker}
    loadgen_bin=$build/bench/samsa_loadgen
    bench_bin=$build/bench/samsa_bench
    for bin in "$broker_bin" "$loadgen_bin" "$bench_bin"; do
        [ -x "$bin" ] || die "$bin missing (drop --skip-build)"
    done
}

# Starts ZooKeeper on a free loopback port with its data in $work/zookeeper; sets zk_port.
start_zookeeper() {
    zk_port=$(free_port)
    mkdir -p "$work/zookeeper"
    sed -e "s|^dataDir=.*|dataDir=$work/zookeeper|" -e "s|^clientPort=.*|clientPort=$zk_port|" \
        "$SAMSA_ROOT/config/zookeeper.properties" >"$work/zookeeper.properties"
    "$SAMSA_ROOT/scripts/zookeeper-server-start.sh" -daemon "$work/zookeeper.properties" >/dev/null
    wait_for 60 ZooKeeper -- zookeeper_ok 127.0.0.1 "$zk_port"
}

# Starts <broker-bin> with config/server.properties on a free loopback port, data in $work/data,
# then the given --override arguments; waits until it answers metadata. Sets bootstrap and
# broker_pid.
start_broker() { # <broker-bin> [--override key=value]...
    local bin=$1 port
    shift
    port=$(free_port)
    bootstrap=127.0.0.1:$port
    mkdir -p "$work/data"
    SAMSA_BROKER_BIN=$bin "$SAMSA_ROOT/scripts/samsa-server-start.sh" -daemon \
        "$SAMSA_ROOT/config/server.properties" \
        --override "log.dirs=$work/data" \
        --override "listeners=PLAINTEXT://$bootstrap${extra_listeners:+,$extra_listeners}" \
        --override "zookeeper.connect=127.0.0.1:$zk_port" "$@" >/dev/null
    wait_for 60 "the broker" -- kcat -b "$bootstrap" -L -m 5
    broker_pid=$(pid_file_process "$PID_DIR/samsaServer.pid") || die "the broker is not running"
}

# Stops the broker, then ZooKeeper, by the pid files their start scripts wrote (a stale pid
# file is ignored). Fails when one of them does not stop in time.
stop_cluster() {
    local pid rc=0
    if pid=$(pid_file_process "$PID_DIR/samsaServer.pid"); then
        terminate_and_wait 60 "$pid" || rc=1
    fi
    if pid=$(pid_file_process "$PID_DIR/zookeeper.pid"); then
        terminate_and_wait 30 "$pid" || rc=1
    fi
    return "$rc"
}

# CPU time of all the threads of <pid> in ns (first field of each task's schedstat): the
# precise total; /proc/<pid>/stat's clock ticks (10 ms) only give the user/system split.
proc_cpu_ns() { # <pid>
    { cat "/proc/$1/task/"*/schedstat 2>/dev/null || true; } |
        awk '{s += $1} END {printf "%.0f", s}'
}

# utime and stime of <pid> in clock ticks (fields 14 and 15 of /proc/<pid>/stat; the command
# name in field 2 has no spaces for the processes measured here).
proc_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

# Resident set (VmRSS) and its peak since the last reset (VmHWM) of <pid>, in kB.
proc_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
proc_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }

# The value of <key> among key=value words, or "-".
field() { # <key> <key=value...>
    local key=$1 kv
    shift
    for kv in "$@"; do
        [ "${kv%%=*}" = "$key" ] && { echo "${kv#*=}"; return; }
    done
    echo -
}

# The broker's appends are copies into the page cache. This VM (Firecracker) has virtio-balloon
# free page reporting: memory the guest frees goes back to the host, and the next write into it
# faults it in again, which shows up as 1-2.5 kernel CPU-s per GB in whichever process copies
# into it (dd into fresh memory: ~2.5 s/GB; into just-freed memory: ~0.2 s/GB). So right before
# each produce run, write and delete a file 20% larger than the run's data: the broker then
# appends into recycled page-cache memory, as a long-running broker does (run.sh's
# --no-prefault skips it).
prefault_page_cache() { # <bytes>
    local mb=$(($1 * 12 / 10 / 1048576 + 1))
    dd if=/dev/zero of="$work/prefault" bs=1M count="$mb" status=none
    rm -f "$work/prefault"
}

# How much the host charges for page-cache memory, printed beside the figures because it can
# dominate them: seconds per GB written by dd into memory the guest has not touched for a while
# (the host may have taken it back) and into memory freed a moment before (recycled). On
# 2026-12-05 the host reclaimed freed memory within 1-5 s and fresh memory cost ~5 s/GB, so a
# prefault no longer covered a whole run: write-heavy runs then measure the host's page faults
# more than the broker.
host_memory_cost() {
    local f=$work/memory-probe t0 t1 t2
    sleep 5  # let memory freed by the previous step go back to the host, as it would mid-run
    t0=$(date +%s%N)
    dd if=/dev/zero of="$f" bs=1M count=256 status=none
    rm -f "$f"
    t1=$(date +%s%N)
    dd if=/dev/zero of="$f" bs=1M count=256 status=none
    rm -f "$f"
    t2=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" -v c="$t2" \
        'BEGIN {printf "page-cache writes: %.2f s/GB into memory idle 5 s, %.2f s/GB into memory just freed\n", (b - a) / 0.25e9, (c - b) / 0.25e9}'
}
