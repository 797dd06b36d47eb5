"""Brokers on a three-member ZooKeeper ensemble: losing one member (a minority) changes nothing
for clients; losing the majority stops what needs ZooKeeper (leader changes, new topics) but
not produce and fetch on the existing leaders; and when the majority is back the cluster works
as before, without any broker having re-registered."""

import time

import harness
import replication_verifier
import zk_ensemble
from harness import wait_until


class ZooKeeperEnsembleTest(harness.IntegrationTestCase):
    def setUp(self):
        self.ensemble = zk_ensemble.Ensemble(3).start()
        self.addCleanup(self.ensemble.cleanup)
        self.cluster = replication_verifier.Cluster(zk=self.ensemble)
        self.addCleanup(self.cluster.cleanup)

    def acked(self, producer):
        return sum(len(v) for v in producer.acked.values())

    def assert_acks_flow(self, producer, seconds, what):
        before = self.acked(producer)
        time.sleep(seconds)
        after = self.acked(producer)
        self.assertGreater(after - before, seconds * 100, f"acks=all writes stalled {what}")
        self.assertEqual(producer.failed, [])

    def registration_epochs(self):
        zkc = self.cluster.zk_client()
        try:
            return {i: zkc.exists(f"/brokers/ids/{i}").czxid
                    for i in zkc.get_children("/brokers/ids")}
        finally:
            zkc.stop()
            zkc.close()

    def test_minority_and_majority_outages(self):
        topic, partitions = "ensemble", 3
        self.cluster.create_topic(topic, partitions, config={"min.insync.replicas": "2"})
        leaders = {p: s["leader"] for p, s in
                   self.cluster.partition_states(topic, partitions).items()}
        epochs = self.registration_epochs()
        producer = replication_verifier.SequenceProducer(self.cluster.bootstrap, topic,
                                                         partitions, rate=400)
        producer.start()
        try:
            self.assert_acks_flow(producer, 3, "before any outage")

            one = self.ensemble.members[0]
            one.stop()
            self.assert_acks_flow(producer, 5, "with one ZooKeeper member down")
            self.ensemble.start_member(one)
            self.ensemble.wait_serving(60, 3)

            two = self.ensemble.members[1:]
            for m in two:
                m.stop()
            # No quorum: no ZooKeeper reads or writes, so no leader changes, yet the leaders
            # keep taking and replicating writes.
            self.assert_acks_flow(producer, 10, "without a ZooKeeper quorum")
            for m in two:
                self.ensemble.start_member(m)
            self.ensemble.wait_serving(90, 3)
            self.assert_acks_flow(producer, 3, "after the quorum returned")
        finally:
            remaining = producer.finish()
        self.assertEqual(remaining, 0)
        # Sessions survived (a new quorum renews them): nobody registered again, nothing moved.
        self.assertEqual(self.registration_epochs(), epochs)
        self.assertEqual({p: s["leader"] for p, s in
                          self.cluster.partition_states(topic, partitions).items()}, leaders)
        # The controller works again: a new topic gets leaders.
        self.cluster.create_topic("after", 2)
        read, _ = replication_verifier.read_all(self.cluster, topic, partitions)
        counts, problems = replication_verifier.check(producer, read, partitions)
        self.assertEqual(problems, [])
        self.assertEqual(counts["lost"], 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
