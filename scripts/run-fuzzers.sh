#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the libFuzzer targets (tests/fuzz) with clang into build-fuzz and runs each one for a
# bounded time on a temp copy of its seeds: the committed ones (tests/fuzz/corpus/<target>) plus
# the ones fuzz_seeds generates from the schemas. Fails if a target crashes, trips ASan/UBSan,
# throws something other than DecodeError, leaks or allocates past the limits, and prints the
# reproducer. CTest runs it as fuzz.smoke (label fuzz) with 45 seconds per target.
set -euo pipefail
PROG=run-fuzzers
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

targets=(fuzz_request_decoder fuzz_batch_validator fuzz_log_recovery)
build=${FUZZ_BUILD_DIR:-$SAMSA_ROOT/build-fuzz}
seconds=60
jobs=$(nproc)
parallel=1
keep=0

usage() {
    cat <<USAGE
USAGE: $0 [seconds] [--target NAME]... [--sequential] [--keep] [-j N]
  Configures $build (CC=clang CXX=clang++, -DSAMSA_FUZZ=ON), builds the fuzz targets and runs
  each for [seconds] (default $seconds; libFuzzer -max_total_time) on a temp copy of its seeds.
  Exits 1 if any target found a crash (the reproducer's path is printed), 77 if clang or
  libFuzzer (libclang-rt-14-dev) is missing, 0 otherwise.
  --target NAME   run only NAME (repeatable): ${targets[*]}
  --sequential    run the targets one after the other (default: all at once when nproc > 1)
  --keep          keep the temp dir (corpora, logs) even when nothing was found
  -j N            build parallelism (default: $jobs)
  -h, --help      show this help
Reproduce a finding:  $build/tests/fuzz/<target> <crash-file>
Fuzz longer by hand:  $build/tests/fuzz/<target> -max_total_time=600 <corpus-dir>
Environment: FUZZ_BUILD_DIR (default: <repo>/build-fuzz), FUZZ_ARGS (extra libFuzzer flags).
USAGE
}

selected=()
while [ $# -gt 0 ]; do
    case "$1" in
        [0-9]*)
            [[ "$1" =~ ^[1-9][0-9]*$ ]] || die "seconds must be a positive number, not '$1'"
            seconds=$1
            shift
            ;;
        --target)
            [ $# -ge 2 ] || die "--target needs a name"
            [[ " ${targets[*]} " == *" $2 "* ]] || die "unknown target '$2' (${targets[*]})"
            selected+=("$2")
            shift 2
            ;;
        --sequential) parallel=0; shift ;;
        --keep) keep=1; shift ;;
        -j)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a positive number"
            jobs=$2
            shift 2
            ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
[ "${#selected[@]}" -eq 0 ] || targets=("${selected[@]}")
[ "$(nproc)" -gt 1 ] || parallel=0

# --- toolchain --------------------------------------------------------------------------------

if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
    echo "$PROG: clang not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
    exit 77
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    clang++ -fsanitize=fuzzer -x c++ - -o /dev/null 2>/dev/null; then
    echo "$PROG: clang cannot link libFuzzer (install libclang-rt-14-dev)" >&2
    exit 77
fi

# --- build ------------------------------------------------------------------------------------

note "building the fuzz targets into $build"
start=$SECONDS
# Each build dir keeps the compiler it was configured with; CC/CXX only matter the first time.
CC=clang CXX=clang++ cmake_configure "$build" RelWithDebInfo -DSAMSA_FUZZ=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}" fuzz_seeds
note "build took $((SECONDS - start)) s"

# --- run --------------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/samsa-fuzz.XXXXXX")
# The logs the targets open live on tmpfs when there is one (fsync and file creation there cost
# next to nothing: three times the executions per second for fuzz_log_recovery).
scratch=$(mktemp -d /dev/shm/samsa-fuzz.XXXXXX 2>/dev/null) || scratch=$work/scratch
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    rm -rf "$scratch"
    if [ "$rc" -eq 0 ] && [ "$keep" -eq 0 ]; then
        rm -rf "$work"
    else
        echo "$PROG: corpora and logs kept in $work" >&2
    fi
}
trap cleanup EXIT

mkdir -p "$work/seeds/fuzz_request_decoder" "$work/seeds/fuzz_batch_validator" \
    "$work/seeds/fuzz_log_recovery"
"$build/tests/fuzz/fuzz_seeds" "$work/seeds/fuzz_request_decoder" \
    "$work/seeds/fuzz_batch_validator" "$work/seeds/fuzz_log_recovery" >/dev/null

# libFuzzer flags: inputs up to 64 KiB (a frame of several batches), no single allocation
# above 256 MiB (a length field trusted too far shows up here), 2 GiB RSS at most, a hang is
# an input taking more than 10 s. -fork is not used: one process per target keeps the numbers
# comparable.
read -r -a extra_args <<<"${FUZZ_ARGS:-}"
fuzz_args=(-max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=256 -rss_limit_mb=2048
    -timeout=10 -print_final_stats=1 "${extra_args[@]}")

run_target() { # <target>
    local t=$1 dir=$work/$1
    mkdir -p "$dir/corpus" "$scratch/$t"
    if [ -d "$SAMSA_ROOT/tests/fuzz/corpus/$t" ]; then
        cp -R "$SAMSA_ROOT/tests/fuzz/corpus/$t/." "$dir/corpus/"
    fi
    cp -R "$work/seeds/$t/." "$dir/corpus/"
    # The targets create their Logs under TMPDIR.
    (cd "$dir" && TMPDIR=$scratch/$t "$build/tests/fuzz/$t" "${fuzz_args[@]}" \
        -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1)
}

# Prints one line per target; returns 1 if it found something.
report() { # <target> <status>
    local t=$1 rc=$2 dir=$work/$1 stats artifacts
    stats=$(awk '/^stat::number_of_executed_units/ {e=$NF} /^stat::average_exec_per_sec/ {s=$NF}
        /^stat::new_units_added/ {n=$NF} /^stat::peak_rss_mb/ {r=$NF}
        END {printf "%d execs, %d/s, %d new units, peak RSS %d MB", e, s, n, r}' "$dir/log")
    artifacts=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) | sort)
    if [ "$rc" -eq 0 ] && [ -z "$artifacts" ]; then
        note "$t: OK ($stats)"
        return 0
    fi
    echo "$PROG: $t: FAILED (exit $rc; $stats). Last lines of $dir/log:" >&2
    grep -v '^#[0-9]' "$dir/log" | tail -n 40 >&2
    local a
    for a in $artifacts; do
        echo "$PROG: $t: reproducer $a" >&2
        echo "    reproduce: $build/tests/fuzz/$t $a" >&2
    done
    return 1
}

note "running ${targets[*]} for ${seconds} s each ($([ "$parallel" -eq 1 ] && echo "at once" || echo "one after the other"))"
declare -A status
if [ "$parallel" -eq 1 ]; then
    declare -A pids
    for t in "${targets[@]}"; do
        run_target "$t" &
        pids[$t]=$!
    done
    for t in "${targets[@]}"; do
        rc=0
        wait "${pids[$t]}" || rc=$?
        status[$t]=$rc
    done
else
    for t in "${targets[@]}"; do
        rc=0
        run_target "$t" || rc=$?
        status[$t]=$rc
    done
fi

failed=0
for t in "${targets[@]}"; do
    report "$t" "${status[$t]}" || failed=1
done
exit "$failed"
