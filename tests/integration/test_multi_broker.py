"""Several brokers on one ZooKeeper: partitions spread over brokers, clients follow leaders,
the controller moves when its broker dies, partitions come back when their broker returns; and
a broker whose ZooKeeper session expires (it was frozen with SIGSTOP) registers again with a
new epoch and keeps serving.

Replication between brokers is its own issue: topics here have replication factor 1, so a
partition whose only broker is down has no leader until that broker returns."""

import json
import os
import signal

import harness
from harness import SESSION_TIMEOUT_MS, wait_until


def partition_states(zkc, topic, partitions):
    out = {}
    for p in range(partitions):
        data, _ = zkc.get(f"/brokers/topics/{topic}/partitions/{p}/state")
        out[p] = json.loads(data)
    return out


def metadata(broker, topic):
    """{partition: (leader, error or None)} as a client sees it through `broker`."""
    md = harness.confluent_admin(broker).list_topics(topic=topic, timeout=10)
    t = md.topics[topic]
    return {p: (v.leader, v.error) for p, v in t.partitions.items()}, md


def produce(broker, topic, partitions, per_partition, tag):
    """Produces `per_partition` records to each listed partition; returns {p: [offsets]}."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5,
                  "message.timeout.ms": 20000})
    acked = {q: [] for q in partitions}
    errors = []

    def report(err, msg):
        if err:
            errors.append(err)
        else:
            acked[msg.partition()].append(msg.offset())

    for q in partitions:
        for i in range(per_partition):
            p.produce(topic, value=f"{tag}-{q}-{i}".encode(), partition=q, on_delivery=report)
    remaining = p.flush(30)
    assert remaining == 0 and not errors, f"undelivered {remaining}, errors {errors[:3]}"
    return acked


class MultiBrokerTest(harness.IntegrationTestCase):
    def setUp(self):
        self.zk = harness.ZooKeeper().start()
        self.addCleanup(self.zk.cleanup)
        self.b1 = self.start_broker(self.zk, broker_id=1)
        self.b2 = harness.Broker(self.zk, broker_id=2, chroot=self.b1.chroot)
        self.addCleanup(self.b2.cleanup)
        self.b2.start(wait=False)
        self.zkc = self.zk.client(chroot=self.b1.chroot)
        self.addCleanup(self.zkc.stop)
        # Broker 2 is ready when Metadata through it lists both brokers.
        wait_until(lambda: "2 brokers" in self.b2.metadata_listing(), 60,
                   "broker 2 serving metadata that lists both brokers")

    def create_spread_topic(self, partitions=4):
        from confluent_kafka.admin import NewTopic
        topic = harness.unique_topic("multi")
        admin = harness.confluent_admin(self.b1)  # must outlive the future
        futures = admin.create_topics([NewTopic(topic, partitions, 1)], operation_timeout=30)
        futures[topic].result(timeout=30)

        def all_led():
            leaders, _ = metadata(self.b2, topic)
            return len(leaders) == partitions and all(l >= 0 and e is None
                                                      for l, e in leaders.values())

        wait_until(all_led, 30, f"leaders for every partition of {topic}")
        return topic

    def test_partitions_spread_over_brokers_and_clients_follow_leaders(self):
        topic = self.create_spread_topic(4)
        states = partition_states(self.zkc, topic, 4)
        assignment = json.loads(self.zkc.get(f"/brokers/topics/{topic}")[0])["partitions"]
        self.assertEqual({int(p) for p in assignment}, {0, 1, 2, 3})
        # Rack-unaware placement over two brokers alternates: both lead some partitions.
        self.assertEqual({s["leader"] for s in states.values()}, {1, 2})
        for p, s in states.items():
            self.assertEqual(s["leader"], assignment[str(p)][0])
            self.assertEqual(s["isr"], [s["leader"]])
            self.assertEqual(s["leader_epoch"], 0)
        leaders, md = metadata(self.b1, topic)
        self.assertEqual({p: l for p, (l, _) in leaders.items()},
                         {p: s["leader"] for p, s in states.items()})
        self.assertEqual(sorted(md.brokers), [1, 2])

        acked = produce(self.b1, topic, range(4), 50, "a")
        got = harness.consume_partitions(self.b2, topic, range(4))
        for p in range(4):
            self.assertEqual(acked[p], list(range(50)))
            self.assertEqual([m.value().decode() for m in got[p]],
                             [f"a-{p}-{i}" for i in range(50)])
        # Each partition's log lives only on its leader's disk.
        for p, s in states.items():
            owner, other = (self.b1, self.b2) if s["leader"] == 1 else (self.b2, self.b1)
            self.assertTrue(os.path.isdir(os.path.join(owner.data_dir, f"{topic}-{p}")))
            self.assertFalse(os.path.exists(os.path.join(other.data_dir, f"{topic}-{p}")))

    def test_controller_moves_when_its_broker_dies_and_partitions_return_with_it(self):
        topic = self.create_spread_topic(4)
        controller = json.loads(self.zkc.get("/controller")[0])["brokerid"]
        self.assertEqual(controller, 1)
        epoch_before = int(self.zkc.get("/controller_epoch")[0])
        produce(self.b2, topic, range(4), 20, "before")
        states = partition_states(self.zkc, topic, 4)
        on_b1 = [p for p, s in states.items() if s["leader"] == 1]
        on_b2 = [p for p, s in states.items() if s["leader"] == 2]
        self.assertTrue(on_b1 and on_b2)

        self.b1.kill9()

        def controller_is_2():
            data = self.zkc.exists("/controller") and self.zkc.get("/controller")[0]
            return bool(data) and json.loads(data)["brokerid"] == 2

        wait_until(controller_is_2, SESSION_TIMEOUT_MS / 1000 + 20,
                   "broker 2 elected controller after broker 1 died")
        self.assertEqual(int(self.zkc.get("/controller_epoch")[0]), epoch_before + 1)

        def b1_partitions_offline():
            leaders, _ = metadata(self.b2, topic)
            return all(leaders[p][0] == -1 for p in on_b1)

        wait_until(b1_partitions_offline, 30, "broker 1's partitions without a leader")
        after = partition_states(self.zkc, topic, 4)
        for p in on_b1:
            # No other replica: leader -1, the ISR keeps its last member (as Kafka does).
            self.assertEqual(after[p]["leader"], -1)
            self.assertEqual(after[p]["isr"], [1])
        # Broker 2's partitions keep working.
        produce(self.b2, topic, on_b2, 10, "during")

        self.b1.restart(wait=False)

        def b1_partitions_back():
            leaders, _ = metadata(self.b2, topic)
            return all(leaders[p][0] == 1 and leaders[p][1] is None for p in on_b1)

        wait_until(b1_partitions_back, 60, "broker 1's partitions led by broker 1 again")
        back = partition_states(self.zkc, topic, 4)
        for p in on_b1:
            self.assertGreater(back[p]["leader_epoch"], states[p]["leader_epoch"])
            self.assertEqual(back[p]["isr"], [1])
        acked = produce(self.b2, topic, on_b1, 10, "after")
        got = harness.consume_partitions(self.b2, topic, on_b1)
        for p in on_b1:
            self.assertEqual(acked[p], list(range(20, 30)))
            self.assertEqual([m.value().decode() for m in got[p]],
                             [f"before-{p}-{i}" for i in range(20)] +
                             [f"after-{p}-{i}" for i in range(10)])


class SessionExpiryTest(harness.ClusterTestCase):
    """A broker frozen longer than its ZooKeeper session (a GC pause, a stopped VM) loses its
    ephemeral znodes; when it wakes it must register again, with a new broker epoch, and take
    the controllership back, as Kafka's KafkaController does after session expiry."""

    def test_broker_registers_again_after_its_session_expires(self):
        topic = harness.unique_topic("expiry")
        harness.create_topic(self.broker, topic, 1)
        produce(self.broker, topic, [0], 10, "before")
        path = f"/brokers/ids/{self.broker.broker_id}"
        czxid_before = self.zkc.exists(path).czxid

        os.kill(self.broker.pid, signal.SIGSTOP)
        try:
            wait_until(lambda: self.zkc.exists(path) is None, SESSION_TIMEOUT_MS / 1000 + 20,
                       "the frozen broker's registration to expire")
            self.assertIsNone(self.zkc.exists("/controller"))
        finally:
            os.kill(self.broker.pid, signal.SIGCONT)

        wait_until(lambda: self.zkc.exists(path) is not None, 30, "the broker to register again")
        self.assertGreater(self.zkc.exists(path).czxid, czxid_before)
        wait_until(lambda: self.zkc.exists("/controller") is not None, 30,
                   "a controller elected again")
        self.assertEqual(json.loads(self.zkc.get("/controller")[0])["brokerid"],
                         self.broker.broker_id)
        self.broker.wait_ready(30)
        acked = produce(self.broker, topic, [0], 10, "after")
        self.assertEqual(acked[0], list(range(10, 20)))
        got = harness.consume_partitions(self.broker, topic, [0])
        self.assertEqual(len(got[0]), 20)


if __name__ == "__main__":
    import unittest
    unittest.main()
