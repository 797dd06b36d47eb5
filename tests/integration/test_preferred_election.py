"""Leader elections an operator asks for, or that the controller starts itself (three brokers,
one ZooKeeper): after a broker restarts, auto leader rebalancing
(leader.imbalance.check.interval.seconds) gives it back the partitions whose preferred replica
it is; with rebalancing off, ElectLeaders PREFERRED does (a second one answers
ELECTION_NOT_NEEDED, a broker that is not the controller NOT_CONTROLLER) and so does the
/admin/preferred_replica_election znode, which the controller deletes; and when a partition's
only in-sync replica dies, a topic with unclean.leader.election.enable=true, or ElectLeaders
UNCLEAN, gets an out-of-sync leader."""

import json
import os
import signal

import harness
import replication_verifier
import wire
from harness import SESSION_TIMEOUT_MS, wait_until

NONE, UNKNOWN_TOPIC_OR_PARTITION, NOT_CONTROLLER = 0, 3, 41
PREFERRED_LEADER_NOT_AVAILABLE, ELECTION_NOT_NEEDED = 80, 84
PREFERRED, UNCLEAN = 0, 1


class ElectionTestCase(harness.IntegrationTestCase):
    props = {}

    def setUp(self):
        self.cluster = replication_verifier.Cluster(props={"replica.lag.time.max.ms": "1500",
                                                           **self.props})
        self.addCleanup(self.cluster.cleanup)

    def broker(self, broker_id):
        return next(b for b in self.cluster.brokers if b.broker_id == broker_id)

    def assignment(self, topic):
        zkc = self.cluster.zk_client()
        try:
            data, _ = zkc.get(f"/brokers/topics/{topic}")
            return {int(p): r for p, r in json.loads(data)["partitions"].items()}
        finally:
            zkc.stop()
            zkc.close()

    def leaders(self, topic, partitions):
        return {p: s["leader"] for p, s in self.cluster.partition_states(topic, partitions).items()}

    def preferred_partitions(self, topic, broker_id):
        return [p for p, r in self.assignment(topic).items() if r[0] == broker_id]

    def bounce_preferred_leader(self, topic, partitions):
        """Stops (SIGTERM: controlled shutdown) and restarts a broker that is not the controller
        and is the preferred leader of some partitions; returns it and those partitions, once
        it is back in every ISR while the others still lead them."""
        controller = self.cluster.controller()
        bounced = next(b for b in self.cluster.brokers if b.broker_id != controller and
                       self.preferred_partitions(topic, b.broker_id))
        mine = self.preferred_partitions(topic, bounced.broker_id)
        self.assertEqual({p: l for p, l in self.leaders(topic, partitions).items() if p in mine},
                         {p: bounced.broker_id for p in mine})
        bounced.stop()
        moved = self.leaders(topic, partitions)
        self.assertTrue(all(moved[p] not in (bounced.broker_id, -1) for p in mine), moved)
        bounced.restart(wait=False)  # wait=True waits for it to be the controller
        wait_until(lambda: bounced.broker_id in self.cluster.registered(), 60,
                   f"broker {bounced.broker_id} registered")
        wait_until(lambda: self.cluster.full_isr(topic, partitions), 60,
                   f"broker {bounced.broker_id} back in every ISR")
        return bounced, mine

    def elect(self, broker, partitions, election_type=PREFERRED, version=2):
        frame = wire.elect_leaders_request(7, partitions, election_type, version=version)
        correlation_id, error, results = wire.parse_elect_leaders(
            wire.roundtrip(broker.port, frame, timeout=60), version)
        self.assertEqual(correlation_id, 7)
        self.assertIn(error, (None, NONE))
        return results

    def controller_broker(self):
        return self.broker(self.cluster.controller())


class AutoLeaderRebalanceTest(ElectionTestCase):
    props = {"leader.imbalance.check.interval.seconds": "5"}

    def test_restarted_broker_gets_its_preferred_partitions_back(self):
        topic, partitions = "rebalanced", 6
        self.cluster.create_topic(topic, partitions)
        bounced, mine = self.bounce_preferred_leader(topic, partitions)
        # One check every 5 s: the imbalance (every partition of its own) is above 10%.
        wait_until(lambda: all(self.leaders(topic, partitions)[p] == bounced.broker_id
                               for p in mine), 30,
                   f"broker {bounced.broker_id} leading {mine} again")
        self.assertTrue(self.cluster.full_isr(topic, partitions))


class ElectLeadersTest(ElectionTestCase):
    props = {"auto.leader.rebalance.enable": "false"}

    def test_elect_leaders_preferred_and_the_znode_move_leadership_back(self):
        topic, partitions = "elected", 6
        self.cluster.create_topic(topic, partitions)
        bounced, mine = self.bounce_preferred_leader(topic, partitions)
        controller = self.controller_broker()
        other = next(b for b in self.cluster.brokers if b is not controller)
        # Nobody rebalances on their own.
        self.assertTrue(all(self.leaders(topic, partitions)[p] != bounced.broker_id
                            for p in mine))

        # A broker that is not the controller does not elect.
        results = self.elect(other, {topic: mine}, version=1)
        self.assertEqual(results, {(topic, p): (NOT_CONTROLLER, None) for p in mine})

        results = self.elect(controller, {topic: mine, "no-such-topic": [0]})
        self.assertEqual({k: e for k, (e, _) in results.items()},
                         {**{(topic, p): NONE for p in mine},
                          ("no-such-topic", 0): UNKNOWN_TOPIC_OR_PARTITION})
        # NONE comes once this broker's metadata names the new leader; ZooKeeper has it too.
        leaders = self.leaders(topic, partitions)
        self.assertEqual({p: leaders[p] for p in mine}, {p: bounced.broker_id for p in mine})
        self.assertTrue(self.cluster.full_isr(topic, partitions))

        results = self.elect(controller, {topic: mine}, version=0)
        self.assertEqual({k: e for k, (e, _) in results.items()},
                         {(topic, p): ELECTION_NOT_NEEDED for p in mine})
        # Every partition (null): the ones not needing an election are left out.
        self.assertEqual(self.elect(controller, None), {})

        # The same through /admin/preferred_replica_election, with another broker.
        bounced, mine = self.bounce_preferred_leader(topic, partitions)
        zkc = self.cluster.zk_client()
        try:
            zkc.create("/admin/preferred_replica_election", json.dumps(
                {"version": 1,
                 "partitions": [{"topic": topic, "partition": p} for p in mine]}).encode())
            wait_until(lambda: all(self.leaders(topic, partitions)[p] == bounced.broker_id
                                   for p in mine), 30,
                       f"broker {bounced.broker_id} leading {mine} again")
            wait_until(lambda: zkc.exists("/admin/preferred_replica_election") is None, 30,
                       "the election znode deleted")
        finally:
            zkc.stop()
            zkc.close()


class UncleanElectionTest(ElectionTestCase):
    props = {"auto.leader.rebalance.enable": "false"}

    def create(self, topic, replicas, config=None):
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        futures = admin.create_topics(
            [NewTopic(topic, 1, replica_assignment=[replicas], config=config or {})],
            operation_timeout=60)
        futures[topic].result(timeout=60)
        wait_until(lambda: self.cluster.full_isr(topic, 1), 60, f"{topic}: full ISR")

    def test_a_dead_sole_in_sync_replica_is_replaced_by_an_out_of_sync_one(self):
        controller = self.cluster.controller()
        leader = next(b for b in self.cluster.brokers if b.broker_id != controller)
        followers = [b for b in self.cluster.brokers if b is not leader]
        replicas = [leader.broker_id] + [f.broker_id for f in followers]
        self.create("unclean-topic", replicas, {"unclean.leader.election.enable": "true"})
        self.create("clean-topic", replicas)

        # Freeze the followers past replica.lag.time.max.ms (1.5 s), within the ZooKeeper
        # session (6 s): the leader drops them from both ISRs. Then the leader dies.
        for f in followers:
            os.kill(f.pid, signal.SIGSTOP)
        try:
            wait_until(lambda: all(self.cluster.partition_states(t, 1)[0]["isr"] ==
                                   [leader.broker_id] for t in ("unclean-topic", "clean-topic")),
                       SESSION_TIMEOUT_MS / 1000 - 1, "the ISRs down to the leader")
            leader.kill9()
        finally:
            for f in followers:
                os.kill(f.pid, signal.SIGCONT)

        # The topic that allows it gets the first live replica, as the only ISR member.
        first = followers[0].broker_id
        wait_until(lambda: self.cluster.partition_states("unclean-topic", 1)[0]["leader"] ==
                   first, 30, f"unclean-topic led by {first}")
        self.assertEqual(self.cluster.partition_states("unclean-topic", 1)[0]["isr"][0], first)

        # The other stays leaderless: a clean election has no candidate...
        wait_until(lambda: self.cluster.partition_states("clean-topic", 1)[0]["leader"] == -1,
                   30, "clean-topic leaderless")
        self.assertEqual(self.cluster.partition_states("clean-topic", 1)[0]["isr"],
                         [leader.broker_id])
        wait_until(lambda: self.cluster.controller() is not None, 30, "a controller")
        controller = self.controller_broker()
        results = self.elect(controller, {"clean-topic": [0]}, PREFERRED)
        self.assertEqual(results[("clean-topic", 0)][0], PREFERRED_LEADER_NOT_AVAILABLE)
        # ...until an operator asks for an unclean one.
        results = self.elect(controller, {"clean-topic": [0]}, UNCLEAN)
        self.assertEqual(results, {("clean-topic", 0): (NONE, None)})
        state = self.cluster.partition_states("clean-topic", 1)[0]
        self.assertEqual((state["leader"], state["isr"][0]), (first, first))
        # The partition serves again: the other live replica follows and rejoins the ISR.
        wait_until(lambda: sorted(self.cluster.partition_states("clean-topic", 1)[0]["isr"]) ==
                   sorted(f.broker_id for f in followers), 30, "clean-topic ISR of the live two")
