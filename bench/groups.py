"""Consumer-group benchmark (issue 8). Not a test: it prints figures (bench/RESULTS.md).

One broker, one 8-partition topic of N x 100 B records, and 4 confluent-kafka consumer
processes, in three scenarios in the same run:
  - assigned:  each process assign()s 2 partitions and reads them from offset 0 (no group);
  - group:     each process subscribe()s as a member of one group, with auto commit every
               second, and the coordinator splits the partitions 2/2/2/2;
  - rebalance: 4 fresh members subscribe to a new group at once, with librdkafka's cgrp debug
               log on, and stop at their first assignment.
It prints both consumption rates and group / assigned (target >= 0.90), and the rebalance
time the target is about: from the last JoinGroup any member sent to the last member's
assignment, with group.initial.rebalance.delay.ms=0 (target < 1 s), next to the time from
the last subscribe() (which includes librdkafka's own waits before it rejoins). Every process
runs on this machine, so the rates are client-bound; the ratio is what counts.

    /usr/bin/python3 bench/groups.py [--records N] [--broker-bin PATH]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

PARTITIONS = 8
MEMBERS = 4
VALUE = b"x" * 100


def worker(args):
    """One consumer process. Prints one JSON line: its count, when it subscribed, when it
    finished and when it got each assignment. A group member cannot know when the whole
    topic has been read (its share is decided by the coordinator), so it reports its count
    in a file and stops when the parent creates the `done` file."""
    from confluent_kafka import Consumer, TopicPartition
    group_mode = args.mode in ("group", "rebalance")
    conf = {"bootstrap.servers": args.bootstrap, "group.id": args.group,
            "auto.offset.reset": "earliest", "enable.auto.commit": group_mode,
            "auto.commit.interval.ms": 1000}
    if args.mode == "rebalance":
        conf["debug"] = "cgrp"  # to stderr, with librdkafka's own timestamps
    consumer = Consumer(conf)
    assignments = []
    while time.time() < args.start:  # all members start together
        time.sleep(0.001)
    subscribed = time.time()
    if group_mode:
        consumer.subscribe([args.topic], on_assign=lambda _c, parts: assignments.append(
            [time.time(), len(parts)]))
    else:
        consumer.assign([TopicPartition(args.topic, p, 0) for p in args.partitions])
    count = 0
    while args.mode == "rebalance" and not any(n for _, n in assignments):
        consumer.poll(0.005)
    while args.mode != "rebalance":
        batch = consumer.consume(num_messages=10000, timeout=0.1)
        got = sum(1 for m in batch if m.error() is None)
        count += got
        if not group_mode and count >= args.expect:
            break
        if args.mode == "group":
            if got:
                write_progress(args.progress, count)
            if os.path.exists(args.done):
                break
    finished = time.time()
    consumer.close()  # with auto commit on, close() commits the final positions
    print(json.dumps({"count": count, "subscribed": subscribed, "finished": finished,
                      "assignments": assignments}))


def write_progress(path, count):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(count))
    os.replace(tmp, path)


def read_progress(path):
    try:
        with open(path) as f:
            return int(f.read() or 0)
    except FileNotFoundError:
        return 0


def run_scenario(bootstrap, topic, records, mode, tmp):
    start = time.time() + 2.0  # time for every process to import and connect
    done = os.path.join(tmp, f"{mode}.done")
    progress = [os.path.join(tmp, f"{mode}-{i}.progress") for i in range(MEMBERS)]
    group = f"bench-{mode}-{os.getpid()}"
    procs = []
    for i in range(MEMBERS):
        cmd = [sys.executable, __file__, "--worker", "--bootstrap", bootstrap, "--topic", topic,
               "--group", group, "--mode", mode, "--start", str(start),
               "--partitions", f"{2 * i},{2 * i + 1}", "--expect", str(records // MEMBERS),
               "--progress", progress[i], "--done", done]
        stderr = open(os.path.join(tmp, f"{mode}-{i}.stderr"), "w")
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr))
    if mode == "group":
        deadline = time.time() + 600
        while sum(read_progress(p) for p in progress) < records:
            if time.time() > deadline:
                raise SystemExit(f"group read {sum(map(read_progress, progress))} of {records}")
            time.sleep(0.02)
        open(done, "w").close()
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=600)
        if p.returncode != 0:
            raise SystemExit(f"a {mode} consumer failed (exit {p.returncode})")
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    if mode == "rebalance":
        return rebalance_summary(results, [os.path.join(tmp, f"{mode}-{i}.stderr")
                                           for i in range(MEMBERS)])
    consumed = sum(r["count"] for r in results)
    if consumed != records:
        raise SystemExit(f"{mode}: consumed {consumed} records, expected {records}")
    elapsed = max(r["finished"] for r in results) - start
    summary = {"consumed": consumed, "seconds": elapsed, "rate": consumed / elapsed}
    if mode == "group":
        # Also the rate once every member has its partitions, without the join.
        last_assign = max(t for r in results for t, n in r["assignments"] if n > 0)
        summary["steady_rate"] = consumed / (max(r["finished"] for r in results) - last_assign)
        summary["shares"] = sorted(r["assignments"][-1][1] for r in results)
    return summary


def rebalance_summary(results, stderr_paths):
    """librdkafka's debug lines are `%7|<unix time>|JOIN|...: Joining group "g" ...`: the
    last one any member logged is the last JoinGroup sent."""
    last_join = 0.0
    for path in stderr_paths:
        with open(path) as f:
            for line in f:
                fields = line.split("|", 3)
                if len(fields) == 4 and fields[2] == "JOIN" and "Joining group" in fields[3]:
                    last_join = max(last_join, float(fields[1]))
    if last_join == 0.0:
        raise SystemExit("no JoinGroup found in librdkafka's debug log")
    last_assign = max(t for r in results for t, n in r["assignments"] if n > 0)
    return {"after_last_join_s": last_assign - last_join,
            "after_last_subscribe_s": last_assign - max(r["subscribed"] for r in results),
            "shares": sorted(r["assignments"][-1][1] for r in results)}


def produce(bootstrap, topic, records):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5,
                         "batch.num.messages": 10000, "queue.buffering.max.messages": 2000000})
    for i in range(records):
        while True:
            try:
                producer.produce(topic, value=VALUE, partition=i % PARTITIONS)
                break
            except BufferError:
                producer.poll(0.01)
    if producer.flush(120) != 0:
        raise SystemExit("the producer could not deliver every record")


def bench(args):
    import harness
    if args.broker_bin:
        harness.BROKER_BIN = os.path.abspath(args.broker_bin)
    zk = harness.ZooKeeper().start()
    broker = harness.Broker(zk, broker_id=1, props={"group.initial.rebalance.delay.ms": "0"})
    try:
        broker.start()
        topic = "bench-groups"
        harness.create_topic(broker, topic, partitions=PARTITIONS)
        produce(broker.bootstrap, topic, args.records)
        print(f"produced {args.records} x {len(VALUE)} B into {PARTITIONS} partitions")
        with tempfile.TemporaryDirectory() as tmp:
            assigned = run_scenario(broker.bootstrap, topic, args.records, "assigned", tmp)
            group = run_scenario(broker.bootstrap, topic, args.records, "group", tmp)
            rebalance = run_scenario(broker.bootstrap, topic, args.records, "rebalance", tmp)
        print(f"assigned: {assigned['consumed']} records in {assigned['seconds']:.2f} s, "
              f"{assigned['rate']:,.0f} records/s")
        print(f"group:    {group['consumed']} records in {group['seconds']:.2f} s, "
              f"{group['rate']:,.0f} records/s (join, rebalance and a commit every second "
              f"included); partitions per member {group['shares']}")
        print(f"group once assigned: {group['steady_rate']:,.0f} records/s")
        print(f"group / assigned: {group['rate'] / assigned['rate']:.3f} "
              f"(once assigned: {group['steady_rate'] / assigned['rate']:.3f})")
        print(f"rebalance of {MEMBERS} members (partitions per member {rebalance['shares']}): "
              f"{rebalance['after_last_join_s'] * 1000:.0f} ms from the last JoinGroup sent to "
              f"the last assignment; {rebalance['after_last_subscribe_s'] * 1000:.0f} ms from "
              f"the last subscribe()")
    finally:
        broker.cleanup()
        zk.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--broker-bin", help="samsa-broker (default: $SAMSA_BROKER_BIN, then build/)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for opt in ("bootstrap", "topic", "group", "mode", "progress", "done"):
        ap.add_argument(f"--{opt}", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--partitions", type=lambda s: [int(p) for p in s.split(",")],
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
    else:
        if not args.broker_bin and "SAMSA_BROKER_BIN" not in os.environ:
            args.broker_bin = os.path.join(HERE, "..", "build", "broker", "samsa-broker")
        bench(args)


if __name__ == "__main__":
    main()
