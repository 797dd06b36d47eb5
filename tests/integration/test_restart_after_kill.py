"""A broker restarted right after kill -9 finds /brokers/ids/<id> still held by its previous
process's ZooKeeper session. Kafka refuses to start until that session expires; Samsa waits for
the expiry instead, but only when the registration is provably its own: the same endpoints as
it registers, with their ports bound by the restarted process. A different broker with the same
id (other ports, or another broker's ports advertised but not bound) is refused at once.
Meanwhile the restarted broker holds its port but answers nothing: as Kafka, it serves requests
only once registered.

ZooKeeper runs with a 500 ms tick and the brokers with a 2 s session, so expiry is quick."""

import json
import re
import sys
import time

from confluent_kafka import Producer

import harness
import wire
from harness import Broker

TICK_MS = 500
SESSION_MS = 2000
BROKER_ID = 21


def produce(broker, topic, values):
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    acks = []
    for v in values:
        p.produce(topic, value=v.encode(), partition=0,
                  on_delivery=lambda err, m: acks.append((err, m.offset())))
    p.flush(30)
    assert len(acks) == len(values) and all(e is None for e, _ in acks), acks
    return [o for _, o in acks]


def first_answer_ms(port, timeout=60):
    """Connects (retrying until the port is bound), sends ApiVersions and returns the wall-clock
    time in ms at which the answer arrived."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = wire.connect(port, timeout=timeout)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    with s:
        s.sendall(wire.api_versions_request(1))
        wire.recv_frame(s)
        return time.time() * 1000


class RestartAfterKillTest(harness.IntegrationTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zk = harness.ZooKeeper(tick_ms=TICK_MS).start()
        cls.addClassCleanup(cls.zk.cleanup)

    def setUp(self):
        self.broker = self.start_broker(self.zk, broker_id=BROKER_ID,
                                        props={"zookeeper.session.timeout.ms": SESSION_MS})
        self.zkc = self.zk.client(chroot=self.broker.chroot)
        self.addCleanup(self.zkc.close)
        self.addCleanup(self.zkc.stop)
        self.path = f"/brokers/ids/{BROKER_ID}"

    def impostor(self, **kwargs):
        """A second broker with our id in the same cluster, on its own port and log dir."""
        b = Broker(self.zk, broker_id=BROKER_ID, chroot=self.broker.chroot,
                   props={"zookeeper.session.timeout.ms": SESSION_MS, **kwargs})
        self.addCleanup(b.cleanup)
        return b

    def assert_refused_at_once(self, b, why):
        t0 = time.monotonic()
        b.start(wait=False)
        rc = b.wait_exit(30)
        elapsed = time.monotonic() - t0
        out = b.log_text()
        self.assertNotEqual(rc, 0, out[-2000:])
        self.assertIn("already registered", out)
        self.assertIn(why, out)
        # At once: no wait for the registration to expire, only start-up's own few steps.
        self.assertNotIn("waiting up to", out)
        self.assertLess(elapsed, 10, out[-2000:])
        reg = json.loads(self.zkc.get(self.path)[0])
        self.assertEqual(reg["port"], self.broker.port, "the first broker keeps its registration")
        self.broker.wait_ready(timeout=10)

    def test_restart_right_after_kill9_waits_for_the_stale_registration(self):
        topic = harness.unique_topic("restart")
        harness.create_topic(self.broker, topic, 1)
        self.assertEqual(produce(self.broker, topic, ["a", "b", "c"]), [0, 1, 2])
        old_owner = self.zkc.exists(self.path).ephemeralOwner

        self.broker.kill9()
        killed = time.monotonic()
        self.broker.restart(wait=False)
        self.assertIsNotNone(self.zkc.exists(self.path),
                             "the old registration expired before the restart could find it")
        # As Kafka, requests are served only once the broker has registered: the first answer
        # comes after the new registration's creation (ZooKeeper's clock is this machine's).
        answered_ms = first_answer_ms(self.broker.port, timeout=SESSION_MS / 1000 + 30)
        self.broker.wait_ready(timeout=SESSION_MS / 1000 + 30)
        ready = time.monotonic() - killed

        out = self.broker.log_text(since_start=True)
        m = re.search(rf"found a registration for broker {BROKER_ID} left by a previous session "
                      rf"0x([0-9a-f]+); waiting up to (\d+) ms for it to expire", out)
        self.assertIsNotNone(m, out[-3000:])
        self.assertEqual(int(m.group(1), 16), old_owner)
        self.assertNotIn("fatal error", out)
        new_stat = self.zkc.exists(self.path)
        self.assertNotEqual(new_stat.ephemeralOwner, old_owner)
        self.assertGreaterEqual(answered_ms + 1, new_stat.ctime,
                                "the restarted broker answered before it registered")
        print(f"    restarted broker ready {ready:.1f}s after kill -9 "
              f"(waited up to {m.group(2)} ms)", file=sys.stderr)

        # It serves: the records from before the kill, and new ones after them.
        self.assertEqual(produce(self.broker, topic, ["d"]), [3])
        got = harness.consume_partitions(self.broker, topic, [0])
        self.assertEqual([m.value() for m in got[0]], [b"a", b"b", b"c", b"d"])

    def test_same_id_on_other_ports_is_refused_at_once(self):
        b = self.impostor()
        self.assert_refused_at_once(b, f"is not this broker's: it names PLAINTEXT://127.0.0.1:"
                                       f"{self.broker.port}, ours PLAINTEXT://127.0.0.1:{b.port}")

    def test_same_endpoints_not_bound_by_the_process_are_refused_at_once(self):
        # It advertises exactly the first broker's endpoint, but listens elsewhere: the
        # registration it finds names a port it does not hold, so it is not provably its own.
        b = self.impostor(**{"advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.broker.port}"})
        self.assert_refused_at_once(b, "but this process has not bound their ports")


if __name__ == "__main__":
    import unittest
    unittest.main()
