"""Partition reassignment (KIP-455) on three brokers and one ZooKeeper: AlterPartitionReassignments
moves a partition of an RF-2 topic ([a,b] -> [b,c]) and one of an RF-1 topic ([a] -> [c]) while
acks=all producers keep producing: nothing acknowledged is lost, the new replicas are the ISR,
the removed broker's partition directories are deleted, and the topic znodes list the targets
with no adding/removing replicas. The /admin/reassign_partitions znode moves a partition too and
is deleted when done. A move to a frozen (SIGSTOP) broker cannot complete, so
ListPartitionReassignments shows it, and a cancellation (null replicas) puts the original
replicas back; invalid requests get INVALID_REPLICA_ASSIGNMENT. A new controller resumes a move
from the topic znodes, and a topic's deletion waits for its move."""

import json
import os
import signal

import harness
import replication_verifier
import wire
import wire_reassignment
from harness import wait_until

NONE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT = 0, 3, 39
NOT_CONTROLLER, NO_REASSIGNMENT_IN_PROGRESS = 41, 85


class ReassignmentTestCase(harness.IntegrationTestCase):
    def setUp(self):
        # No leader rebalancing: only the moves change leaders. A deleted replica's directory,
        # renamed "<tp>.<id>-delete" at once, goes after log.segment.delete.delay.ms.
        self.cluster = replication_verifier.Cluster(
            props={"auto.leader.rebalance.enable": "false", "log.segment.delete.delay.ms": "500"})
        self.addCleanup(self.cluster.cleanup)

    def broker(self, broker_id):
        return next(b for b in self.cluster.brokers if b.broker_id == broker_id)

    def controller_broker(self):
        wait_until(lambda: self.cluster.controller() is not None, 30, "a controller")
        return self.broker(self.cluster.controller())

    def create(self, topic, replicas):
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})

        def created():
            # Right after start-up the brokers may not know the controller yet.
            futures = admin.create_topics([NewTopic(topic, 1, replica_assignment=[replicas])],
                                          operation_timeout=60)
            try:
                futures[topic].result(timeout=60)
                return True
            except KafkaException as e:
                if e.args[0].code() != KafkaError.NOT_CONTROLLER:
                    raise
                return False
        wait_until(created, 60, f"{topic} created")
        wait_until(lambda: self.cluster.full_isr(topic, 1, len(replicas)), 60,
                   f"{topic}: a leader and a full ISR")

    def topic_znode(self, topic):
        zkc = self.cluster.zk_client()
        try:
            data, _ = zkc.get(f"/brokers/topics/{topic}")
            return json.loads(data)
        finally:
            zkc.stop()
            zkc.close()

    def moved(self, topic, target):
        """The topic znode lists `target` for partition 0 and nothing being added or removed."""
        z = self.topic_znode(topic)
        return (z["partitions"]["0"] == target and not z.get("adding_replicas") and
                not z.get("removing_replicas"))

    def alter(self, broker, targets):
        frame = wire_reassignment.alter_partition_reassignments_request(11, targets)
        correlation_id, top, results = wire_reassignment.parse_alter_partition_reassignments(
            wire.roundtrip(broker.port, frame, timeout=60))
        self.assertEqual(correlation_id, 11)
        return top, results

    def list_reassignments(self, broker, partitions=None):
        frame = wire_reassignment.list_partition_reassignments_request(12, partitions)
        correlation_id, top, ongoing = wire_reassignment.parse_list_partition_reassignments(
            wire.roundtrip(broker.port, frame, timeout=60))
        self.assertEqual(correlation_id, 12)
        return top, ongoing

    def partition_dirs(self, broker, topic):
        """The broker's directories of `topic`-0, live or awaiting deletion."""
        name = f"{topic}-0"
        return [d for d in os.listdir(broker.data_dir)
                if d == name or d.startswith(name + ".")]

    def wait_replica_deleted(self, broker, topic):
        wait_until(lambda: not self.partition_dirs(broker, topic), 60,
                   f"{topic}-0 deleted from broker {broker.broker_id}'s log dir")

    def produce_and_check(self, topic, count):
        """`count` acks=all records, then the topic's whole content as read back."""
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all"})
        for i in range(count):
            p.produce(topic, value=str(i).encode(), partition=0)
        self.assertEqual(p.flush(60), 0)
        read, ends = replication_verifier.read_all(self.cluster, topic, 1)
        return [int(v) for _, v in read[0]]


class AlterPartitionReassignmentsTest(ReassignmentTestCase):
    def test_partitions_move_under_acks_all_producers_without_losing_a_record(self):
        a, b, c = 1, 2, 3
        self.create("rf2", [a, b])
        self.create("rf1", [a])
        producers = {t: replication_verifier.SequenceProducer(self.cluster.bootstrap, t, 1,
                                                              rate=200)
                     for t in ("rf2", "rf1")}
        for p in producers.values():
            p.start()
        try:
            wait_until(lambda: all(len(p.acked[0]) >= 200 for p in producers.values()), 60,
                       "200 records acknowledged on each topic before the moves")
            top, results = self.alter(self.controller_broker(),
                                      {("rf2", 0): [b, c], ("rf1", 0): [c]})
            self.assertEqual(top[0], NONE)
            self.assertEqual(results, {("rf2", 0): (NONE, None), ("rf1", 0): (NONE, None)})
            wait_until(lambda: self.moved("rf2", [b, c]) and self.moved("rf1", [c]), 90,
                       "both topic znodes at their targets")
            # The producers go on against the new leaders.
            acked = {t: len(p.acked[0]) for t, p in producers.items()}
            wait_until(lambda: all(len(p.acked[0]) >= acked[t] + 200
                                   for t, p in producers.items()), 60,
                       "200 more records acknowledged on each topic after the moves")
        finally:
            for p in producers.values():
                self.assertEqual(p.finish(60), 0, "records left unsent")
        for topic, target in (("rf2", [b, c]), ("rf1", [c])):
            producer = producers[topic]
            self.assertEqual(producer.failed, [])
            state = self.cluster.partition_states(topic, 1)[0]
            self.assertIn(state["leader"], target)
            wait_until(lambda: sorted(self.cluster.partition_states(topic, 1)[0]["isr"]) ==
                       sorted(target), 60, f"{topic}: ISR = {target}")
            read, ends = replication_verifier.read_all(self.cluster, topic, 1)
            counts, problems = replication_verifier.check(producer, read, 1)
            self.assertEqual(problems, [], counts)
            self.assertGreaterEqual(counts["acknowledged"], 400)
            for broker_id in target:
                self.assertEqual(self.partition_dirs(self.broker(broker_id), topic),
                                 [f"{topic}-0"])
            self.wait_replica_deleted(self.broker(a), topic)
        # Clients see the new replica lists.
        from confluent_kafka.admin import AdminClient
        metadata = AdminClient({"bootstrap.servers": self.cluster.bootstrap}).list_topics(
            timeout=30)
        self.assertEqual(metadata.topics["rf2"].partitions[0].replicas, [b, c])
        self.assertEqual(metadata.topics["rf1"].partitions[0].replicas, [c])
        self.assertEqual(self.list_reassignments(self.controller_broker()), ((NONE, None), {}))

    def test_a_move_to_a_frozen_broker_is_listed_until_cancelled(self):
        controller = self.controller_broker()
        frozen = next(b for b in self.cluster.brokers if b is not controller)
        a, b = [x.broker_id for x in self.cluster.brokers if x is not frozen]
        other = next(x for x in self.cluster.brokers if x is not controller and x is not frozen)
        self.create("stuck", [a, b])
        self.assertEqual(self.produce_and_check("stuck", 50), list(range(50)))
        t = frozen.broker_id
        # Frozen well within its ZooKeeper session: still live for validation, but it cannot
        # fetch, so it never joins the ISR and the move cannot complete.
        os.kill(frozen.pid, signal.SIGSTOP)
        try:
            top, results = self.alter(controller, {("stuck", 0): [a, t]})
            self.assertEqual((top[0], results), (NONE, {("stuck", 0): (NONE, None)}))
            in_progress = {("stuck", 0): ([a, t, b], [t], [b])}
            self.assertEqual(self.list_reassignments(controller), ((NONE, None), in_progress))
            self.assertEqual(self.list_reassignments(controller, {"stuck": [0], "nope": [0]}),
                             ((NONE, None), in_progress))
            z = self.topic_znode("stuck")
            self.assertEqual((z["partitions"]["0"], z["adding_replicas"]["0"],
                              z["removing_replicas"]["0"]), ([a, t, b], [t], [b]))
            # Metadata shows the full replica set during the move.
            def metadata_replicas():
                _, metadata = wire.parse_metadata(
                    wire.roundtrip(controller.port, wire.metadata_request(13, ["stuck"])))
                return metadata["topics"]["stuck"][1][0][2]
            wait_until(lambda: metadata_replicas() == [a, t, b], 10,
                       "the full replica set in the metadata")
            # Only the controller answers.
            top, ongoing = self.list_reassignments(other)
            self.assertEqual((top[0], ongoing), (NOT_CONTROLLER, {}))
            top, results = self.alter(other, {("stuck", 0): None})
            self.assertEqual((top[0], results), (NOT_CONTROLLER, {}))

            top, results = self.alter(controller, {("stuck", 0): None})
            self.assertEqual((top[0], results), (NONE, {("stuck", 0): (NONE, None)}))
            self.assertEqual(self.list_reassignments(controller), ((NONE, None), {}))
            self.assertTrue(self.moved("stuck", [a, b]), self.topic_znode("stuck"))
            top, results = self.alter(controller, {("stuck", 0): None})
            self.assertEqual(results[("stuck", 0)][0], NO_REASSIGNMENT_IN_PROGRESS)
        finally:
            os.kill(frozen.pid, signal.SIGCONT)
        # The frozen broker, once it runs again, is told to drop what it was about to host.
        self.wait_replica_deleted(frozen, "stuck")
        wait_until(lambda: sorted(self.cluster.partition_states("stuck", 1)[0]["isr"]) ==
                   sorted([a, b]), 60, "stuck: ISR back to the original replicas")
        self.assertEqual(self.produce_and_check("stuck", 50), list(range(50)) * 2)

    def test_invalid_requests_are_refused(self):
        controller = self.controller_broker()
        self.create("valid", [1, 2])
        top, results = self.alter(controller, {
            ("valid", 0): [],
            ("no-such-topic", 0): [1, 2],
            ("no-such-topic", 1): None,
        })
        self.assertEqual(top[0], NONE)
        self.assertEqual({k: e for k, (e, _) in results.items()},
                         {("valid", 0): INVALID_REPLICA_ASSIGNMENT,
                          ("no-such-topic", 0): UNKNOWN_TOPIC_OR_PARTITION,
                          ("no-such-topic", 1): NO_REASSIGNMENT_IN_PROGRESS})
        for bad in ([2, 2], [1, -1], [1, 99]):  # duplicate, negative, not a live broker
            top, results = self.alter(controller, {("valid", 0): bad})
            error, message = results[("valid", 0)]
            self.assertEqual(error, INVALID_REPLICA_ASSIGNMENT, (bad, message))
            self.assertTrue(message)
        self.assertTrue(self.moved("valid", [1, 2]))
        self.assertEqual(self.list_reassignments(controller), ((NONE, None), {}))


class ResumedReassignmentTest(ReassignmentTestCase):
    def freeze_other_than_controller(self):
        """(controller, a broker to freeze, the third broker)."""
        controller = self.controller_broker()
        frozen = next(b for b in self.cluster.brokers if b is not controller)
        other = next(x for x in self.cluster.brokers if x is not controller and x is not frozen)
        return controller, frozen, other

    def test_a_new_controller_resumes_a_move(self):
        controller, frozen, other = self.freeze_other_than_controller()
        c, t, o = controller.broker_id, frozen.broker_id, other.broker_id
        self.create("resumed", [c, o])
        self.assertEqual(self.produce_and_check("resumed", 50), list(range(50)))
        os.kill(frozen.pid, signal.SIGSTOP)
        try:
            top, results = self.alter(controller, {("resumed", 0): [o, t]})
            self.assertEqual((top[0], results), (NONE, {("resumed", 0): (NONE, None)}))
            # The controller goes (controlled shutdown); the next one finds the move in the
            # topic znode.
            controller.stop()
            wait_until(lambda: self.cluster.controller() == o, 30, f"broker {o} controller")
            self.assertEqual(self.topic_znode("resumed")["adding_replicas"], {"0": [t]})
        finally:
            os.kill(frozen.pid, signal.SIGCONT)
        wait_until(lambda: self.moved("resumed", [o, t]), 90, "resumed at [o, t]")
        wait_until(lambda: sorted(self.cluster.partition_states("resumed", 1)[0]["isr"]) ==
                   sorted([o, t]), 60, "resumed: ISR = [o, t]")
        self.assertEqual(self.produce_and_check("resumed", 50), list(range(50)) * 2)

    def test_a_topic_deletion_waits_for_its_move(self):
        controller, frozen, other = self.freeze_other_than_controller()
        c, t, o = controller.broker_id, frozen.broker_id, other.broker_id
        self.create("doomed", [c, o])
        os.kill(frozen.pid, signal.SIGSTOP)
        try:
            top, results = self.alter(controller, {("doomed", 0): [o, t]})
            self.assertEqual((top[0], results), (NONE, {("doomed", 0): (NONE, None)}))
            zkc = self.cluster.zk_client()
            try:
                zkc.create("/admin/delete_topics/doomed")
                wait_until(lambda: "deletion of doomed waits for its partition reassignments"
                           in controller.log_text(), 30, "the deletion held back")
                self.assertIsNotNone(zkc.exists("/brokers/topics/doomed"))
            finally:
                zkc.stop()
                zkc.close()
        finally:
            os.kill(frozen.pid, signal.SIGCONT)
        # Once the move is done, the deletion goes on.
        zkc = self.cluster.zk_client()
        try:
            wait_until(lambda: zkc.exists("/brokers/topics/doomed") is None, 90,
                       "doomed deleted after its move")
        finally:
            zkc.stop()
            zkc.close()
        for b in (controller, frozen, other):
            self.wait_replica_deleted(b, "doomed")


class ZkReassignmentTest(ReassignmentTestCase):
    def test_the_reassign_partitions_znode_moves_a_partition_and_is_deleted(self):
        a, b, c = 1, 2, 3
        self.create("zk-moved", [a, b])
        self.assertEqual(self.produce_and_check("zk-moved", 100), list(range(100)))
        zkc = self.cluster.zk_client()
        try:
            zkc.create("/admin/reassign_partitions", json.dumps(
                {"version": 1, "partitions": [
                    {"topic": "zk-moved", "partition": 0, "replicas": [c, b]}]}).encode())
            wait_until(lambda: self.moved("zk-moved", [c, b]), 90, "zk-moved at [c, b]")
            wait_until(lambda: zkc.exists("/admin/reassign_partitions") is None, 30,
                       "/admin/reassign_partitions deleted")
        finally:
            zkc.stop()
            zkc.close()
        self.wait_replica_deleted(self.broker(a), "zk-moved")
        wait_until(lambda: sorted(self.cluster.partition_states("zk-moved", 1)[0]["isr"]) ==
                   [b, c], 60, "zk-moved: ISR = [b, c]")
        self.assertEqual(self.produce_and_check("zk-moved", 100), list(range(100)) * 2)


if __name__ == "__main__":
    import unittest
    unittest.main()
