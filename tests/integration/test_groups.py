"""Consumer groups end to end (the group coordinator and __consumer_offsets): real brokers,
real clients, each group member its own process (group_worker.py for confluent-kafka and
kafka-python, tests/js/group_consumer.js for kafkajs).

  a) per client: three members share a 6-partition topic 2/2/2 and read every record once;
     one leaves and the others take its partitions; all stop and three new members resume
     from the committed offsets without reading anything again;
  b) a member frozen with SIGSTOP is removed after its session timeout;
  c) a static member (group.instance.id) restarted within its session timeout gets its
     partitions back without a rebalance;
  d) committed offsets survive a restart of the coordinator's broker, and kill -9 of the
     coordinator on a 3-broker cluster with offsets.topic.replication.factor=3.

Workers commit before they report what they read, so "read exactly once" is checked on what
they report: a batch whose commit fails is never reported and is read again by its next owner.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import harness
from harness import JS_DIR, NODE, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
PY_WORKER = os.path.join(HERE, "group_worker.py")
JS_WORKER = os.path.join(JS_DIR, "group_consumer.js")
PARTITIONS = 6

# Few __consumer_offsets partitions and short sessions keep the module fast.
GROUP_PROPS = {"offsets.topic.num.partitions": "3", "group.min.session.timeout.ms": "1000",
               "group.initial.rebalance.delay.ms": "0"}


def java_hash_abs(s):
    """Kafka's Utils.abs(String.hashCode) over UTF-16 code units."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + int.from_bytes(data[i:i + 2], "big")) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


class Worker:
    """One group member process; its JSON-line events are collected by a reader thread."""

    def __init__(self, client, broker, topic, group, instance=None, session_ms=6000):
        if client == "kafkajs":
            cmd = [NODE, JS_WORKER, broker.bootstrap, topic, group]
        else:
            cmd = [sys.executable, PY_WORKER, client, broker.bootstrap, topic, group,
                   "--session-ms", str(session_ms)]
            if instance:
                cmd += ["--instance", instance]
        self.name = f"{client} worker {instance or ''}".strip()
        self.stderr_path = os.path.join(broker.dir, f"worker-{time.monotonic_ns()}.err")
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(harness._PDEATHSIG + cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=err, env=env)
        self.lock = threading.Lock()
        self.events = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(event)

    @property
    def pid(self):
        return self.proc.pid

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def assignment(self):
        """The current assignment: the latest "assigned", unless a rebalance began since."""
        current = None
        for e in self.snapshot():
            if e["ev"] == "assigned":
                current = e["partitions"]
            elif e["ev"] == "revoked":
                current = None
        return current

    def rebalance_events(self):
        return sum(1 for e in self.snapshot() if e["ev"] in ("assigned", "revoked"))

    def records(self):
        return [tuple(r) for e in self.snapshot() if e["ev"] == "records" for r in e["recs"]]

    def alive(self):
        return self.proc.poll() is None

    def stderr_tail(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout=30):
        """SIGTERM by PID (the worker closes and leaves), SIGKILL if it does not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        return self.proc.returncode

    def kill(self):
        """SIGKILL by PID (after SIGCONT, in case it was frozen)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        if not self.proc.stdout.closed:
            self.proc.stdout.close()


def produce(broker, topic, per_partition, tag):
    """`per_partition` records to each partition; returns the values."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    values = []
    for q in range(PARTITIONS):
        for i in range(per_partition):
            v = f"{tag}-{q}-{i}"
            values.append(v)
            p.produce(topic, value=v.encode(), partition=q,
                      on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(30) == 0 and not errors, f"produce failed: {errors[:3]}"
    return values


def committed(broker, group, topic, partitions=range(PARTITIONS), timeout=60):
    """{partition: committed offset} read with a fresh confluent consumer (OffsetFetch),
    retrying while the coordinator is being found or elected."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                  "enable.auto.commit": False})
    try:
        def fetch():
            try:
                got = c.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
            except KafkaException as e:
                return f"error {e}"
            return {tp.partition: tp.offset for tp in got}
        result = wait_until(lambda: isinstance(fetch(), dict) and fetch(), timeout,
                            f"committed offsets of {group}")
        return result
    finally:
        c.close()


def commit(broker, group, topic, offsets, timeout=60):
    """A commit by a non-member (generation -1), retried until the coordinator answers."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                  "enable.auto.commit": False})
    try:
        def attempt():
            try:
                c.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()],
                         asynchronous=False)
                return True
            except KafkaException as e:
                return f"error {e}"
        wait_until(lambda: attempt() is True, timeout, f"a commit to {group}")
    finally:
        c.close()


class GroupTestCase(harness.IntegrationTestCase):
    def worker(self, client, broker, topic, group, **kwargs):
        w = Worker(client, broker, topic, group, **kwargs)
        self.addCleanup(w.kill)
        return w

    def wait_shared(self, workers, sizes, timeout=60):
        """Until the workers' current assignments have these sizes and cover the topic once."""
        def shared():
            for w in workers:
                if not w.alive():
                    raise harness.Abort(f"{w.name} exited: {w.stderr_tail()}")
            got = [w.assignment() for w in workers]
            if any(a is None for a in got):
                return False
            flat = sorted(p for a in got for p in a)
            return (sorted(len(a) for a in got) == sorted(sizes) and
                    flat == list(range(PARTITIONS))) or False
        wait_until(shared, timeout,
                   f"assignments of sizes {sizes}; have {[w.assignment() for w in workers]}")
        return [w.assignment() for w in workers]

    def wait_read(self, workers, values, timeout=60):
        want = set(values)
        wait_until(lambda: want <= {r[2] for w in workers for r in w.records()}, timeout,
                   f"{len(want)} records read by the group")

    def assert_read_once(self, workers, values):
        read = [r[2] for w in workers for r in w.records()]
        duplicates = sorted({v for v in read if read.count(v) > 1})
        self.assertEqual(duplicates, [], "records read more than once")
        self.assertEqual(sorted(read), sorted(values))


class GroupClientsTest(harness.ClusterTestCase, GroupTestCase):
    broker_id = 11
    broker_props = GROUP_PROPS

    def share_leave_and_resume(self, client):
        topic = harness.unique_topic(f"groups-{client}")
        harness.create_topic(self.broker, topic, PARTITIONS)
        group = f"group-{topic}"
        workers = [self.worker(client, self.broker, topic, group) for _ in range(3)]
        self.wait_shared(workers, [2, 2, 2])

        first = produce(self.broker, topic, 20, "a")
        self.wait_read(workers, first)
        self.assert_read_once(workers, first)

        # One member leaves: the other two take its partitions and read on.
        self.assertEqual(workers[2].stop(), 0)
        self.wait_shared(workers[:2], [3, 3])
        second = produce(self.broker, topic, 20, "b")
        self.wait_read(workers, first + second)
        self.assert_read_once(workers, first + second)

        # Everybody stops; what was read is committed; new members resume after it.
        for w in workers[:2]:
            self.assertEqual(w.stop(), 0)
        self.assertEqual(committed(self.broker, group, topic), {p: 40 for p in range(PARTITIONS)})
        third = produce(self.broker, topic, 20, "c")
        resumed = [self.worker(client, self.broker, topic, group) for _ in range(3)]
        self.wait_read(resumed, third)
        self.assert_read_once(resumed, third)
        for w in resumed:
            w.stop()

    def test_confluent_kafka(self):
        self.share_leave_and_resume("confluent")

    def test_kafka_python(self):
        self.share_leave_and_resume("kafka-python")

    def test_kafkajs(self):
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")),
                        "kafkajs not installed: run `npm ci` in tests/js")
        self.share_leave_and_resume("kafkajs")

    def test_frozen_member_is_removed_after_its_session(self):
        topic = harness.unique_topic("groups-frozen")
        harness.create_topic(self.broker, topic, PARTITIONS)
        group = f"group-{topic}"
        workers = [self.worker("confluent", self.broker, topic, group, session_ms=3000)
                   for _ in range(3)]
        self.wait_shared(workers, [2, 2, 2])
        os.kill(workers[2].pid, signal.SIGSTOP)
        started = time.monotonic()
        self.wait_shared(workers[:2], [3, 3], timeout=30)
        # Not before its session could have run out.
        self.assertGreater(time.monotonic() - started, 2.0)
        self.assertIn("session of member", self.broker.log_text())
        workers[2].kill()

    def test_static_member_returns_without_rebalance(self):
        topic = harness.unique_topic("groups-static")
        harness.create_topic(self.broker, topic, PARTITIONS)
        group = f"group-{topic}"
        workers = [self.worker("confluent", self.broker, topic, group, instance=f"i-{n}",
                               session_ms=30000) for n in range(3)]
        before = self.wait_shared(workers, [2, 2, 2])
        others_events = [w.rebalance_events() for w in workers[1:]]
        generations = self.stabilized(group)

        # A static member's close sends no LeaveGroup (KIP-345): its place is kept.
        self.assertEqual(workers[0].stop(), 0)
        again = self.worker("confluent", self.broker, topic, group, instance="i-0",
                            session_ms=30000)
        wait_until(lambda: again.assignment() == before[0], 30,
                   f"i-0 back with {before[0]}")
        self.assertEqual([w.rebalance_events() for w in workers[1:]], others_events,
                         "the other members saw a rebalance")
        self.assertEqual(self.stabilized(group), generations, "a new generation was formed")
        self.assertIn("static member i-0 rejoined", self.broker.log_text())

    def test_admin_lists_describes_fetches_and_deletes(self):
        """ListGroups, DescribeGroups (v3 with authorized operations), OffsetFetch of all
        partitions and DeleteGroups through kafka-python's admin client."""
        from kafka import KafkaAdminClient
        from kafka.errors import GroupIdNotFoundError, NoError, NonEmptyGroupError
        topic = harness.unique_topic("groups-admin")
        harness.create_topic(self.broker, topic, PARTITIONS)
        group = f"group-{topic}"
        w = self.worker("confluent", self.broker, topic, group)
        self.wait_shared([w], [PARTITIONS])
        values = produce(self.broker, topic, 2, "adm")
        self.wait_read([w], values)

        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        self.addCleanup(admin.close)
        self.assertIn((group, "consumer"), admin.list_consumer_groups())
        [desc] = admin.describe_consumer_groups([group], include_authorized_operations=True)
        self.assertEqual((desc.group, desc.state, desc.protocol_type, desc.protocol),
                         (group, "Stable", "consumer", "range"))
        self.assertEqual(len(desc.members), 1)
        self.assertEqual(desc.members[0].client_host, "/127.0.0.1")
        offsets = admin.list_consumer_group_offsets(group)
        self.assertEqual({tp.partition: om.offset for tp, om in offsets.items()},
                         {p: 2 for p in range(PARTITIONS)})

        [(_, error)] = admin.delete_consumer_groups([group])
        self.assertIs(error, NonEmptyGroupError)
        self.assertEqual(w.stop(), 0)
        wait_until(lambda: admin.describe_consumer_groups([group])[0].state == "Empty", 30,
                   "the group empty after its member left")
        [(_, error)] = admin.delete_consumer_groups([group])
        self.assertIs(error, NoError)
        [(_, error)] = admin.delete_consumer_groups([group])
        self.assertIs(error, GroupIdNotFoundError)
        self.assertEqual(admin.list_consumer_group_offsets(group), {})
        self.assertEqual(committed(self.broker, group, topic, partitions=[0])[0], -1001)

    def stabilized(self, group):
        """The generations the broker log says the group stabilized."""
        return re.findall(rf"group {re.escape(group)}: stabilized generation (\d+)",
                          self.broker.log_text())


class CoordinatorFailoverTest(GroupTestCase):
    def test_offsets_survive_a_restart_of_the_single_broker(self):
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        broker = self.start_broker(zk, broker_id=21, props=GROUP_PROPS)
        topic = harness.unique_topic("groups-restart")
        harness.create_topic(broker, topic, PARTITIONS)
        group = "restart-group"
        offsets = {p: 10 + p for p in range(PARTITIONS)}
        commit(broker, group, topic, offsets)
        self.assertEqual(committed(broker, group, topic), offsets)
        broker.stop()
        broker.restart()
        self.assertEqual(committed(broker, group, topic), offsets)
        self.assertIn("loaded 1 groups", broker.log_text(since_start=True))

    def test_existing_offsets_topic_partition_count_wins_over_config(self):
        """A broker restarted with another offsets.topic.num.partitions keeps hashing groups
        over the partitions __consumer_offsets has (Kafka's
        getGroupMetadataTopicPartitionCount): the group's offsets are still found."""
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        broker = self.start_broker(zk, broker_id=22, props=GROUP_PROPS)  # 3 partitions
        topic = harness.unique_topic("groups-count")
        harness.create_topic(broker, topic, PARTITIONS)
        # A group that 5 partitions would place on one that does not exist.
        group = next(g for g in (f"count-group-{i}" for i in range(100))
                     if java_hash_abs(g) % 5 >= 3)
        offsets = {p: 20 + p for p in range(PARTITIONS)}
        commit(broker, group, topic, offsets)
        broker.stop()
        broker.props["offsets.topic.num.partitions"] = "5"
        broker.restart()
        self.assertEqual(committed(broker, group, topic, timeout=30), offsets)
        zkc = zk.client(broker.chroot)
        self.addCleanup(zkc.close)
        self.addCleanup(zkc.stop)
        assignment = json.loads(zkc.get("/brokers/topics/__consumer_offsets")[0])
        self.assertEqual(len(assignment["partitions"]), 3)

    def test_offsets_survive_kill_9_of_the_coordinator(self):
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        props = dict(GROUP_PROPS, **{"offsets.topic.replication.factor": "3",
                                     "default.replication.factor": "3"})
        b1 = self.start_broker(zk, broker_id=31, props=props)
        others = []
        for broker_id in (32, 33):
            b = harness.Broker(zk, broker_id=broker_id, chroot=b1.chroot, props=props)
            self.addCleanup(b.cleanup)
            b.start(wait=False)
            others.append(b)
        brokers = [b1] + others
        admin = harness.confluent_admin(b1)
        wait_until(lambda: len(admin.list_topics(timeout=5).brokers) == 3, 60, "three brokers")

        from confluent_kafka.admin import NewTopic
        topic = harness.unique_topic("groups-failover")
        admin.create_topics([NewTopic(topic, PARTITIONS, 3)])[topic].result(30)
        group = "failover-group"
        offsets = {p: 100 + p for p in range(PARTITIONS)}
        commit(b1, group, topic, offsets)
        self.assertEqual(committed(b1, group, topic), offsets)

        partition = java_hash_abs(group) % 3
        md = admin.list_topics(topic="__consumer_offsets", timeout=10)
        state = md.topics["__consumer_offsets"].partitions[partition]
        self.assertEqual(sorted(state.isrs), [31, 32, 33])
        coordinator = next(b for b in brokers if b.broker_id == state.leader)
        survivor = next(b for b in brokers if b is not coordinator)
        coordinator.kill9()

        self.assertEqual(committed(survivor, group, topic, timeout=90), offsets)
        # The group works on with the new coordinator.
        commit(survivor, group, topic, {0: 500})
        self.assertEqual(committed(survivor, group, topic, partitions=[0])[0], 500)


if __name__ == "__main__":
    import unittest
    unittest.main()
