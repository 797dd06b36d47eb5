"""Metadata at scale: 3 brokers holding --partitions partitions with replication factor 3 (so
each broker holds every partition's replica), one real ZooKeeper, all on loopback. Prints the
time of each phase:

  create       CreateTopics until every broker's Metadata shows a leader for every partition,
               then until every ISR is full
  failover     kill -9 of the controller; from the moment ZooKeeper expires its session (its
               /controller znode is deleted) until every live broker's Metadata shows a live
               leader for every partition
  shutdown     SIGTERM of a broker that leads about a third of the partitions; until no live
               broker's Metadata names it as a leader, and until the process has exited
  restart      start of that broker after its clean shutdown; until it is registered, until it
               answers Metadata with every partition led, and until it is back in every ISR

Run by bench/metadata_scale.sh (which builds a Release broker); by hand:

    SAMSA_BROKER_BIN=build/broker/samsa-broker /usr/bin/python3 bench/metadata_scale.py

Not a test: it prints figures (bench/RESULTS.md)."""

import argparse
import os
import resource
import shutil
import signal
import socket
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402
import wire  # noqa: E402
from replication_verifier import Cluster  # noqa: E402


def raise_fd_limit():
    # Three files per replica (segment, offset and time index) times every partition: far more
    # than the usual 1024. The brokers inherit this limit.
    want = 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def metadata(broker, timeout=10):
    """Every topic's partitions as this broker answers Metadata v5: {(topic, p): (leader, isr)},
    or None when the broker does not answer."""
    try:
        payload = wire.roundtrip(broker.port, wire.metadata_request(1, None, version=5),
                                 timeout=timeout)
    except (OSError, socket.timeout, ConnectionError):
        return None
    _, md = wire.parse_metadata(payload, version=5)
    out = {}
    for topic, (_, parts) in md["topics"].items():
        for p, (_, leader, _, isr) in parts.items():
            out[(topic, p)] = (leader, isr)
    return out


class Bench:
    def __init__(self, partitions, topics, log, logs_dir=None,
                 phases=("failover", "rejoin", "shutdown")):
        self.logs_dir = logs_dir
        self.phases = phases
        self.partitions = partitions
        self.topics = topics
        self.log = log
        self.cluster = None

    # --- cluster views ------------------------------------------------------------------------

    def live(self):
        return [b for b in self.cluster.brokers if b.alive()]

    def all_led(self, brokers, live_ids):
        """True when each of `brokers` shows all partitions, each led by a broker in live_ids."""
        for b in brokers:
            md = metadata(b)
            if md is None or len(md) != self.partitions:
                return False
            if any(leader not in live_ids for leader, _ in md.values()):
                return False
        return True

    def leads_nothing(self, broker_id, brokers):
        for b in brokers:
            md = metadata(b)
            if md is None or any(leader == broker_id for leader, _ in md.values()):
                return False
        return True

    def all_in_isr(self, broker_id, via):
        md = metadata(via)
        return md is not None and len(md) == self.partitions and all(
            broker_id in isr for _, isr in md.values())

    def wait(self, pred, what, timeout=600, interval=0.02):
        harness.wait_until(pred, timeout, what, interval=interval)
        return time.monotonic()

    # --- phases -------------------------------------------------------------------------------

    def create(self):
        from confluent_kafka.admin import AdminClient, NewTopic
        per_topic = self.partitions // self.topics
        names = [f"scale-{i}" for i in range(self.topics)]
        # One topic per request: each answer comes when its partitions are known everywhere,
        # well within librdkafka's socket timeout.
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap,
                             "socket.timeout.ms": 300000})
        t0 = time.monotonic()
        for n in names:
            admin.create_topics([NewTopic(n, per_topic, 3)], operation_timeout=300,
                                request_timeout=300)[n].result(timeout=300)
        ids = {b.broker_id for b in self.cluster.brokers}
        led = self.wait(lambda: self.all_led(self.cluster.brokers, ids), "every partition led")
        full = self.wait(lambda: all(self.all_in_isr(i, self.cluster.brokers[0]) for i in ids),
                         "every ISR full", interval=0.2)
        self.log(f"create     {self.partitions} partitions (RF 3): led everywhere "
                 f"{led - t0:.2f} s, full ISR {full - t0:.2f} s")

    def failover(self):
        controller_id = self.cluster.controller()
        victim = next(b for b in self.cluster.brokers if b.broker_id == controller_id)
        others = [b for b in self.cluster.brokers if b is not victim]
        zkc = self.cluster.zk_client()
        expired = threading.Event()
        expired_at = []

        old_czxid = zkc.exists("/controller").czxid

        def on_change(data, stat, event=None):
            # Gone, or already re-created by the next controller by the time the watch read it.
            if (stat is None or stat.czxid != old_czxid) and not expired.is_set():
                expired_at.append(time.monotonic())
                expired.set()
                return False
            return True

        try:
            t_kill = time.monotonic()
            victim.kill9()
            zkc.DataWatch("/controller", on_change)
            if not expired.wait(120):
                raise AssertionError("the old controller's /controller znode never went away")
            live_ids = {b.broker_id for b in others}
            done = self.wait(lambda: self.all_led(others, live_ids),
                             "every partition led by a live broker")
        finally:
            zkc.stop()
            zkc.close()
        new_controller = self.cluster.controller()
        self.log(f"failover   kill -9 of controller {controller_id}: session expired after "
                 f"{expired_at[0] - t_kill:.2f} s; every partition led on both live brokers "
                 f"{done - expired_at[0]:.2f} s after the expiry (new controller "
                 f"{new_controller})")
        if "rejoin" not in self.phases:
            return
        t0 = time.monotonic()
        victim.restart(wait=False)
        back = self.wait(lambda: self.all_in_isr(victim.broker_id, others[0]),
                         "restarted controller back in every ISR", interval=0.2)
        self.log(f"           broker {controller_id} restarted after kill -9: back in every ISR "
                 f"{back - t0:.2f} s (including its stale registration's expiry)")

    def pick_shutdown_victim(self):
        """The broker that leads the most partitions, the controller excepted (its shutdown
        would be a failover too)."""
        controller_id = self.cluster.controller()
        candidates = [b for b in self.cluster.brokers if b.broker_id != controller_id]
        md = metadata(self.cluster.brokers[0]) or {}
        return max(candidates,
                   key=lambda b: sum(1 for leader, _ in md.values() if leader == b.broker_id))

    def controlled_shutdown(self, victim):
        others = [b for b in self.cluster.brokers if b is not victim]
        md = metadata(others[0])
        led = sum(1 for leader, _ in md.values() if leader == victim.broker_id)
        t0 = time.monotonic()
        victim.proc.send_signal(signal.SIGTERM)
        moved = self.wait(lambda: self.leads_nothing(victim.broker_id, others),
                          f"no partition led by broker {victim.broker_id}")
        victim.wait_exit(300)
        exited = time.monotonic()
        self.log(f"shutdown   SIGTERM of broker {victim.broker_id} (leader of {led} partitions): "
                 f"leadership moved {moved - t0:.2f} s, process exited {exited - t0:.2f} s")

    def restart(self, victim):
        others = [b for b in self.cluster.brokers if b is not victim]
        zkc = self.cluster.zk_client()
        t0 = time.monotonic()
        try:
            victim.restart(wait=False)
            registered = self.wait(
                lambda: zkc.exists(f"/brokers/ids/{victim.broker_id}") is not None,
                f"broker {victim.broker_id} registered")
        finally:
            zkc.stop()
            zkc.close()
        ids = {b.broker_id for b in self.cluster.brokers}
        serving = self.wait(lambda: self.all_led([victim], ids),
                            f"broker {victim.broker_id} answers Metadata with every partition led")
        in_isr = self.wait(lambda: self.all_in_isr(victim.broker_id, others[0]),
                           f"broker {victim.broker_id} back in every ISR", interval=0.2)
        self.log(f"restart    broker {victim.broker_id} after a clean shutdown: registered "
                 f"{registered - t0:.2f} s, serving Metadata {serving - t0:.2f} s, back in every "
                 f"ISR {in_isr - t0:.2f} s")

    def rss(self):
        out = []
        for b in self.live():
            with open(f"/proc/{b.pid}/status") as f:
                kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{b.pid}/fd"))
            out.append(f"broker {b.broker_id}: {kb // 1024} MB RSS, {fds} fds")
        self.log("resources  " + "; ".join(out))

    def run(self, props):
        raise_fd_limit()
        self.cluster = Cluster(brokers=3, props=props)
        try:
            self.create()
            self.rss()
            if "failover" in self.phases:
                self.failover()
            if "shutdown" in self.phases:
                victim = self.pick_shutdown_victim()
                self.controlled_shutdown(victim)
                self.restart(victim)
        except BaseException:
            for b in self.cluster.brokers:
                self.log(f"--- broker {b.broker_id} log tail:\n{b.log_tail(3000)}")
            raise
        finally:
            if self.logs_dir:
                os.makedirs(self.logs_dir, exist_ok=True)
                for b in self.cluster.brokers:
                    shutil.copy(b.log_path, os.path.join(self.logs_dir, f"broker{b.broker_id}.log"))
            self.cluster.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", type=int, default=10000)
    parser.add_argument("--topics", type=int, default=10,
                        help="the partitions are spread over this many topics")
    parser.add_argument("--logs", help="copy the brokers' logs into this directory")
    parser.add_argument("--phases", default="failover,rejoin,shutdown",
                        help="after creation, which of failover, rejoin (the killed controller's "
                             "restart; needs failover) and shutdown (with the restart after it; "
                             "needs rejoin after a failover) to run")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a broker config for all three brokers (repeatable)")
    args = parser.parse_args()
    if args.partitions % args.topics:
        parser.error("--partitions must be a multiple of --topics")
    phases = tuple(p for p in args.phases.split(",") if p)
    if not set(phases) <= {"failover", "rejoin", "shutdown"}:
        parser.error("--phases takes failover, rejoin and shutdown")
    if "failover" in phases and "shutdown" in phases and "rejoin" not in phases:
        parser.error("shutdown after a failover needs rejoin (three live brokers)")
    props = {
        # Small segments' preallocated indexes would not matter (sparse files); one fetcher per
        # leader as Kafka's default.
        "num.replica.fetchers": "1",
    }
    for kv in args.set:
        key, sep, value = kv.partition("=")
        if not sep or not key:
            parser.error(f"--set takes KEY=VALUE, not {kv!r}")
        props[key] = value
    Bench(args.partitions, args.topics, lambda s: print(s, flush=True), args.logs,
          phases).run(props)


if __name__ == "__main__":
    main()
