"""No acknowledged write lost: a producer of sequence-numbered records (acks=all) against a
3-broker cluster with a replicated topic while a fault loop kills (kill -9) and freezes
(SIGSTOP past the ZooKeeper session) random brokers, the controller and leaders included; then
a reader checks every partition.

Used by test_replication.py for a short run; the long run is a command:

    /usr/bin/python3 tests/integration/replication_verifier.py --duration 600

(SAMSA_BROKER_BIN names the broker binary; default build/broker/samsa-broker.) It prints
acknowledged, read, lost, duplicated, reordered, and the longest unavailability per partition,
and exits non-zero if anything acknowledged was lost or out of the order its producer is owed
(see order_problem), or a record was read that was never produced; with --idempotent, also on
a duplicate that is not librdkafka's re-send under a new epoch (idempotent_duplicates_fail)."""

import argparse
import collections
import logging
import os
import random
import re
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import duplicate_origin  # noqa: E402
import harness  # noqa: E402
import wire  # noqa: E402
from harness import SESSION_TIMEOUT_MS, wait_until  # noqa: E402


class Cluster:
    """One ZooKeeper (or the given ensemble, zk_ensemble.Ensemble) and `brokers` brokers
    sharing a chroot."""

    def __init__(self, brokers=3, props=None, zk=None, broker_props=None):
        """broker_props: {broker id: props} on top of `props` for that broker only (racks)."""
        self.zk = zk or harness.ZooKeeper().start()
        self.brokers = []
        props = dict(props or {})
        broker_props = broker_props or {}
        first = harness.Broker(self.zk, broker_id=1, props={**props, **broker_props.get(1, {})})
        self.brokers.append(first)
        for i in range(2, brokers + 1):
            self.brokers.append(harness.Broker(self.zk, broker_id=i, chroot=first.chroot,
                                               props={**props, **broker_props.get(i, {})}))
        first.start(wait=False)
        for b in self.brokers[1:]:
            b.start(wait=False)
        zkc = self.zk.client()
        try:
            wait_until(lambda: len(zkc.get_children(f"{first.chroot}/brokers/ids")) == brokers,
                       60, f"{brokers} brokers registered")
        finally:
            zkc.stop()
            zkc.close()
        harness.wait_until_brokers_know_each_other(self.brokers)

    @property
    def chroot(self):
        return self.brokers[0].chroot

    @property
    def bootstrap(self):
        return ",".join(b.bootstrap for b in self.brokers)

    def zk_client(self):
        return self.zk.client(self.chroot)

    def cleanup(self):
        for b in self.brokers:
            try:
                if b.alive():
                    os.kill(b.pid, signal.SIGCONT)
                b.stop()
            except Exception:  # noqa: BLE001 - best effort; cleanup() below kills by PID
                pass
        for b in self.brokers:
            b.cleanup()
        self.zk.cleanup()

    def create_topic(self, name, partitions, replication_factor=3, config=None, timeout=60):
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        futures = admin.create_topics(
            [NewTopic(name, partitions, replication_factor, config=config or {})],
            operation_timeout=timeout)
        futures[name].result(timeout=timeout)
        wait_until(lambda: self.full_isr(name, partitions), timeout,
                   f"{name}: every partition with a leader and a full ISR")

    def partition_states(self, topic, partitions):
        import json
        zkc = self.zk_client()
        try:
            out = {}
            for p in range(partitions):
                data, _ = zkc.get(f"/brokers/topics/{topic}/partitions/{p}/state")
                out[p] = json.loads(data)
            return out
        finally:
            zkc.stop()
            zkc.close()

    def full_isr(self, topic, partitions, replication_factor=3):
        try:
            states = self.partition_states(topic, partitions)
        except Exception:  # noqa: BLE001 - not created yet
            return False
        return all(s["leader"] >= 0 and len(s["isr"]) == replication_factor
                   for s in states.values())

    def registered(self):
        zkc = self.zk_client()
        try:
            return sorted(int(i) for i in zkc.get_children("/brokers/ids"))
        finally:
            zkc.stop()
            zkc.close()

    def registration_czxid(self, broker_id):
        """The czxid (broker epoch) of /brokers/ids/<id>, None if not registered."""
        zkc = self.zk_client()
        try:
            stat = zkc.exists(f"/brokers/ids/{broker_id}")
            return stat.czxid if stat else None
        finally:
            zkc.stop()
            zkc.close()

    def controller(self):
        import json
        zkc = self.zk_client()
        try:
            data, _ = zkc.get("/controller")
            return json.loads(data)["brokerid"]
        except Exception:  # noqa: BLE001 - between controllers
            return None
        finally:
            zkc.stop()
            zkc.close()


from confluent_kafka import KafkaException  # noqa: E402


class EpochBumpLog(logging.Handler):
    """librdkafka's debug lines: those of idempotence (debug=eos) that matter to a duplicate,
    each epoch bump and the error that started it (see duplicate_origin.py); and the last lines
    of all, for a producer that stalls (partitions waiting for a drain, or a leader librdkafka
    still believes in, say so)."""

    MARKERS = ("bumped epoch", "epoch bump", "skipped sequence numbers")
    PINNED = re.compile(r"Topic \S+ \[(\d+)\]: leader (-?\d+) unchanged, not migrating away "
                        r"from preferred replica")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
        self.bumps = 0
        self.tail = collections.deque(maxlen=200)
        self.leaders = {}  # partition -> librdkafka's latest metadata line for it
        # partition -> (leader, line) for librdkafka's "leader L unchanged, not migrating
        # away from preferred replica" (see client_stuck_partitions)
        self.pinned = {}

    def emit(self, record):
        line = record.getMessage()
        stamped = f"{time.strftime('%H:%M:%S')} {line}"
        if "METADATA" in line:
            # A refresh every second: keep only the latest answer's lines, not the tail's room.
            if "Topic " in line and " partition " in line:
                self.leaders[line.split(" partition ")[1].split()[0]] = stamped
            return
        self.tail.append(stamped)
        pinned = self.PINNED.search(line)
        if pinned:
            self.pinned[pinned.group(1)] = (pinned.group(2), stamped)
        if record.levelno >= logging.WARNING:  # what librdkafka prints without a logger
            print(f"%{record.levelno // 10} {line}", file=sys.stderr)
        if any(m in line for m in self.MARKERS):
            self.bumps += "bumped epoch" in line
            if len(self.lines) < 20:
                self.lines.append(line)


class SequenceProducer(threading.Thread):
    """Produces "seq" values round-robin over the partitions with acks=all and one request in
    flight per broker (so a partition's records stay in order across retries), at about `rate`
    records/s. Records each acknowledged (partition, offset, seq) and the longest gap between
    acknowledgements per partition."""

    def __init__(self, bootstrap, topic, partitions, rate=500, idempotent=False):
        """idempotent: enable.idempotence with 5 requests in flight (the broker's producer
        state then keeps order and drops retried duplicates)."""
        super().__init__(daemon=True)
        from confluent_kafka import Producer
        self.topic = topic
        self.partitions = partitions
        self.rate = rate
        config = {
            "bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 2,
            "max.in.flight.requests.per.connection": 1, "retries": 1000000,
            "retry.backoff.ms": 100, "message.timeout.ms": 300000,
            "request.timeout.ms": 10000, "topic.metadata.refresh.interval.ms": 1000}
        self.epoch_log = EpochBumpLog()
        # Leader changes as librdkafka sees them (debug=topic: each metadata answer's leader and
        # epoch per partition) are kept for a producer that stalls; with idempotence, epoch
        # bumps too (debug=eos), so that a duplicate can be traced to them.
        debug = "topic"
        if idempotent:
            config.update({"enable.idempotence": True,
                           "max.in.flight.requests.per.connection": 5})
            debug = "eos,topic"
        logger = logging.getLogger(f"rdkafka.verifier.{id(self)}")
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(self.epoch_log)
        config.update({"debug": debug, "logger": logger})
        self.producer = Producer(config)
        self.idempotent = idempotent
        self.produced = 0
        self.produced_at = []  # seq -> time.monotonic() of its produce() call
        self.acked = {p: [] for p in range(partitions)}  # [(offset, seq)]
        self.acked_at = {}  # seq -> time.monotonic() of its (first) acknowledgement
        self.failed = []
        self.purged = []
        self.purging = False
        self.resent = set()  # (partition, offset) written by resend_stuck's new producer
        self.refused = []
        self.last_ack = {}
        self.longest_gap = {p: 0.0 for p in range(partitions)}
        self.longest_gap_at = {p: (0.0, 0.0) for p in range(partitions)}  # (from, to), s
        self.stop_flag = threading.Event()
        self.started = time.monotonic()  # fault and gap times are given from here

    def _report(self, err, msg):
        if err is not None:
            # Records purged from a producer stuck by a client bug were re-sent by another
            # (resend_stuck): not the cluster's failures.
            target = self.purged if self.purging else self.failed
            target.append((msg.partition(), int(msg.value()), str(err)))
            return
        p = msg.partition()
        now = time.monotonic()
        prev = self.last_ack.get(p, self.started)
        if now - prev > self.longest_gap[p]:
            self.longest_gap[p] = now - prev
            self.longest_gap_at[p] = (prev - self.started, now - self.started)
        self.last_ack[p] = now
        seq = int(msg.value())
        self.acked[p].append((msg.offset(), seq))
        self.acked_at.setdefault(seq, now)

    def run(self):
        interval = 1.0 / self.rate
        next_send = time.monotonic()
        seq = 0
        while not self.stop_flag.is_set():
            now = time.monotonic()
            if now < next_send:
                self.producer.poll(next_send - now)
                continue
            next_send += interval
            if len(self.produced_at) == seq:
                self.produced_at.append(time.monotonic())
            try:
                self.producer.produce(self.topic, value=str(seq).encode(),
                                      partition=seq % self.partitions,
                                      on_delivery=self._report)
            except BufferError:
                self.producer.poll(0.1)
                continue
            except KafkaException as e:
                # Refused before sending (the client's metadata says the topic is in error
                # right now): nothing was produced; the same record is tried again.
                self.refused.append(str(e))
                self.producer.poll(0.1)
                continue
            seq += 1
            self.produced = seq
            self.producer.poll(0)

    def finish(self, timeout=300):
        self.stop_flag.set()
        self.join()
        remaining = self.producer.flush(timeout)
        return remaining


class StateTracer(threading.Thread):
    """Logs every change of a partition's leader, leader epoch or ISR as ZooKeeper holds it,
    polled twice a second, so that a long unavailability can be laid against the faults."""

    def __init__(self, cluster, topic, partitions, log):
        super().__init__(daemon=True)
        self.cluster, self.topic, self.partitions, self.log = cluster, topic, partitions, log
        self.stop_flag = threading.Event()

    def run(self):
        last = {}
        while not self.stop_flag.wait(0.5):
            try:
                states = self.cluster.partition_states(self.topic, self.partitions)
            except Exception:  # noqa: BLE001 - ZooKeeper unreachable for a moment
                continue
            for p, s in states.items():
                now = (s["leader"], s["leader_epoch"], s["isr"])
                if last.get(p) != now:
                    self.log(f"partition {p}: leader {now[0]} epoch {now[1]} isr {now[2]}")
                    last[p] = now


def fault_loop(cluster, deadline, log, rng, actions=("kill", "freeze"), started=None):
    """Until `deadline`: a random fault on a random broker (the controller every third time),
    then wait for the cluster to heal (all registered). `started`, a list, gets each fault's
    (time.monotonic(), number)."""
    n = 0
    while time.monotonic() < deadline:
        n += 1
        if started is not None:
            started.append((time.monotonic(), n))
        controller = cluster.controller()
        if n % 3 == 0 and controller is not None:
            victim = next(b for b in cluster.brokers if b.broker_id == controller)
        else:
            victim = rng.choice(cluster.brokers)
        action = rng.choice(actions)
        role = " (controller)" if victim.broker_id == controller else ""
        epoch = cluster.registration_czxid(victim.broker_id)
        if action == "kill":
            log(f"fault {n}: kill -9 broker {victim.broker_id}{role}, restarted at once")
            victim.kill9()
            # Restarted as systemd would: it waits for its old session to expire, then
            # registers again.
            victim.restart(wait=False)
        else:
            log(f"fault {n}: SIGSTOP broker {victim.broker_id}{role} past its session")
            os.kill(victim.pid, signal.SIGSTOP)
            try:
                wait_until(lambda: victim.broker_id not in cluster.registered(),
                           SESSION_TIMEOUT_MS / 1000 + 30,
                           f"frozen broker {victim.broker_id} deregistered")
            finally:
                os.kill(victim.pid, signal.SIGCONT)
        wait_until(lambda: cluster.registration_czxid(victim.broker_id) not in (None, epoch),
                   SESSION_TIMEOUT_MS / 1000 + 60, f"broker {victim.broker_id} registered again")
        time.sleep(rng.uniform(1.0, 3.0))
    return n


def read_all(cluster, topic, partitions, timeout=120):
    """Every record of every partition, from offset 0 up to the high watermark."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": "verifier",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "auto.offset.reset": "error"})
    try:
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                for p in range(partitions)}
        out = {p: [] for p in range(partitions)}
        todo = {p for p in range(partitions) if ends[p] > 0}
        c.assign([TopicPartition(topic, p, 0) for p in sorted(todo)])
        deadline = time.monotonic() + timeout
        while todo:
            if time.monotonic() > deadline:
                raise AssertionError(f"reading {topic}: partitions {todo} incomplete; ends {ends}")
            for m in c.consume(num_messages=10000, timeout=0.5):
                if m.error():
                    if m.error().code() == -191:  # _PARTITION_EOF
                        continue
                    raise AssertionError(f"consume error: {m.error()}")
                out[m.partition()].append((m.offset(), int(m.value())))
                if m.offset() + 1 >= ends[m.partition()]:
                    todo.discard(m.partition())
        return out, ends
    finally:
        c.close()


def check(producer, read, partitions):
    """Returns the counts and a list of problems (empty when nothing was lost or invented)."""
    problems = []
    duplicates = []  # where, for the first few: what a failure report needs to start from
    duplicate_offsets = []  # (partition, seq, first offset, second offset), for the first few
    reorder_examples = []  # the first pair out of sequence order per partition
    acked_total = read_total = lost = duplicated = duplicated_by_resend = reordered = 0
    for p in range(partitions):
        acked = producer.acked[p]
        records = read[p]
        acked_total += len(acked)
        read_total += len(records)
        seen = {}
        for offset, seq in records:
            if seq in seen and {(p, offset), (p, seen[seq])} & producer.resent:
                # A copy re-sent by resend_stuck's new producer: that producer cannot know
                # what the stuck one had written unacknowledged (no idempotence across
                # producers), so such a copy says nothing about the cluster.
                duplicated_by_resend += 1
            elif seq in seen:
                duplicated += 1
                if len(duplicates) < 10:
                    duplicates.append(f"partition {p}: {seq} at offsets {seen[seq]} and {offset}")
                    duplicate_offsets.append((p, seq, seen[seq], offset))
            else:
                seen[seq] = offset
            if seq % partitions != p or seq >= producer.produced:
                problems.append(f"partition {p} offset {offset}: {seq} was never produced here")
        for offset, seq in acked:
            if seq not in seen:
                lost += 1
                if lost <= 10:
                    problems.append(f"partition {p}: acknowledged {seq} at offset {offset} "
                                    "is missing")
        firsts = [(seq, seen[seq]) for _, seq in acked if seq in seen]
        pairs = list(out_of_order(firsts))
        reordered += len(pairs)
        if pairs:
            reorder_examples.append(f"partition {p}: " + describe_pair(producer, *pairs[0]))
        problem = order_problem(producer, firsts)
        if problem:
            problems.append(f"partition {p}: {problem}")
    return {"acknowledged": acked_total, "read": read_total, "lost": lost,
            "duplicated": duplicated, "duplicated_by_resend": duplicated_by_resend,
            "reordered": reordered, "reorder_examples": reorder_examples,
            "duplicates": duplicates,
            "duplicate_offsets": duplicate_offsets}, problems


def out_of_order(firsts):
    """(seq, offset) pairs of acknowledged records, each at its first copy: yields (earlier,
    later) for each record written below one produced before it, the earlier being the one
    highest in the log so far."""
    highest = None
    for seq, offset in sorted(set(firsts)):
        if highest is not None and offset < highest[1]:
            yield highest, (seq, offset)
        elif highest is None or offset > highest[1]:
            highest = (seq, offset)


def describe_pair(producer, earlier, later):
    """One pair from out_of_order, with each record's produce-to-acknowledgement time: a
    retried batch shows as the earlier one acknowledged long after the later one."""
    def timing(seq):
        return f"acknowledged {producer.acked_at[seq] - producer.produced_at[seq]:.3f} s " \
               f"after produce"
    return (f"{earlier[0]} at offset {earlier[1]} ({timing(earlier[0])}), the later "
            f"{later[0]} at {later[1]} ({timing(later[0])})")


def order_problem(producer, firsts):
    """What breaks the order a partition owes its producer, or None.

    With idempotence the broker keeps a producer's order itself (sequence numbers), so every
    acknowledged record must sit above every one produced before it. Without, Kafka orders
    only what the client keeps apart: librdkafka limits requests in flight per connection, not
    per partition (its issue #1969), so when a partition changes leader a batch still in flight
    to the old one (a frozen broker, until request.timeout.ms) is retried after later records
    were written through the new leader. What the broker must still keep is causal order: a
    record produced after another was acknowledged lands above it."""
    if producer.idempotent:
        for (seq, offset), (next_seq, next_offset) in out_of_order(firsts):
            return (f"acknowledged records out of order: {seq} at offset {offset}, the later "
                    f"{next_seq} at {next_offset}")
        return None
    by_ack = sorted(set(firsts), key=lambda r: producer.acked_at[r[0]])
    highest = None  # the acknowledged record highest in the log, among those acked so far
    i = 0
    for seq, offset in sorted(set(firsts)):
        produced = producer.produced_at[seq]
        while i < len(by_ack) and producer.acked_at[by_ack[i][0]] < produced:
            if highest is None or by_ack[i][1] > highest[1]:
                highest = by_ack[i]
            i += 1
        if highest is not None and offset < highest[1]:
            return (f"{seq} (produced {produced - producer.acked_at[highest[0]]:.3f} s after "
                    f"{highest[0]} was acknowledged at offset {highest[1]}) is at offset "
                    f"{offset}, below it")
    return None


def explain_duplicates(cluster, topic, producer, counts, log):
    """Adds to `counts` how many of the (first ten) duplicates each origin explains
    (duplicate_origin.py) and logs each with the producer's epoch bumps."""
    lines, origins = duplicate_origin.explain(cluster.brokers, topic,
                                              counts["duplicate_offsets"])
    counts["duplicated_by_broker"] = origins[duplicate_origin.BROKER]
    counts["resent_under_new_epoch"] = origins[duplicate_origin.NEW_EPOCH]
    counts["duplicates_unexplained"] = origins[duplicate_origin.UNEXPLAINED]
    for line in lines:
        log(f"duplicate: {line}")
    if lines:
        for line in producer.epoch_log.lines:
            log(f"librdkafka: {line}")


def undelivered(producer):
    """partition -> the seqs produced there that were neither acknowledged nor failed, in
    order."""
    done = {seq for acks in producer.acked.values() for _, seq in acks}
    done.update(seq for _, seq, _ in producer.failed)
    waiting = collections.defaultdict(list)
    for seq in range(producer.produced):
        if seq not in done:
            waiting[seq % producer.partitions].append(seq)
    return waiting


def metadata_views(cluster, topic):
    """broker id -> {partition: (leader, isr)} from each live broker's Metadata v5 answer, or
    the error that stood in the way."""
    views = {}
    for b in cluster.brokers:
        if not b.alive():
            continue
        try:
            payload = wire.roundtrip(b.port, wire.metadata_request(1, [topic], version=5),
                                     timeout=5)
            _, md = wire.parse_metadata(payload, version=5)
            views[b.broker_id] = {p: (leader, isr) for p, (_, leader, _, isr)
                                  in md["topics"][topic][1].items()}
        except (OSError, ConnectionError, KeyError) as e:
            views[b.broker_id] = e
    return views


def report_stall(cluster, topic, producer, log):
    """What a stalled producer waits for: its undelivered records per partition, each live
    broker's Metadata view of the topic, and librdkafka's last debug lines."""
    waiting = undelivered(producer)
    now = time.monotonic()
    log("undelivered per partition: " + ", ".join(
        f"{p}: {len(waiting[p])} (last ack {now - producer.last_ack.get(p, now):.0f} s ago)"
        for p in range(producer.partitions)))
    for broker_id, view in metadata_views(cluster, topic).items():
        if isinstance(view, Exception):
            text = f"no answer ({view})"
        else:
            text = ", ".join(f"{p}: leader {leader} isr {isr}"
                             for p, (leader, isr) in sorted(view.items()))
        log(f"broker {broker_id} metadata: {text}")
    for p, line in sorted(producer.epoch_log.leaders.items()):
        log(f"librdkafka (latest metadata): {line}")
    for line in producer.epoch_log.tail:
        log(f"librdkafka (last lines): {line}")


def client_stuck_partitions(cluster, topic, producer):
    """partition -> leader, for the stalled partitions that librdkafka 2.0.2 (Debian 12's) keeps
    on a broker that is not their leader although every live broker and librdkafka's own latest
    metadata name the same leader: its open issue #4976 (fix proposed in its PR #5593). After
    two leader changes in quick succession (A to B, then back to A before the partition has left
    A's broker thread), the partition lands on B while librdkafka records A, and its "preferred
    replica" guard then keeps it on B for good: every Produce there is answered
    NOT_LEADER_OR_FOLLOWER, correctly, and retried forever. Kafka's brokers trigger it the same
    way. Anything else undelivered is the cluster's to explain."""
    views = metadata_views(cluster, topic)
    stuck = {}
    for p, seqs in undelivered(producer).items():
        pinned = producer.epoch_log.pinned.get(str(p))
        latest = producer.epoch_log.leaders.get(str(p), "")
        if not seqs or pinned is None or not latest.endswith(f" Leader {pinned[0]}"):
            continue
        leader = int(pinned[0])
        if views and all(not isinstance(v, Exception) and v.get(p, (None,))[0] == leader
                         for v in views.values()):
            stuck[p] = leader
    return stuck


def resend_stuck(cluster, topic, producer, stuck, log, timeout=60):
    """Writes the records a stuck producer still holds for the `stuck` partitions through a new
    producer (acks=all, one request in flight), in order, and counts them as acknowledged where
    it says they were written: the partitions are available to any client whose metadata is
    right. Then purges the stuck producer (its deliveries go to `purged`, not `failed`). Returns
    how many were re-sent."""
    from confluent_kafka import Producer
    waiting = undelivered(producer)
    fresh = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all",
                      "max.in.flight.requests.per.connection": 1,
                      "message.timeout.ms": timeout * 1000})
    results = []
    for p in sorted(stuck):
        log(f"partition {p}: {len(waiting[p])} records held by librdkafka on a broker that is "
            f"not leader {stuck[p]}, which every broker names: "
            f"{producer.epoch_log.pinned[str(p)][1]}; re-sent with a new producer")
        for seq in waiting[p]:
            fresh.produce(topic, value=str(seq).encode(), partition=p,
                          on_delivery=lambda err, msg: results.append((err, msg)))
    left = fresh.flush(timeout)
    resent = 0
    for err, msg in results:
        if err is None:
            producer.acked[msg.partition()].append((msg.offset(), int(msg.value())))
            producer.acked_at.setdefault(int(msg.value()), time.monotonic())
            producer.resent.add((msg.partition(), msg.offset()))
            resent += 1
    producer.purging = True
    producer.producer.purge()
    producer.producer.flush(10)
    if left or resent != len(results):
        raise AssertionError(f"a new producer could not write to partitions {sorted(stuck)}: "
                             f"{left} undelivered, "
                             f"{[str(e) for e, _ in results if e is not None][:3]}")
    return resent


def run(duration, partitions=6, rate=500, seed=None, log=print, actions=("kill", "freeze"),
        idempotent=False, trace_states=False):
    """trace_states: also log each change of a partition's leader and ISR (StateTracer).
    Fault and state lines carry the seconds since the producer started, the clock the
    longest unavailabilities are given in."""
    seed = seed if seed is not None else int(time.time())
    rng = random.Random(seed)
    log(f"seed {seed}, {duration} s of faults, {partitions} partitions")
    cluster = Cluster(props={"replica.lag.time.max.ms": "10000",
                             "zookeeper.session.timeout.ms": str(SESSION_TIMEOUT_MS)})
    try:
        topic = "verified"
        cluster.create_topic(topic, partitions, config={"min.insync.replicas": "2"})
        producer = SequenceProducer(cluster.bootstrap, topic, partitions, rate=rate,
                                    idempotent=idempotent)
        producer.start()

        def timed(line):
            wall = time.strftime("%H:%M:%S")
            log(f"[{time.monotonic() - producer.started:6.1f} s, {wall}] {line}")
        tracer = StateTracer(cluster, topic, partitions, timed)
        if trace_states:
            tracer.start()
        time.sleep(2)
        fault_times = []
        faults = fault_loop(cluster, time.monotonic() + duration, timed, rng, actions,
                            fault_times)
        time.sleep(2)
        tracer.stop_flag.set()
        # Two minutes after the last fault a healed cluster has taken every record; longer
        # is a stall to report (with which partitions waited), not to sit out in silence.
        remaining = producer.finish(timeout=120)
        log(f"{faults} faults; producer: {producer.produced} produced, "
            f"{remaining} still undelivered, {len(producer.failed)} failed "
            f"{sorted(set(e for _, _, e in producer.failed))[:3]}, "
            f"{len(producer.refused)} refused before sending "
            f"{sorted(set(producer.refused))[:3]}")
        resent = 0
        if remaining:
            report_stall(cluster, topic, producer, log)
            stuck = client_stuck_partitions(cluster, topic, producer)
            if stuck:
                # What stays undelivered is counted before the purge, which takes every
                # partition's records: only the client-stuck ones are re-sent.
                remaining = sum(len(seqs) for p, seqs in undelivered(producer).items()
                                if p not in stuck)
                resent = resend_stuck(cluster, topic, producer, stuck, log)
        wait_until(lambda: cluster.full_isr(topic, partitions), 120, "full ISRs again")
        read, ends = read_all(cluster, topic, partitions)
        counts, problems = check(producer, read, partitions)
        counts["failed"] = len(producer.failed)
        counts["undelivered"] = remaining
        counts["resent_client_stuck"] = resent
        counts["epoch_bumps"] = producer.epoch_log.bumps
        log(" ".join(f"{k} {v}" for k, v in counts.items()
                     if k not in ("duplicates", "duplicate_offsets", "reorder_examples")))
        for line in counts["reorder_examples"]:
            log(f"out of sequence order: {line}")
        explain_duplicates(cluster, topic, producer, counts, log)
        log("longest unavailability per partition (s): " + ", ".join(
            f"{p}: {producer.longest_gap[p]:.1f}" for p in range(partitions)))
        log("  from-to (s since the producer started) and the faults in it: " + ", ".join(
            "{}: {:.1f}-{:.1f} {}".format(p, *producer.longest_gap_at[p],
                                          faults_within(fault_times, producer,
                                                        producer.longest_gap_at[p]))
            for p in range(partitions)))
        return counts, problems, cluster
    except BaseException:
        harness.dump_logs(cluster.brokers)
        cluster.cleanup()
        raise


def faults_within(fault_times, producer, window):
    """The numbers of the faults that began inside `window` (seconds since the producer
    started), so a long unavailability shows whether one fault or several in a row made it."""
    lo, hi = window
    return [n for t, n in fault_times if lo - 0.5 <= t - producer.started <= hi]


def idempotent_duplicates_fail(counts):
    """With enable.idempotence, what test_idempotence.py judges too: every duplicate must be a
    record librdkafka sent again under a new epoch after bumping it (duplicate_origin.py says
    which, from the segment files; confluentinc/librdkafka#4953, which Kafka's brokers cannot
    deduplicate either). A copy the broker wrote twice, an unexplained one, or more duplicates
    than the first ten explained fail the run."""
    explained = counts.get("resent_under_new_epoch", 0)
    return bool(counts["duplicated"] != explained or counts.get("duplicated_by_broker", 0)
                or counts.get("duplicates_unexplained", 0)
                or (explained and not counts["epoch_bumps"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=120, help="seconds of faults")
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--rate", type=int, default=500, help="records/s")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--idempotent", action="store_true",
                    help="enable.idempotence: also fail on any duplicate the broker wrote or "
                         "that is unexplained (see idempotent_duplicates_fail)")
    ap.add_argument("--trace-states", action="store_true",
                    help="log each change of a partition's leader, epoch and ISR")
    ap.add_argument("--keep-logs", metavar="DIR",
                    help="copy each broker's log to DIR/broker-<id>.log before cleaning up")
    args = ap.parse_args()
    counts, problems, cluster = run(args.duration, args.partitions, args.rate, args.seed,
                                    idempotent=args.idempotent, trace_states=args.trace_states)
    if args.keep_logs:
        os.makedirs(args.keep_logs, exist_ok=True)
        for b in cluster.brokers:
            shutil.copyfile(b.log_path, os.path.join(args.keep_logs, f"broker-{b.broker_id}.log"))
    cluster.cleanup()
    for p in problems:
        print("PROBLEM:", p)
    duplicates_fail = args.idempotent and idempotent_duplicates_fail(counts)
    sys.exit(1 if problems or counts["lost"] or duplicates_fail else 0)


if __name__ == "__main__":
    if "SAMSA_BROKER_BIN" not in os.environ:
        harness.BROKER_BIN = os.path.join(harness.ROOT, "build", "broker", "samsa-broker")
    main()
