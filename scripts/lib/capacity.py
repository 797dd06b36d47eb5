#!/usr/bin/python3
"""The arithmetic of scripts/samsa-capacity.sh: how many brokers, how much disk, how many
partitions and which EC2 instance types a workload needs, each step printed with its numbers.

The method is the usual Kafka sizing (DEPLOYMENT.md §6, after codeforgeek's capacity
estimation): ingress W = rate x size; every byte is written RF times (leader + followers) and
read RF-1 times by the followers plus once per consumer group; disk holds W x retention x RF,
filled to at most 70%, plus 10% for indexes and slack; NICs run at most 70% of their baseline at
peak; brokers = the largest of what each resource asks for. Units: decimal (1 MB = 10^6 B,
1 Gbit/s = 10^9 bit/s) unless an input says KiB/MiB/...; bench/run.sh reports MB = 2^20 B,
converted when read. Python 3 standard library only.
"""

import argparse
import json
import math
import re
import sys

# Baseline figures: what an instance sustains, not its "up to" burst (which lasts 5-60 min).
# Network: AWS EC2 User Guide, "Amazon EC2 instance network bandwidth" and the per-family
# "Network specifications" tables (baseline column); EBS: "Amazon EBS-optimized instance
# types" (baseline bandwidth, Mbit/s). vCPU and memory: the instance type pages. Values as
# published in 2024-2025; check a type with `aws ec2 describe-instance-types --instance-types T
# --query 'InstanceTypes[].[NetworkInfo.NetworkCards[0].BaselineBandwidthInGbps,
# EbsInfo.EbsOptimizedInfo.BaselineBandwidthInMbps]'`.
INSTANCE_TYPES = {
    #  name          vCPU  GiB  net Gbit/s  EBS Mbit/s
    "t3.medium":    (2,    4,   0.256,      347),
    "t3.large":     (2,    8,   0.512,      695),
    "m5.large":     (2,    8,   0.75,       650),
    "m5.xlarge":    (4,    16,  1.25,       1150),
    "m5.2xlarge":   (8,    32,  2.5,        2300),
    "m5.4xlarge":   (16,   64,  5.0,        4750),
    "m5.8xlarge":   (32,   128, 10.0,       6800),
    "m6i.xlarge":   (4,    16,  1.562,      1250),
    "m6i.2xlarge":  (8,    32,  3.125,      2500),
    "m6i.4xlarge":  (16,   64,  6.25,       5000),
    "r5.xlarge":    (4,    32,  1.25,       1150),
    "r5.2xlarge":   (8,    64,  2.5,        2300),
    "r5.4xlarge":   (16,   128, 5.0,        4750),
}

MAX_DISK_FILL = 0.70        # keep log.dirs under ~70% full (room for bursts and reassignment)
INDEX_OVERHEAD = 1.10       # offset/time indexes, open segments, slack
NIC_HEADROOM = 0.70         # peak traffic at most 70% of baseline bandwidth
PARTITIONS_PER_BROKER = 4000  # ZooKeeper-mode guidance (replicas per broker)
MIN_BROKERS = 3

SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
              "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
TIME_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
COUNT_UNITS = {"": 1, "k": 10**3, "m": 10**6}


# --- parsing inputs with units -------------------------------------------------------------------

def _number_and_unit(text, what, example):
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not {what} (e.g. {example})")
    return float(m.group(1)), m.group(2)


def parse_size(text):
    """Bytes from '1KiB', '1.5MB', '512' (decimal kB/MB/GB/TB, binary KiB/MiB/GiB/TiB)."""
    value, unit = _number_and_unit(text, "a size", "512, 1KiB, 1.5MB, 4TiB")
    if unit.lower() not in SIZE_UNITS:
        raise argparse.ArgumentTypeError(
            f"'{text}': unknown size unit '{unit}' (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)")
    return value * SIZE_UNITS[unit.lower()]


def parse_duration(text):
    """Seconds from '7d', '168h', '30m', '2w', '3600s'; a bare number is hours (as
    log.retention.hours)."""
    value, unit = _number_and_unit(text, "a duration", "7d, 168h, 2w")
    if unit == "":
        return value * 3600
    if unit.lower() not in TIME_UNITS:
        raise argparse.ArgumentTypeError(f"'{text}': unknown time unit '{unit}' (s, m, h, d, w)")
    return value * TIME_UNITS[unit.lower()]


def parse_rate(text):
    """Messages per second from '50000', '50k', '1.2M', '1M/min' style '1000000/min'."""
    per = 1
    if "/" in text:
        text, _, period = text.partition("/")
        if period not in TIME_UNITS:
            raise argparse.ArgumentTypeError(f"'{period}': unknown period (s, min, h, d)")
        per = TIME_UNITS[period]
    value, unit = _number_and_unit(text, "a message rate", "50000, 50k, 1M/min")
    if unit.lower() not in COUNT_UNITS:
        raise argparse.ArgumentTypeError(f"'{text}': unknown multiplier '{unit}' (k, M)")
    rate = value * COUNT_UNITS[unit.lower()] / per
    if rate <= 0:
        raise argparse.ArgumentTypeError("the rate must be above 0")
    return rate


def parse_throughput(text):
    """Bytes per second from '100MB/s', '100MB', '1GiB/s'."""
    return parse_size(text[:-2] if text.endswith("/s") else text)


def non_negative_int(text):
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 0")
    return int(text)


def positive_int(text):
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number above 0")
    return value


def instance_type(text):
    if text not in INSTANCE_TYPES:
        raise argparse.ArgumentTypeError(
            f"unknown instance type '{text}'; known: {', '.join(INSTANCE_TYPES)} "
            "(or give --network-gbps and --ebs-mbps for another one)")
    return text


# --- bench/run.sh output -------------------------------------------------------------------------

def read_bench(text, message_size):
    """Per-broker write and read rates (bytes/s) from bench/run.sh's summary table: the
    produce acks=all and consume rows of the record size nearest to message_size (ratio)."""
    produce, consume = {}, {}
    for line in text.splitlines():
        f = line.split()
        if len(f) < 3:
            continue
        m = re.fullmatch(r"produce-(\d+)B-acksall", f[0])
        c = re.fullmatch(r"consume-(\d+)B", f[0])
        try:
            mib_per_s = float(f[2])
        except ValueError:
            continue
        if m:
            produce[int(m.group(1))] = mib_per_s * 2**20
        elif c:
            consume[int(c.group(1))] = mib_per_s * 2**20
    if not produce:
        raise ValueError("no 'produce-<size>B-acksall' row (is this bench/run.sh output?)")
    size = min(produce, key=lambda s: abs(math.log(s / message_size)))
    return {"record_size": size, "write": produce[size], "read": consume.get(size)}


# --- the estimate --------------------------------------------------------------------------------

def instance_limits(args, name):
    """Per-broker usable bandwidths (bytes/s) of one instance type, after headroom;
    --network-gbps and --ebs-mbps replace the figures of the chosen type only."""
    vcpu, mem, gbps, ebs_mbps = INSTANCE_TYPES[name]
    if name == args.instance_type:
        gbps = args.network_gbps or gbps
        ebs_mbps = args.ebs_mbps or ebs_mbps
    return {"vcpu": vcpu, "memory_gib": mem, "network_gbps": gbps, "ebs_mbps": ebs_mbps,
            "net_usable": gbps * 1e9 / 8 * NIC_HEADROOM,
            "ebs_usable": ebs_mbps * 1e6 / 8 * NIC_HEADROOM}


def partitions_for(w, args, brokers):
    """Partitions of the topic: enough for the write and read rates per partition and for the
    largest consumer group, rounded up to a multiple of the brokers (even leaders)."""
    need = max(math.ceil(w / args.partition_write), math.ceil(w / args.partition_read),
               args.consumers)
    return math.ceil(need / brokers) * brokers


def estimate(args, name, broker_write):
    """Every quantity of the estimate for instance type `name`, as a dict."""
    w = args.rate * args.message_size
    rf, g = args.replication_factor, args.consumer_groups
    lim = instance_limits(args, name)
    r = {"ingress": w, "cluster_write": w * rf, "cluster_out": w * (rf - 1 + g),
         "per_replica_retained": w * args.retention, "retained": w * args.retention * rf}
    r["provisioned"] = r["retained"] * INDEX_OVERHEAD / MAX_DISK_FILL
    needs = {
        "minimum (max(3, RF))": max(MIN_BROKERS, rf),
        "network in": math.ceil(r["cluster_write"] / lim["net_usable"]),
        "network out": math.ceil(r["cluster_out"] / lim["net_usable"]),
        "EBS write bandwidth": math.ceil(r["cluster_write"] / lim["ebs_usable"]),
        "broker write throughput": math.ceil(r["cluster_write"] / broker_write),
        "disk": math.ceil(r["provisioned"] / args.disk_per_broker),
    }
    brokers = args.brokers or max(needs.values())
    while True:  # partitions depend on the broker count and may in turn ask for more brokers
        partitions = partitions_for(w, args, brokers)
        by_partitions = math.ceil(partitions * rf / PARTITIONS_PER_BROKER)
        if args.brokers or by_partitions <= brokers:
            break
        brokers = by_partitions
    needs["partition replicas (4000 per broker)"] = by_partitions
    r.update({"instance": name, "limits": lim, "needs": needs, "brokers": brokers,
              "limited_by": max(needs, key=needs.get), "partitions": partitions,
              "short_of": [why for why, count in needs.items() if count > brokers],
              "disk_per_broker": r["provisioned"] / brokers,
              "net_in_per_broker": r["cluster_write"] / brokers,
              "net_out_per_broker": r["cluster_out"] / brokers})
    return r


# --- printing ------------------------------------------------------------------------------------

def human(n, unit="B"):
    for prefix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {prefix}{unit}"
    return f"{n:.2f} {unit}"


def gbit(bytes_per_s):
    return f"{bytes_per_s * 8 / 1e9:.3f} Gbit/s"


def print_steps(args, r, source):
    lim, rf, g, n = r["limits"], args.replication_factor, args.consumer_groups, r["brokers"]
    days = args.retention / 86400
    print(f"Inputs: {args.rate:g} msg/s x {args.message_size:g} B, retention {days:g} days, "
          f"RF {rf}, {g} consumer group(s), instance {r['instance']}")
    print("\n1. Throughput")
    print(f"   ingress W = {args.rate:g} msg/s x {args.message_size:g} B = {human(r['ingress'])}/s")
    print(f"   written to logs, W x RF = {human(r['ingress'])}/s x {rf} = "
          f"{human(r['cluster_write'])}/s")
    print(f"   read from brokers, W x (RF-1 followers + {g} groups) = {human(r['ingress'])}/s x "
          f"{rf - 1 + g} = {human(r['cluster_out'])}/s")
    print("\n2. Disk")
    print(f"   per replica: W x retention = {human(r['ingress'])}/s x {args.retention:g} s = "
          f"{human(r['per_replica_retained'])}")
    print(f"   all replicas: x RF {rf} = {human(r['retained'])}")
    print(f"   provisioned: x {INDEX_OVERHEAD} (indexes, slack) / {MAX_DISK_FILL} (max fill) = "
          f"{human(r['provisioned'])}")
    print(f"\n3. One {r['instance']} broker (usable = {NIC_HEADROOM:.0%} of baseline)")
    print(f"   network: {lim['network_gbps']:g} Gbit/s each way -> "
          f"{human(lim['net_usable'])}/s usable")
    print(f"   EBS: {lim['ebs_mbps']:g} Mbit/s -> {human(lim['ebs_usable'])}/s usable")
    print(f"   write throughput: {human(args.broker_write)}/s ({source})")
    print(f"   disk: at most {human(args.disk_per_broker)} of log.dirs per broker")
    print("\n4. Brokers = the largest need")
    for why, count in r["needs"].items():
        print(f"   {why:<38} {count}")
    why = "given by --brokers" if args.brokers else "limited by " + r["limited_by"]
    print(f"   => {n} brokers ({why})")
    for why in r["short_of"]:
        print(f"   !! too few for {why}: it needs {r['needs'][why]}")
    print("\n5. Per broker")
    print(f"   disk: {human(r['provisioned'])} / {n} = {human(r['disk_per_broker'])}")
    print(f"   network in: {human(r['cluster_write'])}/s / {n} = {gbit(r['net_in_per_broker'])} "
          f"({r['net_in_per_broker'] / (lim['network_gbps'] * 1e9 / 8):.0%} of baseline)")
    print(f"   network out: {human(r['cluster_out'])}/s / {n} = {gbit(r['net_out_per_broker'])} "
          f"({r['net_out_per_broker'] / (lim['network_gbps'] * 1e9 / 8):.0%} of baseline)")
    print("\n6. Partitions of the topic")
    print(f"   writes: W / {human(args.partition_write)}/s per partition = "
          f"{math.ceil(r['ingress'] / args.partition_write)}")
    print(f"   reads: W / {human(args.partition_read)}/s per consumer = "
          f"{math.ceil(r['ingress'] / args.partition_read)}; "
          f"largest group: {args.consumers} consumer(s)")
    print(f"   => {r['partitions']} (rounded up to a multiple of {n} brokers); "
          f"{r['partitions'] * rf / n:.0f} replicas per broker")


def print_instance_table(rows, chosen):
    print("\nInstance types (baseline figures; sources in scripts/lib/capacity.py)")
    print(f"   {'type':<12} {'vCPU':>4} {'GiB':>4} {'Gbit/s':>7} {'EBS Mbit/s':>10} "
          f"{'brokers':>7}  limited by")
    for r in rows:
        lim = r["limits"]
        mark = " <-" if r["instance"] == chosen else ""
        print(f"   {r['instance']:<12} {lim['vcpu']:>4} {lim['memory_gib']:>4} "
              f"{lim['network_gbps']:>7g} {lim['ebs_mbps']:>10g} {r['brokers']:>7}  "
              f"{r['limited_by']}{mark}")


# --- command line --------------------------------------------------------------------------------

def parser():
    p = argparse.ArgumentParser(
        prog="samsa-capacity.sh",
        description="Brokers, disk, partitions and EC2 instance types for a Kafka workload, "
                    "with the arithmetic shown step by step.")
    p.add_argument("--rate", type=parse_rate, required=True,
                   help="peak messages per second (50000, 50k, 1M/min)")
    p.add_argument("--message-size", type=parse_size, required=True,
                   help="average message size as stored (after compression): 1KiB, 800B")
    p.add_argument("--retention", type=parse_duration, required=True,
                   help="how long data is kept: 7d, 168h, 2w")
    p.add_argument("--replication-factor", type=positive_int, default=3, help="default 3")
    p.add_argument("--consumer-groups", type=non_negative_int, default=1,
                   help="groups reading every message (default 1)")
    p.add_argument("--consumers", type=positive_int, default=1,
                   help="consumers in the largest group: at least this many partitions (default 1)")
    p.add_argument("--instance-type", type=instance_type, default="m5.xlarge",
                   help="EC2 type of the brokers (default m5.xlarge)")
    p.add_argument("--network-gbps", type=positive_float,
                   help="replace the chosen type's baseline network bandwidth")
    p.add_argument("--ebs-mbps", type=positive_float,
                   help="replace the chosen type's EBS baseline bandwidth")
    p.add_argument("--disk-per-broker", type=parse_size, default=parse_size("16TiB"),
                   help="largest log.dirs volume per broker (default 16TiB, one gp3 volume)")
    p.add_argument("--broker-throughput", type=parse_throughput,
                   help="sustained writes one broker takes (default 100MB/s, an assumption; "
                        "--measure or --from take this machine's)")
    p.add_argument("--from", dest="bench_file", metavar="FILE",
                   help="take the broker throughput from bench/run.sh output saved in FILE")
    p.add_argument("--partition-write", type=parse_throughput, default=parse_throughput("10MB/s"),
                   help="producer throughput per partition (default 10MB/s)")
    p.add_argument("--partition-read", type=parse_throughput, default=parse_throughput("20MB/s"),
                   help="consumer throughput per partition (default 20MB/s)")
    p.add_argument("--brokers", type=positive_int, help="check a given broker count instead")
    p.add_argument("--json", action="store_true", help="every figure as JSON, no prose")
    return p


def broker_write_rate(args, p):
    """The per-broker write rate and where it comes from."""
    if args.bench_file and args.broker_throughput:
        p.error("--broker-throughput and --from/--measure exclude each other")
    if args.broker_throughput:
        return args.broker_throughput, "given by --broker-throughput"
    if not args.bench_file:
        return parse_throughput("100MB/s"), "assumed; --measure or --from FILE measure it"
    try:
        with open(args.bench_file) as f:
            bench = read_bench(f.read(), args.message_size)
    except (OSError, ValueError) as e:
        p.error(f"--from {args.bench_file}: {e}")
    return bench["write"], (f"measured: bench/run.sh produce {bench['record_size']} B "
                            f"acks=all, {args.bench_file}; one local broker, RF 1, loopback")


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.message_size <= 0 or args.retention <= 0:
        p.error("--message-size and --retention must be above 0")
    if args.brokers and args.brokers < args.replication_factor:
        p.error(f"--brokers {args.brokers} is fewer than --replication-factor "
                f"{args.replication_factor}")
    args.broker_write, source = broker_write_rate(args, p)
    chosen = estimate(args, args.instance_type, args.broker_write)
    rows = [estimate(args, name, args.broker_write) for name in INSTANCE_TYPES]
    if args.json:
        print(json.dumps({"estimate": chosen, "broker_write": args.broker_write,
                          "broker_write_source": source,
                          "instance_types": {r["instance"]: r["brokers"] for r in rows}},
                         indent=1))
        return 0
    print_steps(args, chosen, source)
    print_instance_table(rows, args.instance_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
