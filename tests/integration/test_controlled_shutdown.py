"""Controlled shutdown (ControlledShutdown, key 7; controlled.shutdown.enable): on SIGTERM a broker
first asks the controller to move the leadership of its partitions to other in-sync replicas and
to take it out of the ISRs it is in, and stops only then, so clients fail over while it still
answers them. Without it, the controller notices only when the broker's registration vanishes.

Three brokers, one ZooKeeper, a topic with replication factor 3 and 6 partitions (each broker
leads two). Whether leadership moved *before* the broker left is read from ZooKeeper's own
ordering: every change of a state znode has a zxid (mzxid), and so does the deletion of the
broker's ephemeral /brokers/ids/<id> (the pzxid of /brokers/ids, nothing else changes there)."""

import json

import harness
import wire
from harness import wait_until

PARTITIONS = 6


class ControlledShutdownTest(harness.IntegrationTestCase):
    def start_cluster(self, props=None):
        self.zk = harness.ZooKeeper().start()
        self.addCleanup(self.zk.cleanup)
        self.brokers = {1: self.start_broker(self.zk, broker_id=1, props=props)}  # controller
        for i in (2, 3):
            b = harness.Broker(self.zk, broker_id=i, chroot=self.brokers[1].chroot, props=props)
            self.addCleanup(b.cleanup)
            b.start(wait=False)
            self.brokers[i] = b
        self.zkc = self.zk.client(chroot=self.brokers[1].chroot)
        self.addCleanup(self.zkc.stop)
        for b in self.brokers.values():
            wait_until(lambda b=b: "3 brokers" in b.metadata_listing(), 60,
                       f"{b.name} serving metadata that lists three brokers")
        self.topic = self.create_topic()

    def create_topic(self):
        from confluent_kafka.admin import NewTopic
        topic = harness.unique_topic("shutdown")
        admin = harness.confluent_admin(self.brokers[1])
        futures = admin.create_topics([NewTopic(topic, PARTITIONS, 3)], operation_timeout=30)
        futures[topic].result(timeout=30)
        for b in self.brokers.values():
            wait_until(lambda b=b: self.metadata_settled(b, topic, {1, 2, 3}), 30,
                       f"{topic} led and in sync everywhere, as {b.name} sees it")
        return topic

    def metadata_settled(self, broker, topic, live):
        """True when, through `broker`, every partition has a live leader and ISR == live."""
        with wire.connect(broker.port) as s:
            s.sendall(wire.metadata_request(1, [topic], 5))
            _, md = wire.parse_metadata(wire.recv_frame(s), 5)
        error, parts = md["topics"][topic]
        return (error == 0 and len(parts) == PARTITIONS and
                all(e == 0 and leader in live and set(isr) == live
                    for e, leader, _, isr in parts.values()))

    def states(self):
        """{partition: (state JSON, mzxid)}."""
        out = {}
        for p in range(PARTITIONS):
            data, stat = self.zkc.get(f"/brokers/topics/{self.topic}/partitions/{p}/state")
            out[p] = (json.loads(data), stat.mzxid)
        return out

    def controller(self):
        data = self.zkc.exists("/controller") and self.zkc.get("/controller")[0]
        return json.loads(data)["brokerid"] if data else None

    def stop(self, broker_id):
        """SIGTERM; returns the zxid at which its registration vanished."""
        b = self.brokers[broker_id]
        self.assertEqual(b.stop(timeout=60), 0, f"{b.name} exit status")
        gone = self.zkc.exists("/brokers/ids").pzxid
        self.assertIsNone(self.zkc.exists(f"/brokers/ids/{broker_id}"))
        return gone

    def wait_leadership_moved_off(self, victim):
        live = {1, 2, 3} - {victim}
        for i in live:
            wait_until(lambda i=i: self.metadata_settled(self.brokers[i], self.topic, live), 30,
                       f"broker {i}'s metadata without broker {victim}")

    def assert_moved_off(self, victim, before, after):
        for p, (state, _) in after.items():
            self.assertNotEqual(state["leader"], victim, f"partition {p}: {state}")
            self.assertNotIn(victim, state["isr"], f"partition {p}: {state}")
            self.assertEqual(sorted(state["isr"] + [victim]), [1, 2, 3], f"partition {p}")
            if before[p][0]["leader"] != victim:
                self.assertEqual(state["leader"], before[p][0]["leader"], f"partition {p}")
            else:
                self.assertGreater(state["leader_epoch"], before[p][0]["leader_epoch"])

    def test_sigterm_moves_leadership_and_isr_membership_before_the_broker_leaves(self):
        self.start_cluster()
        before = self.states()
        led = [p for p, (s, _) in before.items() if s["leader"] == 2]
        self.assertTrue(led, "broker 2 leads some partitions")

        gone = self.stop(2)
        after = self.states()
        self.assert_moved_off(2, before, after)
        for p, (state, mzxid) in after.items():
            self.assertLess(mzxid, gone, f"partition {p} changed after broker 2 left: {state}")
        log = self.brokers[2].log_text()
        self.assertIn("starting controlled shutdown", log)
        self.assertIn("controlled shutdown succeeded", log)
        self.assertIn("controlled shutdown of broker 2", self.brokers[1].log_text())
        self.wait_leadership_moved_off(2)

    def test_the_controller_moves_its_own_leadership_then_resigns(self):
        self.start_cluster()
        before = self.states()
        self.assertEqual(self.controller(), 1)

        gone = self.stop(1)
        after = self.states()
        self.assert_moved_off(1, before, after)
        for p, (state, mzxid) in after.items():
            self.assertLess(mzxid, gone, f"partition {p} changed after broker 1 left: {state}")
        self.assertIn("controlled shutdown succeeded", self.brokers[1].log_text())
        wait_until(lambda: self.controller() in (2, 3), 30, "a new controller among 2 and 3")
        self.wait_leadership_moved_off(1)
        # The new controller found nothing left to do for broker 1's partitions.
        self.assertEqual(self.states(), after)

    def test_without_controlled_shutdown_the_broker_failure_path_moves_leadership(self):
        self.start_cluster(props={"controlled.shutdown.enable": "false"})
        before = self.states()
        led = [p for p, (s, _) in before.items() if s["leader"] == 2]

        gone = self.stop(2)
        self.wait_leadership_moved_off(2)
        after = self.states()
        self.assert_moved_off(2, before, after)
        for p in led:
            self.assertGreater(after[p][1], gone, f"partition {p} moved after broker 2 left")
        self.assertNotIn("controlled shutdown", self.brokers[2].log_text())

    def test_refused_requests_change_nothing(self):
        self.start_cluster()
        before = self.states()
        epoch = self.zkc.exists("/brokers/ids/2").czxid

        def ask(broker, broker_id, broker_epoch, version):
            with wire.connect(self.brokers[broker].port) as s:
                s.sendall(wire.controlled_shutdown_request(9, broker_id, broker_epoch, version))
                cid, error, remaining = wire.parse_controlled_shutdown(wire.recv_frame(s),
                                                                       version)
            self.assertEqual(cid, 9)
            self.assertEqual(remaining, [])
            return error

        for version in range(4):
            self.assertEqual(ask(1, 99, -1, version), 8, f"BROKER_NOT_AVAILABLE at v{version}")
            self.assertEqual(ask(2, 2, epoch, version), 41, f"NOT_CONTROLLER at v{version}")
        for version in (2, 3):
            self.assertEqual(ask(1, 2, epoch - 1, version), 77,
                             f"STALE_BROKER_EPOCH at v{version}")
        self.assertEqual(self.states(), before)
        for b in self.brokers.values():
            self.assertTrue(self.metadata_settled(b, self.topic, {1, 2, 3}))


if __name__ == "__main__":
    import unittest
    unittest.main()
