"""scripts/samsa-topics.sh, samsa-leader-election.sh and samsa-reassign-partitions.sh against
three real brokers (one cluster for the module): what the scripts print is what ZooKeeper
holds (read with kazoo) — --describe shows each partition's leader, ISR and replicas from the
partition state znodes, --create and --alter --partitions change /brokers/topics/<t>,
--delete removes it — and a reassignment that reorders a partition's replicas, then a
preferred leader election, move the leader in ZooKeeper."""

import json
import os
import subprocess
import tempfile

import harness
import replication_verifier
from harness import wait_until

SCRIPTS = os.path.join(harness.ROOT, "scripts")


class ToolsTopicsTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No automatic rebalancing: only the tools move leaders here.
        cls.cluster = replication_verifier.Cluster(
            props={"auto.leader.rebalance.enable": "false"})
        cls.addClassCleanup(cls.cluster.cleanup)
        cls.zkc = cls.cluster.zk_client()
        cls.addClassCleanup(cls.zkc.close)
        cls.addClassCleanup(cls.zkc.stop)
        wait_until(lambda: cls.cluster.controller() is not None, 30, "a controller")

    def tool(self, script, *args, rc=0):
        """Runs scripts/<script> against the cluster; returns (stdout, stderr)."""
        p = subprocess.run([os.path.join(SCRIPTS, script), "--bootstrap-server",
                            self.cluster.bootstrap, *args], capture_output=True, timeout=90)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, rc, f"{script} {' '.join(args)}:\n{out}\n{err}")
        return out, err

    def topics(self, *args, rc=0):
        return self.tool("samsa-topics.sh", *args, rc=rc)[0]

    def assignment(self, topic):
        data, _ = self.zkc.get(f"/brokers/topics/{topic}")
        return {int(p): r for p, r in json.loads(data)["partitions"].items()}

    def states(self, topic):
        return self.cluster.partition_states(topic, len(self.assignment(topic)))

    def expected_describe(self, topic, rf):
        """--describe's lines as ZooKeeper's znodes say they must be. The brokers here set no
        topic config in server.properties, so the Configs column is the topic's own overrides
        (/config/topics/<t>; these tests give a topic at most one, so their order is moot)."""
        assignment, states = self.assignment(topic), self.states(topic)
        overrides = {}
        if self.zkc.exists(f"/config/topics/{topic}"):
            overrides = json.loads(self.zkc.get(f"/config/topics/{topic}")[0])["config"]
        configs = ",".join(f"{k}={v}" for k, v in overrides.items())
        lines = [f"Topic: {topic}\tPartitionCount: {len(assignment)}\tReplicationFactor: {rf}"
                 f"\tConfigs: {configs}"]
        for p in sorted(assignment):
            s = states[p]
            leader = s["leader"] if s["leader"] >= 0 else "none"
            lines.append(f"\tTopic: {topic}\tPartition: {p}\tLeader: {leader}\t"
                         f"Replicas: {','.join(map(str, assignment[p]))}\t"
                         f"Isr: {','.join(map(str, s['isr']))}")
        return "\n".join(lines) + "\n"

    def json_file(self, doc):
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        self.addCleanup(os.unlink, f.name)
        json.dump(doc, f)
        f.close()
        return f.name

    def test_create_list_describe_alter_delete(self):
        topic = harness.unique_topic("tools")
        out = self.topics("--create", "--topic", topic, "--partitions", "3",
                          "--replication-factor", "3", "--config", "retention.ms=3600000")
        self.assertEqual(out, f"Created topic {topic}.\n")
        self.assertEqual(len(self.assignment(topic)), 3)
        data, _ = self.zkc.get(f"/config/topics/{topic}")
        self.assertEqual(json.loads(data)["config"], {"retention.ms": "3600000"})
        wait_until(lambda: self.cluster.full_isr(topic, 3), 60, f"{topic}: full ISR")

        self.assertIn(topic, self.topics("--list").splitlines())
        self.assertEqual(self.topics("--list", "--topic", f"{topic}|no-such"), f"{topic}\n")
        self.assertEqual(self.topics("--describe", "--topic", topic),
                         self.expected_describe(topic, 3))
        self.assertEqual(self.topics("--describe", "--topic", topic,
                                     "--under-replicated-partitions"), "")
        # With an override, --topics-with-overrides prints the topic's line alone.
        self.assertEqual(self.topics("--describe", "--topic", topic, "--topics-with-overrides"),
                         self.expected_describe(topic, 3).splitlines()[0] + "\n")

        # An existing topic: Kafka's error, unless --if-not-exists.
        out = self.topics("--create", "--topic", topic, "--partitions", "1", rc=1)
        self.assertTrue(out.startswith("Error while executing topic command : "), out)
        self.assertIn("already exists", out)
        self.assertEqual(self.topics("--create", "--topic", topic, "--partitions", "1",
                                     "--if-not-exists"), "")

        self.assertEqual(self.topics("--alter", "--topic", topic, "--partitions", "5"), "")
        self.assertEqual(len(self.assignment(topic)), 5)
        wait_until(lambda: self.cluster.full_isr(topic, 5), 60, f"{topic}: 5 partitions led")
        self.assertEqual(self.topics("--describe", "--topic", topic),
                         self.expected_describe(topic, 3))

        self.assertEqual(self.topics("--delete", "--topic", topic), "")
        wait_until(lambda: self.zkc.exists(f"/brokers/topics/{topic}") is None, 60,
                   f"{topic} deleted")
        wait_until(lambda: topic not in self.topics("--list").splitlines(), 30,
                   f"{topic} gone from --list")
        self.assertEqual(self.topics("--delete", "--topic", topic, rc=1),
                         f"Error while executing topic command : Topic '{topic}' does not "
                         "exist as expected\n")
        self.assertEqual(self.topics("--delete", "--topic", topic, "--if-exists"), "")

    def test_reassignment_then_preferred_election_move_the_leader(self):
        topic = harness.unique_topic("moved")
        self.topics("--create", "--topic", topic, "--replica-assignment", "1:2,2:3")
        wait_until(lambda: self.cluster.full_isr(topic, 2, 2), 60, f"{topic}: full ISR")
        self.assertEqual(self.tool("samsa-reassign-partitions.sh", "--list")[0],
                         "No partition reassignments found.\n")

        # --generate proposes a valid plan over the brokers listed, and prints the current one.
        move = self.json_file({"topics": [{"topic": topic}], "version": 1})
        out, _ = self.tool("samsa-reassign-partitions.sh", "--generate",
                           "--topics-to-move-json-file", move, "--broker-list", "1,3")
        current, proposed = out.split("\n\nProposed partition reassignment configuration\n")
        self.assertEqual(json.loads(current.split("\n")[1]), {"version": 1, "partitions": [
            {"topic": topic, "partition": p, "replicas": r, "log_dirs": ["any", "any"]}
            for p, r in ((0, [1, 2]), (1, [2, 3]))]})
        for p in json.loads(proposed)["partitions"]:
            self.assertEqual(sorted(p["replicas"]), [1, 3])

        # Partition 0: [1,2] -> [2,1], the same brokers with 2 preferred. The leader stays 1.
        plan = self.json_file({"version": 1, "partitions": [
            {"topic": topic, "partition": 0, "replicas": [2, 1], "log_dirs": ["any", "any"]}]})
        out, _ = self.tool("samsa-reassign-partitions.sh", "--execute",
                           "--reassignment-json-file", plan)
        self.assertIn("Current partition replica assignment\n\n", out)
        self.assertIn(f'"topic":"{topic}","partition":0,"replicas":[1,2]', out)
        self.assertTrue(out.endswith(f"Successfully started partition reassignment for "
                                     f"{topic}-0\n"), out)
        wait_until(lambda: "is complete" in self.tool(
            "samsa-reassign-partitions.sh", "--verify", "--reassignment-json-file", plan)[0],
            60, "the reassignment complete")
        self.assertEqual(self.assignment(topic)[0], [2, 1])
        self.assertEqual(self.states(topic)[0]["leader"], 1)

        out, _ = self.tool("samsa-leader-election.sh", "--election-type", "preferred",
                           "--topic", topic, "--partition", "0")
        self.assertEqual(out, f"Successfully completed leader election (PREFERRED) for "
                              f"partitions {topic}-0\n")
        self.assertEqual(self.states(topic)[0]["leader"], 2)
        out, _ = self.tool("samsa-leader-election.sh", "--election-type", "preferred",
                           "--topic", topic, "--partition", "0")
        self.assertEqual(out, f"Valid replica already elected for partitions {topic}-0\n")
        self.assertEqual(self.topics("--describe", "--topic", topic),
                         self.expected_describe(topic, 2))

    def test_replicas_move_to_another_broker(self):
        topic = harness.unique_topic("shifted")
        self.topics("--create", "--topic", topic, "--replica-assignment", "1:2")
        wait_until(lambda: self.cluster.full_isr(topic, 1, 2), 60, f"{topic}: full ISR")
        plan = self.json_file({"version": 1, "partitions": [
            {"topic": topic, "partition": 0, "replicas": [3, 2]}]})
        self.tool("samsa-reassign-partitions.sh", "--execute", "--reassignment-json-file", plan)
        wait_until(lambda: self.assignment(topic)[0] == [3, 2], 60, "ZooKeeper naming [3,2]")
        wait_until(lambda: sorted(self.states(topic)[0]["isr"]) == [2, 3], 60, "ISR of 2 and 3")
        out, _ = self.tool("samsa-reassign-partitions.sh", "--verify",
                           "--reassignment-json-file", plan)
        self.assertEqual(out, f"Status of partition reassignment:\n"
                              f"Reassignment of partition {topic}-0 is complete.\n")
        # A broker that does not exist is refused before anything is sent.
        bad = self.json_file({"version": 1, "partitions": [
            {"topic": topic, "partition": 0, "replicas": [3, 9]}]})
        out, _ = self.tool("samsa-reassign-partitions.sh", "--execute",
                           "--reassignment-json-file", bad, rc=1)
        self.assertEqual(out, "Error: Unknown broker id 9\n")
