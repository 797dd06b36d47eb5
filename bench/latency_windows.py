"""A paced producer's latency cut into windows: before a connection storm and during it.

  latency_windows.py LOG STORM_OUTPUT... [--baseline-s 4] [--min-window-s 0.5]

LOG: samsa_loadgen --latency-log (one "scheduled_ns latency_ns" per request, CLOCK_MONOTONIC).
STORM_OUTPUT: files holding samsa_connstorm's "STORM start_ns=... end_ns=..." lines (the first
connect to the last authentication). For each storm prints the producer's p50/p99/max over
the baseline-s seconds before it (excluding any earlier storm) and over the storm itself,
stretched to at least min-window-s so a short storm still has samples. Latency counts from
each request's scheduled send time, so a late send counts (samsa_loadgen --rate)."""

import argparse
import math
import re


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    rank = min(len(values), max(1, math.ceil(q * len(values))))  # nearest rank
    return values[rank - 1] / 1e6


def summary(values):
    return (f"p50 {pct(values, 0.5):.2f} ms, p99 {pct(values, 0.99):.2f} ms, "
            f"max {pct(values, 1.0):.2f} ms ({len(values)} requests)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("storms", nargs="+")
    ap.add_argument("--baseline-s", type=float, default=4.0)
    ap.add_argument("--min-window-s", type=float, default=0.5)
    a = ap.parse_args()
    samples = []
    with open(a.log) as f:
        for line in f:
            scheduled, latency = line.split()
            samples.append((int(scheduled), int(latency)))
    storms = []
    for path in a.storms:
        with open(path) as f:
            for line in f:
                m = re.match(r"STORM start_ns=(\d+) end_ns=(\d+)", line)
                if m:
                    storms.append((int(m.group(1)), int(m.group(2)), path))
    storms.sort()
    previous_end = 0
    for start, end, path in storms:
        end = max(end, start + int(a.min_window_s * 1e9))
        base_from = max(previous_end, start - int(a.baseline_s * 1e9))
        base = [lat for t, lat in samples if base_from <= t < start]
        during = [lat for t, lat in samples if start <= t < end]
        print(f"producer latency, storm of {path}:")
        print(f"  baseline ({(start - base_from) / 1e9:.1f} s before): {summary(base)}")
        print(f"  during   ({(end - start) / 1e9:.2f} s):        {summary(during)}")
        ratio = pct(during, 0.99) / pct(base, 0.99) if base and during else float("nan")
        print(f"RESULT producer_base_p99_ms={pct(base, 0.99):.2f} "
              f"producer_storm_p99_ms={pct(during, 0.99):.2f} p99_ratio={ratio:.2f} "
              f"base_n={len(base)} storm_n={len(during)}")
        previous_end = end


if __name__ == "__main__":
    main()
