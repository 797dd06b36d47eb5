"""The admin APIs for configs, log dirs, records and the cluster, on one shared 3-broker
cluster, with real clients where they have the API (kafka-python 2.0.2's KafkaAdminClient and
confluent-kafka 1.7's AdminClient: DescribeConfigs / AlterConfigs) and raw frames (wire_admin.py)
for the rest (IncrementalAlterConfigs, DeleteRecords, DescribeLogDirs, DescribeCluster), plus
kafkajs 2.2's alterConfigs / describeConfigs / deleteTopicRecords (tests/js/admin_configs.js).

Shown as a user would see it: altering a topic's retention.ms live makes its old segments go; a
cluster-wide dynamic log.retention.ms applies on all three brokers without a restart, and a
per-broker value beats it; dynamic log.cleaner.* settings restart the cleaner, which compacts;
DeleteRecords moves the log start offset, a consumer from the beginning starts there, also after
the broker restarted, and the segments below it go; DescribeConfigs never returns a password.
Retention checks run every 300 ms here."""

import json
import os
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from kafka.admin import ConfigResource as KpConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient

import harness
import replication_verifier
import wire
import wire_admin
from harness import JS_DIR, NODE, run, wait_until

SECRET = "s3cret-keystore-pw"
SEGMENT_BYTES = "2048"
# Kafka's ConfigSource ids on the wire.
DYNAMIC_TOPIC, DYNAMIC_BROKER, DYNAMIC_DEFAULT, STATIC, DEFAULT = 1, 2, 3, 4, 5


def source_id(entry):
    """A confluent ConfigEntry's source as Kafka's id (an int or a ConfigSource member)."""
    return entry.source if isinstance(entry.source, int) else entry.source.value


def log_segments(broker, topic, partition):
    d = os.path.join(broker.data_dir, f"{topic}-{partition}")
    if not os.path.isdir(d):
        return []
    return sorted(int(n[:20]) for n in os.listdir(d) if n.endswith(".log"))


class AdminConfigsTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cluster = replication_verifier.Cluster(props={
            "log.retention.check.interval.ms": "300",
            "log.segment.delete.delay.ms": "0",
            # Never used (no SSL listener): only here to be kept secret by DescribeConfigs.
            "ssl.keystore.password": SECRET})
        cls.addClassCleanup(cls.cluster.cleanup)
        cls.brokers = {b.broker_id: b for b in cls.cluster.brokers}
        cls.admin = AdminClient({"bootstrap.servers": cls.cluster.bootstrap})
        # Every broker answers Metadata with all three and a controller.
        for b in cls.cluster.brokers:
            client = AdminClient({"bootstrap.servers": b.bootstrap})
            wait_until(lambda: len(client.list_topics(timeout=5).brokers) == 3 and
                       client.list_topics(timeout=5).controller_id > 0, 60,
                       f"{b.name} sees the cluster")

    # ---- helpers ----------------------------------------------------------------------------

    def create(self, prefix, partitions, replicas, config):
        topic = harness.unique_topic(prefix)

        def created():
            # A test restarts a broker, which may have been the controller: librdkafka's admin
            # client answers NOT_CONTROLLER from the controller it remembers instead of asking
            # again (Kafka's Java admin client retries), so a fresh client asks the cluster.
            admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
            futures = admin.create_topics([NewTopic(topic, partitions, replicas, config=config)])
            try:
                futures[topic].result(timeout=30)
            except KafkaException as e:
                if e.args[0].code() != KafkaError.NOT_CONTROLLER:
                    raise
                return False
            return True
        wait_until(created, 30, f"{topic} created")

        def leaders():
            t = self.admin.list_topics(topic=topic, timeout=5).topics.get(topic)
            if t is None or t.error is not None or len(t.partitions) != partitions:
                return None
            ls = {p: v.leader for p, v in t.partitions.items()}
            return ls if all(l >= 0 for l in ls.values()) else None

        return topic, wait_until(leaders, 30, f"leaders of {topic}")

    def produce(self, topic, partitions, count):
        p = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all",
                      "linger.ms": 0, "batch.num.messages": 4})
        for i in range(count):
            p.produce(topic, value=b"x" * 200, key=str(i).encode(), partition=i % partitions)
        self.assertEqual(p.flush(30), 0)

    def wire_call(self, broker_id, frame):
        return wire.roundtrip(self.brokers[broker_id].port, frame)

    def describe_v4(self, broker_id, resources):
        return wire_admin.parse_describe_configs_v4(
            self.wire_call(broker_id, wire_admin.describe_configs_request_v4(7, resources)))

    def confluent_describe(self, resource):
        return self.admin.describe_configs([resource])[resource].result(timeout=15)

    def confluent_alter(self, resource):
        self.admin.alter_configs([resource])[resource].result(timeout=15)

    def kp_alter_cluster_default(self, configs):
        kp = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        try:
            resp = kp.alter_configs([KpConfigResource(ConfigResourceType.BROKER, "",
                                                      configs=configs)])
            self.assertEqual([r[0] for r in resp.resources], [0], resp)
        finally:
            kp.close()

    # ---- tests ------------------------------------------------------------------------------

    def test_topic_retention_altered_live_deletes_old_segments(self):
        topic, leaders = self.create("retention", 1, 1, {"segment.bytes": SEGMENT_BYTES})
        leader = self.brokers[leaders[0]]
        self.produce(topic, 1, 60)
        self.assertGreaterEqual(len(log_segments(leader, topic, 0)), 3)

        # kafka-python: DescribeConfigs v2 shows the default, AlterConfigs replaces the config.
        kp = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        self.addCleanup(kp.close)

        def kp_describe():
            resp = kp.describe_configs([KpConfigResource(ConfigResourceType.TOPIC, topic)])[0]
            error, _, _, _, entries = resp.resources[0]
            self.assertEqual(error, 0)
            return {e[0]: (e[1], e[3]) for e in entries}

        self.assertEqual(kp_describe()["retention.ms"], ("604800000", DEFAULT))
        self.assertEqual(kp_describe()["segment.bytes"], (SEGMENT_BYTES, DYNAMIC_TOPIC))
        resp = kp.alter_configs([KpConfigResource(
            ConfigResourceType.TOPIC, topic,
            configs={"segment.bytes": SEGMENT_BYTES, "retention.ms": "1000"})])
        self.assertEqual([r[0] for r in resp.resources], [0])
        self.assertEqual(kp_describe()["retention.ms"], ("1000", DYNAMIC_TOPIC))

        # Live: the records' timestamps pass 1 s, the next retention check deletes them.
        wait_until(lambda: len(log_segments(leader, topic, 0)) == 1, 30,
                   f"old segments of {topic} deleted (left: {log_segments(leader, topic, 0)})")
        low, high = harness.watermarks(leader, topic)
        self.assertEqual(high, 60)
        self.assertEqual(low, log_segments(leader, topic, 0)[0])
        self.assertGreater(low, 0)

    def test_dynamic_broker_retention_applies_on_every_broker(self):
        topic, _ = self.create("broker-retention", 3, 3, {"segment.bytes": SEGMENT_BYTES})
        self.produce(topic, 3, 90)
        every = [(b, p) for b in self.cluster.brokers for p in range(3)]
        wait_until(lambda: all(len(log_segments(b, topic, p)) >= 3 for b, p in every), 30,
                   "every replica has several segments")

        # The cluster default (resource ""): kafka-python, as librdkafka only sends BROKER
        # resources to the broker they name.
        self.addCleanup(self.kp_alter_cluster_default, {})
        self.kp_alter_cluster_default({"log.retention.ms": "1000"})
        wait_until(lambda: all(len(log_segments(b, topic, p)) == 1 for b, p in every), 30,
                   "old segments deleted on all three brokers, without a restart")

        # The topic now reports the cluster default as the source of its retention.
        entry = self.confluent_describe(ConfigResource("topic", topic))["retention.ms"]
        self.assertEqual(entry.value, "1000")
        self.assertEqual(source_id(entry), DYNAMIC_DEFAULT)

        # A per-broker value beats the cluster default (confluent sends it to broker 2).
        self.addCleanup(self.confluent_alter, ConfigResource("broker", "2", set_config={}))
        self.confluent_alter(ConfigResource("broker", "2",
                                            set_config={"log.retention.ms": "3600000"}))
        entry = self.confluent_describe(ConfigResource("broker", "2"))["log.retention.ms"]
        self.assertEqual(entry.value, "3600000")
        self.assertEqual(source_id(entry), DYNAMIC_BROKER)
        self.assertFalse(entry.is_read_only)
        _, configs = self.describe_v4(2, [(wire_admin.TOPIC, topic)])[(wire_admin.TOPIC, topic)]
        value, source, _, _, synonyms = configs["retention.ms"]
        self.assertEqual((value, source), ("3600000", DYNAMIC_BROKER))
        self.assertEqual([s[2] for s in synonyms][:2], [DYNAMIC_BROKER, DYNAMIC_DEFAULT])
        # Read-only broker keys are refused, as Kafka refuses them.
        with self.assertRaises(Exception) as refused:
            self.confluent_alter(ConfigResource("broker", "2", set_config={"broker.id": "9"}))
        self.assertIn("Cannot update these configs dynamically", str(refused.exception))

    def test_dynamic_log_cleaner_configs_restart_the_cleaner(self):
        topic, leaders = self.create("cleaner", 1, 1, {
            "cleanup.policy": "compact", "segment.bytes": SEGMENT_BYTES,
            "min.cleanable.dirty.ratio": "0.01"})
        broker_id = leaders[0]
        leader = self.brokers[broker_id]

        def at_leader(configs):
            return ConfigResource("broker", str(broker_id), set_config=configs)

        # confluent-kafka 1.7 has no incremental_alter_configs: AlterConfigs replaces the
        # broker's whole dynamic config, and {} restores server.properties afterwards.
        self.addCleanup(self.confluent_alter, at_leader({}))
        dynamic = {"log.cleaner.threads": "2",
                   "log.cleaner.io.max.bytes.per.second": "50000000.0",
                   "log.cleaner.backoff.ms": "100"}
        self.confluent_alter(at_leader(dynamic))
        described = self.confluent_describe(ConfigResource("broker", str(broker_id)))
        for key, value in dynamic.items():
            entry = described[key]
            self.assertEqual((entry.value, source_id(entry), entry.is_read_only),
                             (value, DYNAMIC_BROKER, False), key)
        # Applied live: the broker restarted its cleaner threads with the new settings.
        wait_until(lambda: "log cleaner reconfigured: 2 thread(s)" in leader.log_text(), 15,
                   f"{leader.name} restarts its cleaner with 2 threads")

        # Kafka's LogCleaner.validateReconfiguration, against the 2 threads now running.
        for threads, why in (("5", "cannot be increased to more than double the current "
                                   "value 2"),
                             ("0", "Log cleaner threads should be at least 1")):
            with self.assertRaises(KafkaException) as refused:
                self.confluent_alter(at_leader({**dynamic, "log.cleaner.threads": threads}))
            self.assertIn(why, str(refused.exception))

        # The restarted cleaner compacts: five keys written 40 times each over many segments
        # end up once each in the segments below the active one.
        p = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all",
                      "linger.ms": 0, "batch.num.messages": 4})
        for i in range(200):
            p.produce(topic, key=f"k{i % 5}".encode(), value=b"v" * 200, partition=0)
        self.assertEqual(p.flush(30), 0)
        pdir = os.path.join(leader.data_dir, f"{topic}-0")

        def cleaned_keys():
            try:
                keys = []
                for base in log_segments(leader, topic, 0)[:-1]:
                    with open(os.path.join(pdir, f"{base:020d}.log"), "rb") as f:
                        keys += [k for _, k, _, _ in wire.parse_records(f.read())]
            except (FileNotFoundError, ValueError):  # a segment replaced meanwhile
                return None
            return keys if keys and len(keys) == len(set(keys)) else None

        keys = wait_until(cleaned_keys, 30, f"{topic} compacted on disk "
                                            f"(segments {log_segments(leader, topic, 0)})")
        self.assertLessEqual(set(keys), {f"k{i}".encode() for i in range(5)})

        # The cleaner swaps the segments in first and writes its checkpoint after.
        def checkpointed():
            try:
                with open(os.path.join(leader.data_dir, "cleaner-offset-checkpoint")) as f:
                    return f"{topic} 0 " in f.read()
            except FileNotFoundError:
                return False
        wait_until(checkpointed, 15, f"{topic}-0 in {leader.name}'s cleaner-offset-checkpoint")

        # The cluster default reaches every broker's cleaner, and DescribeConfigs names it.
        self.addCleanup(self.kp_alter_cluster_default, {})
        self.kp_alter_cluster_default({"log.cleaner.io.buffer.size": "262144"})
        for b in self.cluster.brokers:
            wait_until(lambda: "io buffer 262144 bytes" in b.log_text(), 15,
                       f"{b.name} restarts its cleaner with the cluster default")
        entry = self.confluent_describe(
            ConfigResource("broker", str(broker_id)))["log.cleaner.io.buffer.size"]
        self.assertEqual((entry.value, source_id(entry)), ("262144", DYNAMIC_DEFAULT))

    def test_delete_records_moves_log_start_also_after_restart(self):
        topic, leaders = self.create("delete-records", 1, 1,
                                     {"segment.bytes": SEGMENT_BYTES, "retention.ms": "-1"})
        leader_id = leaders[0]
        other = next(i for i in self.brokers if i != leader_id)
        self.produce(topic, 1, 100)
        tp = (topic, 0)

        def delete(broker_id, offset):
            payload = self.wire_call(broker_id, wire_admin.delete_records_request(3, {tp: offset}))
            return wire_admin.parse_delete_records(payload)[tp]

        self.assertEqual(delete(leader_id, 1000), (-1, 1))  # OFFSET_OUT_OF_RANGE
        self.assertEqual(delete(other, 40), (-1, 6))  # NOT_LEADER_OR_FOLLOWER
        self.assertEqual(delete(leader_id, 40), (40, 0))
        leader = self.brokers[leader_id]
        self.assertEqual(harness.watermarks(leader, topic), (40, 100))
        self.assertEqual(self.first_offset_from_beginning(topic), 40)
        # Segments wholly below the new start go at the next retention check.
        wait_until(lambda: 0 < log_segments(leader, topic, 0)[0] <= 40, 30,
                   f"segments below offset 40 deleted ({log_segments(leader, topic, 0)})")

        leader.stop()
        leader.restart(wait=False)  # ready = serving the partition again, checked below
        wait_until(lambda: harness.watermarks(leader, topic) == (40, 100), 60,
                   "log start 40 after the restart")
        self.assertEqual(self.first_offset_from_beginning(topic), 40)
        self.assertEqual(delete(leader_id, -1), (100, 0))  # -1: up to the high watermark

    def first_offset_from_beginning(self, topic):
        c = Consumer({"bootstrap.servers": self.cluster.bootstrap, "group.id": "admin-it",
                      "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        try:
            c.assign([TopicPartition(topic, 0, -2)])  # OFFSET_BEGINNING
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is not None and m.error() is None:
                    return m.offset()
            raise AssertionError(f"nothing consumed from {topic}")
        finally:
            c.close()

    def test_incremental_alter_configs_operations_and_errors(self):
        topic, _ = self.create("incremental", 1, 1, {"retention.ms": "-1"})
        res = (wire_admin.TOPIC, topic)

        def alter(configs, validate_only=False, resource=res):
            frame = wire_admin.incremental_alter_configs_request(
                5, [(resource[0], resource[1], configs)], validate_only)
            return wire_admin.parse_alter_configs(self.wire_call(1, frame))[resource]

        def described():
            error, configs = self.describe_v4(3, [res])[res]
            self.assertEqual(error, 0)
            return configs

        self.assertEqual(alter([("cleanup.policy", 2, "compact"),
                                ("retention.ms", 0, "5000")])[0], 0)
        configs = described()
        self.assertEqual(configs["cleanup.policy"][:4], ("delete,compact", DYNAMIC_TOPIC, False, 7))
        self.assertEqual(configs["retention.ms"][:4], ("5000", DYNAMIC_TOPIC, False, 5))
        self.assertEqual(alter([("retention.ms", 0, "1")], validate_only=True)[0], 0)
        self.assertEqual(described()["retention.ms"][0], "5000")
        self.assertEqual(alter([("cleanup.policy", 3, "compact"), ("retention.ms", 1, None)])[0],
                         0)
        configs = described()
        self.assertEqual(configs["cleanup.policy"][:2], ("delete", DYNAMIC_TOPIC))
        self.assertEqual(configs["retention.ms"][:2], ("604800000", DEFAULT))

        self.assertEqual(alter([("retention.ms", 2, "1")])[0], 42)  # APPEND on a LONG
        self.assertEqual(alter([("retention.ms", 0, "abc")])[0], 42)  # INVALID_REQUEST
        self.assertEqual(alter([("no.such.config", 0, "1")])[0], 40)  # INVALID_CONFIG
        missing = (wire_admin.TOPIC, "no-such-topic")
        self.assertEqual(alter([("retention.ms", 0, "1")], resource=missing)[0], 3)
        broker = (wire_admin.BROKER, "")
        error, message = alter([("broker.id", 0, "9")], resource=broker)
        self.assertEqual(error, 42)
        self.assertIn("Cannot update these configs dynamically", message)

    def test_describe_configs_never_returns_a_password(self):
        # confluent (librdkafka, DescribeConfigs v1), kafka-python (v2) and raw v4.
        entries = self.confluent_describe(ConfigResource("broker", "1"))
        password = entries["ssl.keystore.password"]
        self.assertTrue(password.is_sensitive)
        self.assertIsNone(password.value)
        self.assertEqual(entries["broker.id"].value, "1")
        self.assertTrue(entries["broker.id"].is_read_only)
        self.assertNotIn(SECRET, repr({k: (e.value, e.synonyms) for k, e in entries.items()}))

        kp = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        self.addCleanup(kp.close)
        resp = kp.describe_configs([KpConfigResource(ConfigResourceType.BROKER, "1")],
                                   include_synonyms=True)
        self.assertNotIn(SECRET, repr(resp))
        error, configs = self.describe_v4(1, [(wire_admin.BROKER, "1")])[(wire_admin.BROKER, "1")]
        self.assertEqual(error, 0)
        value, source, sensitive, ctype, synonyms = configs["ssl.keystore.password"]
        self.assertEqual((value, source, sensitive, ctype), (None, STATIC, True, 9))
        self.assertTrue(all(s[1] is None for s in synonyms))
        self.assertNotIn(SECRET, repr(configs))

    def test_kafkajs_alter_describe_and_delete_records(self):
        topic, _ = self.create("kafkajs-admin", 1, 3, {"retention.ms": "-1"})
        self.produce(topic, 1, 20)
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        p = run([NODE, os.path.join(JS_DIR, "admin_configs.js"), self.cluster.bootstrap, topic],
                timeout=60, env=env)
        out = json.loads(p.stdout.decode().strip().splitlines()[-1])
        self.assertEqual([(r["errorCode"], r["resourceName"]) for r in out["altered"]["resources"]],
                         [(0, topic)])
        retention = out["retention"]
        self.assertEqual((retention["configValue"], retention["configSource"]),
                         ("86400000", DYNAMIC_TOPIC))
        self.assertEqual([(o["partition"], o["low"], o["high"]) for o in out["offsets"]],
                         [(0, "5", "20")])

    def test_cluster_log_dirs_and_api_versions(self):
        _, cluster_id, controller, brokers, ops = wire_admin.parse_describe_cluster(
            self.wire_call(2, wire_admin.describe_cluster_request(1, True)))
        self.assertEqual(sorted(brokers), [1, 2, 3])
        self.assertEqual(brokers[3][1], self.brokers[3].port)
        self.assertIn(controller, brokers)
        zkc = self.cluster.zk_client()
        self.addCleanup(zkc.close)
        self.addCleanup(zkc.stop)
        self.assertIn(f'"id":"{cluster_id}"', zkc.get("/cluster/id")[0].decode())
        self.assertNotEqual(ops, -2**31)  # asked for: a bit set (everything allowed here)

        topic, leaders = self.create("log-dirs", 2, 1, {"retention.ms": "-1"})
        self.produce(topic, 2, 10)
        for p, leader_id in leaders.items():
            dirs = wire_admin.parse_describe_log_dirs(self.wire_call(
                leader_id, wire_admin.describe_log_dirs_request(2, {topic: [p]})))
            data_dir = os.path.abspath(self.brokers[leader_id].data_dir)
            self.assertEqual(list(dirs), [data_dir])
            error, parts = dirs[data_dir]
            self.assertEqual(error, 0)
            size, lag, future = parts[(topic, p)]
            self.assertEqual(size, sum(os.path.getsize(os.path.join(data_dir, f"{topic}-{p}", n))
                                       for n in os.listdir(os.path.join(data_dir, f"{topic}-{p}"))
                                       if n.endswith(".log")))
            self.assertGreater(size, 0)
            self.assertEqual((lag, future), (0, False))

        _, error, apis = wire.parse_api_versions(
            self.wire_call(1, wire.api_versions_request(9)), 0)
        self.assertEqual(error, 0)
        for key, top in {21: 2, 32: 4, 33: 2, 35: 2, 44: 1, 60: 0}.items():
            self.assertEqual(apis.get(key), (0, top), f"api key {key}")
