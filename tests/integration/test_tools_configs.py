"""scripts/samsa-configs.sh (topics and brokers), samsa-log-dirs.sh and samsa-delete-records.sh
against three real brokers (one cluster for the module), each compared with what the cluster
holds:

- a topic's retention.ms set with samsa-configs.sh is in /config/topics/<t> (kazoo), --describe
  prints exactly the overrides ZooKeeper holds, and the topic's closed segments go from every
  replica's directory on disk (retention checks run every 300 ms here); --delete-config takes it
  out of ZooKeeper again;
- message.max.bytes set per broker (/config/brokers/1) and as the cluster default
  (/config/brokers/<default>) makes a real producer's bigger record be refused by the leader,
  and deleting them lets it through again;
- the sizes samsa-log-dirs.sh prints are the sizes of the partition directories' .log files;
- the low watermarks samsa-delete-records.sh prints are what ListOffsets (confluent-kafka's
  get_watermark_offsets) answers afterwards, and a consumer from the beginning starts there."""

import json
import os
import subprocess
import tempfile

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

import harness
import replication_verifier
from harness import wait_until

SCRIPTS = os.path.join(harness.ROOT, "scripts")
SEGMENT_BYTES = "2048"


def log_files(broker, topic, partition):
    """{base offset: size} of the partition's .log files in the broker's data directory."""
    d = os.path.join(broker.data_dir, f"{topic}-{partition}")
    if not os.path.isdir(d):
        return {}
    return {int(n[:20]): os.path.getsize(os.path.join(d, n))
            for n in os.listdir(d) if n.endswith(".log")}


class ToolsConfigsTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cluster = replication_verifier.Cluster(props={
            "log.retention.check.interval.ms": "300",
            "log.segment.delete.delay.ms": "0",
            "auto.leader.rebalance.enable": "false"})
        cls.addClassCleanup(cls.cluster.cleanup)
        cls.brokers = {b.broker_id: b for b in cls.cluster.brokers}
        cls.zkc = cls.cluster.zk_client()
        cls.addClassCleanup(cls.zkc.close)
        cls.addClassCleanup(cls.zkc.stop)
        wait_until(lambda: cls.cluster.controller() is not None, 30, "a controller")

    # ---- helpers ----------------------------------------------------------------------------

    def tool(self, script, *args, rc=0):
        """Runs scripts/<script> --bootstrap-server <cluster> args; returns (stdout, stderr)."""
        p = subprocess.run([os.path.join(SCRIPTS, script), "--bootstrap-server",
                            self.cluster.bootstrap, *args], capture_output=True, timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, rc, f"{script} {' '.join(args)}:\n{out}\n{err}")
        return out, err

    def configs(self, *args, rc=0):
        return self.tool("samsa-configs.sh", *args, rc=rc)

    def znode_config(self, path):
        if not self.zkc.exists(path):
            return {}
        return json.loads(self.zkc.get(path)[0])["config"]

    def describe_entries(self, out):
        """--describe's entry lines as {name: (value, the whole line)}."""
        entries = {}
        for line in out.splitlines()[1:]:
            self.assertTrue(line.startswith("  "), line)
            name, rest = line[2:].split("=", 1)
            entries[name] = (rest.split(" sensitive=")[0], line)
        return entries

    def create(self, prefix, partitions, config=None, assignment=None):
        topic = harness.unique_topic(prefix)
        if assignment is None:
            self.cluster.create_topic(topic, partitions, 3, config=config)
            return topic
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        admin.create_topics([NewTopic(topic, len(assignment), replica_assignment=assignment,
                                      config=config or {})])[topic].result(timeout=30)
        wait_until(lambda: self.cluster.full_isr(topic, partitions, len(assignment[0])), 30,
                   f"{topic} led")
        return topic

    def produce(self, topic, partitions, count, size=200):
        p = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all",
                      "linger.ms": 0, "batch.num.messages": 4})
        for i in range(count):
            p.produce(topic, value=b"x" * size, key=str(i).encode(), partition=i % partitions)
        self.assertEqual(p.flush(30), 0)

    def produce_error(self, topic, size):
        """Produces one record of `size` bytes; returns the delivery error code, or None."""
        p = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all",
                      "linger.ms": 0, "retries": 0, "message.timeout.ms": 10000})
        errors = []
        p.produce(topic, value=b"y" * size, partition=0,
                  on_delivery=lambda err, msg: errors.append(err))
        self.assertEqual(p.flush(15), 0)
        return errors[0].code() if errors[0] is not None else None

    def offsets_file(self, partitions):
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        self.addCleanup(os.unlink, f.name)
        json.dump({"partitions": partitions, "version": 1}, f)
        f.close()
        return f.name

    # ---- topics -----------------------------------------------------------------------------

    def test_topic_retention_is_applied_live(self):
        topic = self.create("retention", 1, config={"segment.bytes": SEGMENT_BYTES})
        self.produce(topic, 1, 60)
        # Every replica has closed segments once the followers caught up.
        wait_until(lambda: all(len(log_files(b, topic, 0)) >= 3 for b in self.brokers.values()),
                   30, f"{topic}: closed segments on every replica")
        # The closed segments: all but each replica's newest (active) one.
        closed = {i: set(log_files(b, topic, 0)) - {max(log_files(b, topic, 0))}
                  for i, b in self.brokers.items()}

        out, _ = self.configs("--alter", "--entity-type", "topics", "--entity-name", topic,
                              "--add-config", "retention.ms=1000")
        self.assertEqual(out, f"Completed updating config for topic {topic}.\n")
        zk_config = self.znode_config(f"/config/topics/{topic}")
        self.assertEqual(zk_config, {"segment.bytes": SEGMENT_BYTES, "retention.ms": "1000"})

        out, _ = self.configs("--describe", "--entity-type", "topics", "--entity-name", topic)
        self.assertEqual(out.splitlines()[0], f"Dynamic configs for topic {topic} are:")
        entries = self.describe_entries(out)
        self.assertEqual({k: v for k, (v, _) in entries.items()}, zk_config)
        # No broker level sets log.retention.ms here, so (as in Kafka) no broker synonym.
        self.assertEqual(entries["retention.ms"][1], "  retention.ms=1000 sensitive=false "
                         "synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}")
        # --topic is the same entity.
        self.assertEqual(self.configs("--describe", "--topic", topic)[0], out)

        # The closed segments go on every replica (Kafka also rolls and deletes the active one
        # once the high watermark covers it, so only newer segments may be left).
        for i, b in self.brokers.items():
            wait_until(lambda i=i, b=b: not closed[i] & set(log_files(b, topic, 0)), 30,
                       f"{topic}: closed segments {sorted(closed[i])} deleted on broker {i}")
            self.assertTrue(log_files(b, topic, 0))
            self.assertGreater(min(log_files(b, topic, 0)), max(closed[i]))

        out, _ = self.configs("--alter", "--topic", topic, "--delete-config", "retention.ms")
        self.assertEqual(out, f"Completed updating config for topic {topic}.\n")
        self.assertEqual(self.znode_config(f"/config/topics/{topic}"),
                         {"segment.bytes": SEGMENT_BYTES})
        self.assertNotIn("retention.ms", self.describe_entries(
            self.configs("--describe", "--topic", topic)[0]))
        # Deleting what the topic does not have: Kafka's message, nothing sent.
        _, err = self.configs("--alter", "--topic", topic, "--delete-config", "retention.ms",
                              rc=1)
        self.assertEqual(err, "Invalid config(s): retention.ms\n")

    def test_add_config_file_and_bracketed_lists(self):
        topic = self.create("file", 1)
        with tempfile.NamedTemporaryFile("w", suffix=".properties", delete=False) as f:
            f.write("# topic overrides\nmax.message.bytes=500000\nretention.bytes = 1048576\n")
        self.addCleanup(os.unlink, f.name)
        self.configs("--alter", "--topic", topic, "--add-config-file", f.name)
        self.configs("--alter", "--topic", topic, "--add-config", "cleanup.policy=[compact,delete]")
        self.assertEqual(self.znode_config(f"/config/topics/{topic}"),
                         {"max.message.bytes": "500000", "retention.bytes": "1048576",
                          "cleanup.policy": "compact,delete"})
        # --all lists every config of the topic, the overrides among them.
        out, _ = self.configs("--describe", "--all", "--topic", topic)
        self.assertEqual(out.splitlines()[0], f"All configs for topic {topic} are:")
        entries = self.describe_entries(out)
        self.assertEqual(entries["cleanup.policy"][0], "compact,delete")
        self.assertIn("segment.bytes", entries)
        self.assertIn("synonyms={DEFAULT_CONFIG:log.segment.bytes=", entries["segment.bytes"][1])

        # A value the broker refuses changes nothing in ZooKeeper; the failure is Kafka's.
        before = self.znode_config(f"/config/topics/{topic}")
        _, err = self.configs("--alter", "--topic", topic, "--add-config", "retention.ms=soon",
                              rc=1)
        self.assertTrue(err.startswith("Error while executing config command with args '"), err)
        self.assertIn("org.apache.kafka.common.errors.", err)
        self.assertEqual(self.znode_config(f"/config/topics/{topic}"), before)
        _, err = self.configs("--describe", "--topic", "no-such-topic", rc=1)
        self.assertIn("org.apache.kafka.common.errors.UnknownTopicOrPartitionException", err)

    # ---- brokers ----------------------------------------------------------------------------

    def test_broker_and_default_message_max_bytes(self):
        on1 = self.create("mmb1", 1, assignment=[[1]])
        on2 = self.create("mmb2", 1, assignment=[[2]])
        too_large = KafkaError.MSG_SIZE_TOO_LARGE
        self.assertIsNone(self.produce_error(on1, 6000))

        out, _ = self.configs("--alter", "--entity-type", "brokers", "--entity-name", "1",
                              "--add-config", "message.max.bytes=3000")
        self.assertEqual(out, "Completed updating config for broker 1.\n")
        self.assertEqual(self.znode_config("/config/brokers/1"), {"message.max.bytes": "3000"})
        out, _ = self.configs("--describe", "--entity-type", "brokers", "--entity-name", "1")
        self.assertEqual(out.splitlines()[0], "Dynamic configs for broker 1 are:")
        self.assertEqual(list(self.describe_entries(out)), ["message.max.bytes"])
        self.assertEqual(out.splitlines()[1],
                         "  message.max.bytes=3000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:"
                         "message.max.bytes=3000, DEFAULT_CONFIG:message.max.bytes=1048588}")
        self.assertEqual(self.configs("--describe", "--broker", "1")[0], out)
        # Broker 1 refuses the record as soon as it applied the change; broker 2 does not.
        wait_until(lambda: self.produce_error(on1, 6000) == too_large, 30,
                   "broker 1 refuses a record over 3000 bytes")
        self.assertIsNone(self.produce_error(on1, 1000))
        self.assertIsNone(self.produce_error(on2, 6000))

        out, _ = self.configs("--alter", "--entity-type", "brokers", "--entity-default",
                              "--add-config", "message.max.bytes=4000")
        self.assertEqual(out, "Completed updating default config for brokers in the cluster.\n")
        self.assertEqual(self.znode_config("/config/brokers/<default>"),
                         {"message.max.bytes": "4000"})
        out, _ = self.configs("--describe", "--entity-type", "brokers", "--entity-default")
        # Whichever broker answers, only the default's own level (Kafka's ConfigHelper).
        self.assertEqual(out, "Default configs for brokers in the cluster are:\n"
                              "  message.max.bytes=4000 sensitive=false synonyms="
                              "{DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=4000}\n")
        self.assertEqual(self.configs("--describe", "--broker-defaults")[0], out)
        wait_until(lambda: self.produce_error(on2, 6000) == too_large, 30,
                   "broker 2 refuses a record over the cluster default")
        # Broker 1 keeps its own, lower, value: the per-broker level wins.
        self.assertEqual(self.produce_error(on1, 3500), too_large)
        out, _ = self.configs("--describe", "--broker", "1")
        self.assertIn("DYNAMIC_BROKER_CONFIG:message.max.bytes=3000, "
                      "DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=4000", out)

        # With no name --describe covers every broker, then the default.
        out, _ = self.configs("--describe", "--entity-type", "brokers")
        headers = [line for line in out.splitlines() if not line.startswith("  ")]
        self.assertEqual(headers, ["Dynamic configs for broker 1 are:",
                                   "Dynamic configs for broker 2 are:",
                                   "Dynamic configs for broker 3 are:",
                                   "Default configs for brokers in the cluster are:"])

        self.configs("--alter", "--broker", "1", "--delete-config", "message.max.bytes")
        self.configs("--alter", "--broker-defaults", "--delete-config", "message.max.bytes")
        self.assertEqual(self.znode_config("/config/brokers/1"), {})
        self.assertEqual(self.znode_config("/config/brokers/<default>"), {})
        wait_until(lambda: self.produce_error(on1, 6000) is None, 30,
                   "broker 1 takes big records again")
        wait_until(lambda: self.produce_error(on2, 6000) is None, 30,
                   "broker 2 takes big records again")
        _, err = self.configs("--alter", "--broker", "1", "--delete-config", "message.max.bytes",
                              rc=1)
        self.assertEqual(err, "Invalid config(s): message.max.bytes\n")

    # ---- log dirs ---------------------------------------------------------------------------

    def test_log_dirs_sizes_are_the_files_on_disk(self):
        topic = self.create("logdirs", 3, config={"segment.bytes": SEGMENT_BYTES})
        self.produce(topic, 3, 45)

        def disk_size(b, p):
            return sum(log_files(b, topic, p).values())
        # The writes stop when every follower holds what its leader holds.
        wait_until(lambda: all(len({disk_size(b, p) for b in self.brokers.values()}) == 1
                               for p in range(3)), 30, f"{topic}: replicas caught up")

        out, _ = self.tool("samsa-log-dirs.sh", "--describe", "--topic-list", topic)
        lines = out.splitlines()
        self.assertEqual(lines[:2], ["Querying brokers for log directories information",
                                     "Received log directory information from brokers 1,2,3"])
        self.assertEqual(len(lines), 3, out)
        doc = json.loads(lines[2])
        self.assertEqual(doc["version"], 1)
        self.assertEqual([b["broker"] for b in doc["brokers"]], [1, 2, 3])
        for entry in doc["brokers"]:
            broker = self.brokers[entry["broker"]]
            self.assertEqual([d["logDir"] for d in entry["logDirs"]],
                             [os.path.normpath(os.path.abspath(broker.data_dir))])
            d = entry["logDirs"][0]
            self.assertIsNone(d["error"])
            self.assertEqual(d["partitions"], [
                {"partition": f"{topic}-{p}", "size": disk_size(broker, p), "offsetLag": 0,
                 "isFuture": False} for p in range(3)])
            self.assertTrue(all(p["size"] > 0 for p in d["partitions"]))

        # --broker-list picks the brokers; without --topic-list every partition is there.
        out, _ = self.tool("samsa-log-dirs.sh", "--describe", "--broker-list", "2")
        lines = out.splitlines()
        self.assertEqual(lines[1], "Received log directory information from brokers 2")
        doc = json.loads(lines[2])
        self.assertEqual([b["broker"] for b in doc["brokers"]], [2])
        names = {p["partition"] for p in doc["brokers"][0]["logDirs"][0]["partitions"]}
        self.assertTrue({f"{topic}-{p}" for p in range(3)} <= names, names)

    # ---- delete records ---------------------------------------------------------------------

    def test_delete_records_moves_the_low_watermark(self):
        topic = self.create("delrec", 2)
        self.produce(topic, 2, 20)  # 10 records in each partition
        path = self.offsets_file([{"topic": topic, "partition": 0, "offset": 4},
                                  {"topic": topic, "partition": 1, "offset": -1}])
        out, _ = self.tool("samsa-delete-records.sh", "--offset-json-file", path)
        self.assertEqual(out, "Executing records delete operation\n"
                              "Records delete operation completed:\n"
                              f"partition: {topic}-0\tlow_watermark: 4\n"
                              f"partition: {topic}-1\tlow_watermark: 10\n")

        c = Consumer({"bootstrap.servers": self.cluster.bootstrap, "group.id": "tools-configs",
                      "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        self.addCleanup(c.close)
        self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (4, 10))
        self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 1), timeout=10), (10, 10))
        # From the beginning, partition 0 starts at the new low watermark.
        c.assign([TopicPartition(topic, 0, -2)])  # OFFSET_BEGINNING
        got = []
        while len(got) < 6:
            msgs = c.consume(num_messages=10, timeout=10)
            self.assertTrue(msgs, f"records after offset {got[-1] if got else None}")
            got += [m.offset() for m in msgs if m.error() is None]
        self.assertEqual(got, list(range(4, 10)))

        # Beyond the high watermark: the partition's error, as Kafka prints it.
        path = self.offsets_file([{"topic": topic, "partition": 0, "offset": 50}])
        out, _ = self.tool("samsa-delete-records.sh", "--offset-json-file", path)
        self.assertEqual(out.splitlines()[2],
                         f"partition: {topic}-0\terror: org.apache.kafka.common.errors."
                         "OffsetOutOfRangeException: The requested offset is not within the "
                         "range of offsets maintained by the server.")

    # ---- usage ------------------------------------------------------------------------------

    def test_help_and_topics_alter_config(self):
        for script in ("samsa-configs.sh", "samsa-log-dirs.sh", "samsa-delete-records.sh",
                       "samsa-topics.sh"):
            p = subprocess.run([os.path.join(SCRIPTS, script), "--help"], capture_output=True,
                               timeout=30)
            self.assertEqual(p.returncode, 0, script)
            self.assertTrue(p.stdout.decode().startswith("USAGE: "), script)
        p = subprocess.run([os.path.join(SCRIPTS, "samsa-topics.sh"), "--help"],
                           capture_output=True, timeout=30)
        self.assertIn("samsa-configs.sh --alter --entity-type topics", p.stdout.decode())
        # kafka-topics.sh --alter --config with --bootstrap-server: refused, as Kafka 2.8 does.
        _, err = self.tool("samsa-topics.sh", "--alter", "--topic", "t", "--config",
                           "retention.ms=1", rc=1)
        self.assertIn("(the kafka-configs CLI supports altering topic configs with a "
                      "--bootstrap-server option)", err)
