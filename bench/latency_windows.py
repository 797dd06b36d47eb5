"""A paced producer's latency cut into windows: before a connection storm and during it.

  latency_windows.py LOG STORM_OUTPUT... [--baseline-s 4] [--min-window-s 0.5] [--slowest 10]

LOG: samsa_loadgen --latency-log (one "scheduled_ns latency_ns [wire_ns]" per request,
CLOCK_MONOTONIC; wire_ns, where present and not 0, is the request's time from the producer's
send() to the kernel's receipt of the answer, without the producer's own waits for a CPU).
STORM_OUTPUT: files holding samsa_connstorm's "STORM start_ns=... end_ns=..." lines (the first
connect to the last authentication), one file per kind of storm, one line per repetition. For
each file prints the producer's p50/p99/max pooled over its storms' baselines (the baseline-s
seconds before each storm, back to the end of any earlier one) and pooled over the storms
themselves, each stretched to at least min-window-s so a short storm still has samples. Latency counts from
each request's scheduled send time, so a late send counts (samsa_loadgen --rate). The slowest
requests during the storms are listed with when they were sent, in ms from their storm's first
connect: whether they fall in its TLS burst, its SASL exchanges or after it. Where the log has
wire times, the same windows are summarized on them too ("on the wire"): on a machine the
clients share with the broker, that shows the broker's part apart from the producer's own
scheduling."""

import argparse
import math
import os
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
    ap.add_argument("--slowest", type=int, default=10)
    a = ap.parse_args()
    samples = []  # (scheduled, latency, wire or 0)
    with open(a.log) as f:
        for line in f:
            fields = [int(x) for x in line.split()]
            samples.append((fields[0], fields[1], fields[2] if len(fields) > 2 else 0))
    windows = []  # (start, end, file), every storm of every file
    for path in a.storms:
        with open(path) as f:
            for line in f:
                m = re.match(r"STORM start_ns=(\d+) end_ns=(\d+)", line)
                if m:
                    windows.append((int(m.group(1)), int(m.group(2)), path))
    windows.sort()
    # Each storm's baseline is the time before it, back to the previous storm's window.
    base, during, storms, offsets = {}, {}, {}, {}
    base_wire, during_wire = {}, {}
    previous_end = 0
    for start, end, path in windows:
        end = max(end, start + int(a.min_window_s * 1e9))
        base_from = max(previous_end, start - int(a.baseline_s * 1e9))
        base.setdefault(path, []).extend(lat for t, lat, _ in samples if base_from <= t < start)
        during.setdefault(path, []).extend(lat for t, lat, _ in samples if start <= t < end)
        base_wire.setdefault(path, []).extend(
            w for t, _, w in samples if base_from <= t < start and w > 0)
        during_wire.setdefault(path, []).extend(
            w for t, _, w in samples if start <= t < end and w > 0)
        offsets.setdefault(path, []).extend(
            (lat, t - start) for t, lat, _ in samples if start <= t < end)
        storms[path] = storms.get(path, 0) + 1
        previous_end = end
    for path in a.storms:
        if path not in storms:
            continue
        b, d = base[path], during[path]
        print(f"producer latency around {storms[path]} storm(s) of {os.path.basename(path)}:")
        print(f"  baseline (up to {a.baseline_s:.0f} s before each): {summary(b)}")
        print(f"  during (each storm, at least {a.min_window_s} s):  {summary(d)}")
        slowest = sorted(offsets[path], reverse=True)[:a.slowest]
        print("  slowest during, latency ms @ sent ms after the storm's start: " +
              ", ".join(f"{lat / 1e6:.2f} @ {at / 1e6:.0f}" for lat, at in slowest))
        ratio = pct(d, 0.99) / pct(b, 0.99) if b and d else float("nan")
        bw, dw = base_wire[path], during_wire[path]
        wire = ""
        if bw and dw:
            print(f"  on the wire, baseline: {summary(bw)}")
            print(f"  on the wire, during:   {summary(dw)}")
            wire = (f" wire_base_p99_ms={pct(bw, 0.99):.2f} wire_storm_p99_ms={pct(dw, 0.99):.2f}"
                    f" wire_p99_ratio={pct(dw, 0.99) / pct(bw, 0.99):.2f}")
        print(f"RESULT storms={os.path.basename(path)} n={storms[path]} "
              f"producer_base_p99_ms={pct(b, 0.99):.2f} producer_storm_p99_ms={pct(d, 0.99):.2f} "
              f"p99_ratio={ratio:.2f} base_n={len(b)} storm_n={len(d)}{wire}")


if __name__ == "__main__":
    main()
