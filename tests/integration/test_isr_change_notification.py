"""ISR changes written by partition leaders (the classic path, IBP < 2.7): a leader writes the
new ISR into /brokers/topics/<t>/partitions/<p>/state itself, conditionally on the version it
knows, then leaves a persistent sequential /isr_change_notification/isr_change_<seq>. The
controller, which watches that node's children, re-reads the named state znodes, sends
UpdateMetadata to every broker and deletes the notifications.

Followers do not fetch yet, so no leader shrinks or expands an ISR by itself: the tests write the
state znode and the notification by hand, as a leader would, with kazoo, and read the result back
through a raw Metadata request to each broker."""

import json

import harness
import wire
from harness import wait_until

NOTIFICATIONS = "/isr_change_notification"


def notification(*partitions):
    return json.dumps({"version": 1, "partitions": [
        {"topic": t, "partition": p} for t, p in partitions]}).encode()


def metadata_partitions(broker, topic):
    """{partition: (error, leader, replicas, isr)} from a Metadata v5 request to `broker`."""
    with wire.connect(broker.port) as s:
        s.sendall(wire.metadata_request(1, [topic], 5))
        _, md = wire.parse_metadata(wire.recv_frame(s), 5)
    error, partitions = md["topics"][topic]
    assert error == 0, f"Metadata error {error} for {topic}"
    return partitions


class IsrChangeNotificationTest(harness.IntegrationTestCase):
    """Two brokers on one ZooKeeper; broker 1 is the controller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.zk = harness.ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            cls.b1 = harness.Broker(cls.zk, broker_id=1)
            cls.addClassCleanup(cls.b1.cleanup)
            # A notification left by a leader while no controller was active.
            root = cls.zk.client()
            root.ensure_path(cls.b1.chroot + NOTIFICATIONS)
            root.stop()
            root.close()
            cls.zkc = cls.zk.client(chroot=cls.b1.chroot)
            cls.addClassCleanup(cls.zkc.stop)
            cls.leftover = cls.zkc.create(f"{NOTIFICATIONS}/isr_change_",
                                          notification(("before", 0)), sequence=True)
            cls.b1.start()
            cls.b2 = harness.Broker(cls.zk, broker_id=2, chroot=cls.b1.chroot)
            cls.addClassCleanup(cls.b2.cleanup)
            cls.b2.start(wait=False)
            wait_until(lambda: "2 brokers" in cls.b2.metadata_listing(), 60,
                       "broker 2 serving metadata that lists both brokers")
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    def create_replicated_topic(self, partitions=2):
        from confluent_kafka.admin import NewTopic
        topic = harness.unique_topic("isr")
        admin = harness.confluent_admin(self.b1)
        futures = admin.create_topics([NewTopic(topic, partitions, 2)], operation_timeout=30)
        futures[topic].result(timeout=30)

        def replicated_everywhere():
            for b in (self.b1, self.b2):
                parts = metadata_partitions(b, topic)
                if len(parts) != partitions or any(
                        e != 0 or sorted(isr) != [1, 2] for e, _, _, isr in parts.values()):
                    return False
            return True

        wait_until(replicated_everywhere, 30, f"{topic} led and fully in sync on both brokers")
        return topic

    def write_isr_as_leader(self, topic, partition, isr):
        """What a leader does (ZK-MODE §b "Leader-side ISR write"): the new ISR with the leader
        epoch unchanged, conditional on the state's version, then a notification."""
        path = f"/brokers/topics/{topic}/partitions/{partition}/state"
        data, stat = self.zkc.get(path)
        state = json.loads(data)
        state["isr"] = isr
        self.zkc.set(path, json.dumps(state).encode(), version=stat.version)
        self.zkc.create(f"{NOTIFICATIONS}/isr_change_", notification((topic, partition)),
                        sequence=True)
        return state

    def wait_for_isr_everywhere(self, topic, partition, isr):
        def seen():
            got = {b.broker_id: metadata_partitions(b, topic)[partition][3]
                   for b in (self.b1, self.b2)}
            return all(v == isr for v in got.values()) or got

        wait_until(lambda: seen() is True, 30,
                   f"ISR {isr} of {topic}-{partition} in both brokers' metadata")

    def wait_notifications_deleted(self):
        wait_until(lambda: self.zkc.get_children(NOTIFICATIONS) == [], 30,
                   "the controller to delete the ISR change notifications")

    def test_a_leftover_notification_is_deleted_when_the_controller_takes_over(self):
        self.wait_notifications_deleted()
        self.assertIsNone(self.zkc.exists(self.leftover))

    def test_isr_shrink_and_expansion_reach_every_broker(self):
        topic = self.create_replicated_topic()
        before = {p: metadata_partitions(self.b1, topic)[p] for p in (0, 1)}
        leader = before[0][1]
        follower = 3 - leader

        state = self.write_isr_as_leader(topic, 0, [leader])
        self.wait_for_isr_everywhere(topic, 0, [leader])
        self.wait_notifications_deleted()
        for b in (self.b1, self.b2):
            parts = metadata_partitions(b, topic)
            self.assertEqual(parts[0][1], leader)  # the leader and its epoch stay
            self.assertEqual(parts[1], before[1])  # the other partition is untouched
        after = json.loads(self.zkc.get(f"/brokers/topics/{topic}/partitions/0/state")[0])
        self.assertEqual(after, state)  # the controller only read it

        # The watch is armed again: the follower catching up is announced the same way.
        self.write_isr_as_leader(topic, 0, [leader, follower])
        self.wait_for_isr_everywhere(topic, 0, [leader, follower])
        self.wait_notifications_deleted()

    def test_notifications_naming_unknown_partitions_or_malformed_are_dropped(self):
        topic = self.create_replicated_topic(1)
        leader = metadata_partitions(self.b1, topic)[0][1]
        self.zkc.create(f"{NOTIFICATIONS}/isr_change_", b"{not json", sequence=True)
        self.zkc.create(f"{NOTIFICATIONS}/isr_change_",
                        notification(("no-such-topic", 0), (topic, 7)), sequence=True)
        self.wait_notifications_deleted()
        # The controller carries on: the next real change is propagated.
        self.write_isr_as_leader(topic, 0, [leader])
        self.wait_for_isr_everywhere(topic, 0, [leader])
        self.wait_notifications_deleted()
        self.assertIn("Ignoring malformed ISR change notification", self.b1.log_text())


if __name__ == "__main__":
    import unittest
    unittest.main()
