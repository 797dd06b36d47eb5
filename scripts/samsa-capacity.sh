#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Capacity estimate for a Samsa (Kafka) cluster: brokers, disk per broker, partitions and EC2
# instance types for a message rate, size, retention, replication factor and consumer fan-out,
# with the arithmetic printed step by step (scripts/lib/capacity.py does it). --measure first
# runs bench/run.sh on this machine and uses its per-broker write throughput instead of the
# assumed one; --from FILE reads that figure from bench/run.sh output saved earlier.
set -euo pipefail
PROG=samsa-capacity
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --rate RATE --message-size SIZE --retention TIME [--replication-factor N]
          [--consumer-groups N] [--consumers N] [--instance-type TYPE] [--brokers N]
          [--disk-per-broker SIZE] [--broker-throughput RATE | --measure | --from FILE]
          [--partition-write RATE] [--partition-read RATE] [--network-gbps G] [--ebs-mbps M]
          [--json]
  e.g. $0 --rate 50000 --message-size 1KiB --retention 7d --replication-factor 3 \\
           --consumer-groups 2 --instance-type m5.xlarge
  --measure        run bench/run.sh (Release build in build-bench, a few minutes) and take
                   its produce acks=all MB/s as one broker's write throughput; its output is
                   kept in \$LOG_DIR/bench-<time>.txt for --from
  --from FILE      the same figure from bench/run.sh output saved in FILE
Sizes: B, kB, MB, GB, TB (10^3 steps) or KiB, MiB, GiB, TiB (2^10). Times: s, m, h, d, w.
Rates: 50000, 50k, 1M/min (messages); throughputs: 100MB/s.
Environment (--measure): SAMSA_CAPACITY_BENCH_RECORDS records per run (default 300000),
  SAMSA_CAPACITY_BENCH_ARGS more bench/run.sh arguments (e.g. "--skip-build --sizes 1024"),
  LOG_DIR where the output is kept (default: $SAMSA_ROOT/logs)
USAGE
    echo
    /usr/bin/python3 "$SAMSA_ROOT/scripts/lib/capacity.py" --help | sed -n '/^options:/,$p'
}

args=()
measure=0
for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
        --measure) measure=1 ;;
        *) args+=("$arg") ;;
    esac
done

if [ "$measure" -eq 1 ]; then
    for arg in "${args[@]}"; do
        [ "$arg" != --from ] || die "--measure and --from exclude each other"
    done
    # Check the other flags before spending minutes on the benchmark.
    /usr/bin/python3 "$SAMSA_ROOT/scripts/lib/capacity.py" "${args[@]}" >/dev/null
    mkdir -p "$LOG_DIR"
    out=$LOG_DIR/bench-$(date -u +%Y%m%dT%H%M%SZ).txt
    note "running bench/run.sh (its output: $out)"
    read -r -a bench_args <<<"${SAMSA_CAPACITY_BENCH_ARGS:-}"
    "$SAMSA_ROOT/bench/run.sh" --records "${SAMSA_CAPACITY_BENCH_RECORDS:-300000}" "${bench_args[@]}" \
        >"$out" 2>&1 ||
        { tail -n 20 "$out" >&2; die "bench/run.sh failed (output in $out)"; }
    args+=(--from "$out")
fi
exec /usr/bin/python3 "$SAMSA_ROOT/scripts/lib/capacity.py" "${args[@]}"
