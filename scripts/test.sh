#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds everything and runs the tests: what CI runs (.ci/run), and what to run before sending a
# change. Installs the dependencies, configures and builds all targets into <repo>/build, then
# runs ctest: unit tests (and anything not labelled integration) in parallel, then the
# integration tests (real ZooKeeper, real brokers, real clients). Works as root on a clean clone.
set -euo pipefail
PROG=test.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

build=
jobs=$(nproc)
sanitizer=
integration_jobs=${INTEGRATION_JOBS:-1}
run_unit=1
run_integration=1
skip_deps=0
ctest_extra=()

usage() {
    cat <<USAGE
USAGE: $0 [--unit | --integration] [--sanitize thread|address] [-j N] [--skip-deps]
          [-- ctest arguments...]
  Installs dependencies (scripts/install-deps.sh), builds all targets into <repo>/build
  (RelWithDebInfo, Ninja) and runs ctest with --output-on-failure.
  --unit          only tests not labelled 'integration'
  --integration   only tests labelled 'integration'
  --sanitize S    build everything with ThreadSanitizer (thread, into build-tsan) or with
                  AddressSanitizer + UndefinedBehaviorSanitizer (address, into build-asan),
                  Debug, and run the same tests against it (the integration tests start the
                  sanitized broker); fails if any sanitizer wrote a report, and prints it.
                  The fuzz smoke test is left out (it builds its own sanitized fuzzers).
  -j N            build and unit-test parallelism (default: $jobs, the number of CPUs)
  --skip-deps     do not run scripts/install-deps.sh
  -- ...          passed to ctest (e.g. -- -R kafka_config)
  -h, --help      show this help
Environment:
  BUILD_DIR          build directory (default: <repo>/build, build-tsan, build-asan)
  INTEGRATION_JOBS   integration tests run at once (default: 1)
  CTEST_TIMEOUT      per-test timeout in seconds (default: 600)
  CMAKE_ARGS         extra cmake configure arguments (e.g. -DSAMSA_WERROR=ON)
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --unit) run_integration=0; shift ;;
        --integration) run_unit=0; shift ;;
        -j)
            [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a positive number"
            jobs=$2
            shift 2
            ;;
        -j*)
            [[ "${1#-j}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a positive number"
            jobs=${1#-j}
            shift
            ;;
        --skip-deps) skip_deps=1; shift ;;
        --sanitize)
            [[ "${2:-}" =~ ^(thread|address)$ ]] || die "--sanitize takes thread or address"
            sanitizer=$2
            shift 2
            ;;
        -h | --help) usage; exit 0 ;;
        --) shift; ctest_extra=("$@"); break ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done
[ "$run_unit" -eq 1 ] || [ "$run_integration" -eq 1 ] || die "--unit and --integration exclude each other"

if [ "$skip_deps" -eq 0 ]; then
    "$SAMSA_ROOT/scripts/install-deps.sh"
fi

read -r -a cmake_args <<<"${CMAKE_ARGS:-}"
build_type=RelWithDebInfo
ctest_exclude=integration
case "$sanitizer" in
    thread)
        build=${BUILD_DIR:-$SAMSA_ROOT/build-tsan}
        build_type=Debug
        cmake_args+=("-DCMAKE_CXX_FLAGS=-fsanitize=thread")
        ;;
    address)
        build=${BUILD_DIR:-$SAMSA_ROOT/build-asan}
        build_type=Debug
        cmake_args+=("-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer")
        ;;
    *) build=${BUILD_DIR:-$SAMSA_ROOT/build} ;;
esac
if [ -n "$sanitizer" ]; then
    ctest_exclude="integration|fuzz"
    # Every process the tests start (unit test binaries, brokers) inherits these: reports go
    # to files, one per process, which decide the run's outcome below. SAMSA_SANITIZER tells
    # the tests a sanitized broker is running (its memory use is not the broker's own).
    reports=$build/sanitizer-reports
    rm -rf "$reports"
    mkdir -p "$reports"
    export SAMSA_SANITIZER=$sanitizer
    # tests/sanitizers/tsan.supp lists the reports that are TSan's own blind spots (each with
    # its reason); none is about Samsa's code.
    export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 suppressions=$SAMSA_ROOT/tests/sanitizers/tsan.supp ${TSAN_OPTIONS:-}"
    export ASAN_OPTIONS="log_path=$reports/asan detect_leaks=1 ${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="log_path=$reports/ubsan print_stacktrace=1 ${UBSAN_OPTIONS:-}"
fi
# The benchmarks' programs build too, so that they keep compiling, and their unit tests run.
cmake_configure "$build" "$build_type" -DSAMSA_BUILD_TESTS=ON -DSAMSA_BUILD_BENCH=ON \
    "${cmake_args[@]}"
cmake --build "$build" -j"$jobs"

ctest_common=(--test-dir "$build" --output-on-failure --no-tests=ignore
    --timeout "${CTEST_TIMEOUT:-600}" "${ctest_extra[@]}")
status=0
if [ "$run_unit" -eq 1 ]; then
    note "unit tests"
    ctest "${ctest_common[@]}" -LE "$ctest_exclude" -j"$jobs" || status=1
fi
if [ "$run_integration" -eq 1 ]; then
    note "integration tests"
    ctest "${ctest_common[@]}" -L integration -j"$integration_jobs" || status=1
fi
if [ -n "$sanitizer" ]; then
    mapfile -t found < <(find "$reports" -type f -size +0 | sort)
    if [ "${#found[@]}" -gt 0 ]; then
        for f in "${found[@]}"; do
            note "sanitizer report $f:"
            cat "$f"
        done
        note "${#found[@]} sanitizer report(s) under $reports"
        status=1
    else
        note "no sanitizer reports ($sanitizer)"
    fi
fi
if [ "$status" -ne 0 ]; then
    note "FAILED (see the output above)"
else
    note "all tests passed"
fi
exit "$status"
