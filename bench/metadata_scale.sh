#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/../scripts
# Metadata at scale (bench/metadata_scale.py): builds a Release broker into $build, then on
# loopback ports one ZooKeeper and three brokers holding --partitions partitions with
# replication factor 3, and prints the time of each phase: creation, controller failover
# after kill -9, controlled shutdown, restart after a clean shutdown. Not a test: it prints
# figures (bench/RESULTS.md). Stops what it started, by pid.
set -euo pipefail
PROG=bench-metadata-scale
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=lib.sh
source "$SAMSA_ROOT/bench/lib.sh"

build=${BENCH_BUILD_DIR:-$SAMSA_ROOT/build-bench}
partitions=10000
topics=10
jobs=$(nproc)
skip_build=0
logs=
extra=()

usage() {
    cat <<USAGE
USAGE: $0 [--partitions N] [--topics N] [--logs DIR] [--phases LIST] [--set KEY=VALUE]...
          [--skip-build] [-j N]
  Builds samsa-broker (Release) into $build, then runs bench/metadata_scale.py against it.
  --partitions N  partitions in all, replication factor 3 (default $partitions)
  --topics N      topics they are spread over (default $topics)
  --logs DIR      keep the brokers' logs there (each phase's timing is logged by the broker)
  --phases LIST   after creation: failover,rejoin,shutdown (the default), or some of them
  --set KEY=VALUE a broker config for all three brokers (repeatable)
  --skip-build    use the broker already in $build
  -j N            build parallelism (default $jobs)
Needs /usr/bin/python3 with confluent_kafka and kazoo (scripts/install-deps.sh). Each broker
holds one descriptor per segment: 10,000 partitions need a limit above 10,000 (the script
raises the soft limit to the hard one).
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --partitions) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--partitions needs a number"; partitions=$2; shift 2 ;;
        --topics) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--topics needs a number"; topics=$2; shift 2 ;;
        --logs) [ -n "${2:-}" ] || die "--logs needs a directory"; logs=$2; shift 2 ;;
        --phases | --set) [ -n "${2:-}" ] || die "$1 needs a value"; extra+=("$1" "$2"); shift 2 ;;
        --skip-build) skip_build=1; shift ;;
        -j) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "-j needs a number"; jobs=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
    esac
done

if [ "$skip_build" -eq 0 ]; then
    note "building samsa-broker (Release) into $build"
    bench_build "$build" "$jobs" samsa-broker
fi
broker_bin=$build/broker/samsa-broker
[ -x "$broker_bin" ] || die "no broker in $build (drop --skip-build)"

ulimit -n "$(ulimit -Hn)"
args=(--partitions "$partitions" --topics "$topics")
[ -z "$logs" ] || args+=(--logs "$logs")
args+=(${extra[@]+"${extra[@]}"})
SAMSA_BROKER_BIN=$broker_bin /usr/bin/python3 "$SAMSA_ROOT/bench/metadata_scale.py" "${args[@]}"
