"""CreatePartitions and rack-aware replica placement on real clusters (one ZooKeeper, three
brokers): kafka-python's and confluent-kafka's admin clients grow a topic from 2 to 5
partitions (RF 2); the topic znode lists the new replicas where Kafka's placement puts them,
the controller writes their state znodes, and a producer and a consumer use the new partitions.
Errors come back as Kafka answers them: INVALID_PARTITIONS (37) for a count that does not grow,
INVALID_REPLICA_ASSIGNMENT (39) for bad manual assignments, UNKNOWN_TOPIC_OR_PARTITION (3),
NOT_CONTROLLER (41) from other brokers, and validate_only changes nothing. The flexible
versions (v2, v3) are checked on the wire. With broker.rack a, b, c every partition's replicas
sit on distinct racks (CreateTopics, auto-creation and CreatePartitions alike), and a
replication factor above the live brokers answers INVALID_REPLICATION_FACTOR (38)."""

import json

import harness
import replication_verifier
import wire
from harness import wait_until

NONE, UNKNOWN_SERVER_ERROR, UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT = 0, -1, 3, 7
INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT = 37, 38, 39
NOT_CONTROLLER, INVALID_REQUEST = 41, 42


# ---- CreatePartitions on the wire (our own encoder, so every version can be sent) -----------

def create_partitions_request(correlation_id, topics, timeout_ms=30000, validate_only=False,
                              version=3):
    """topics: [(name, count, assignments or None)]; assignments: [[broker ids]]."""
    flexible = version >= 2

    def s(text):
        return wire.compact_string(text) if flexible else wire.string(text)

    def array(items):
        return (wire.uvarint(len(items) + 1) if flexible else wire.i32(len(items))) + \
            b"".join(items)

    def null_array():
        return wire.uvarint(0) if flexible else wire.i32(-1)

    tags = wire.uvarint(0) if flexible else b""
    body_topics = []
    for name, count, assignments in topics:
        if assignments is None:
            a = null_array()
        else:
            a = array([array([wire.i32(b) for b in ids]) + tags for ids in assignments])
        body_topics.append(s(name) + wire.i32(count) + a + tags)
    body = array(body_topics) + wire.i32(timeout_ms) + wire.i8(1 if validate_only else 0) + tags
    return wire.request(37, version, correlation_id, body, flexible_header=flexible)


def parse_create_partitions(payload, version=3):
    """Returns (correlation_id, throttle_ms, {topic: (error_code, error_message)})."""
    flexible = version >= 2
    r = wire.Reader(payload)
    correlation_id = r.i32()
    if flexible:
        r.skip_tags()  # response header v1
    throttle = r.i32()

    def string():
        if not flexible:
            return r.string()
        n = r.uvarint() - 1
        if n < 0:
            return None
        text = r.data[r.pos:r.pos + n].decode()
        r.pos += n
        return text

    results = {}
    for _ in range(r.uvarint() - 1 if flexible else r.i32()):
        name = string()
        error = r.i16()
        message = string()
        if flexible:
            r.skip_tags()
        results[name] = (error, message)
    if flexible:
        r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in CreatePartitions v{version}"
    return correlation_id, throttle, results


# ---- Kafka's rack-unaware placement, written again independently ----------------------------

def kafka_layout(brokers, first_partition, count, rf, start):
    """AdminUtils.assignReplicasToBrokers with fixedStartIndex = start and startPartitionId =
    first_partition, brokers sorted by id, no racks."""
    n, shift, out = len(brokers), start, {}
    for p in range(first_partition, first_partition + count):
        if p > 0 and p % n == 0:
            shift += 1
        first = (p + start) % n
        out[p] = [brokers[first]] + [brokers[(first + 1 + (shift + j) % (n - 1)) % n]
                                     for j in range(rf - 1)]
    return out


class PartitionsTestCase(harness.IntegrationTestCase):
    """One 3-broker cluster shared by the tests of a class."""

    racks = None  # broker id -> broker.rack
    props = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        broker_props = {i: {"broker.rack": cls.racks[i]} for i in cls.racks} if cls.racks else {}
        cls.cluster = replication_verifier.Cluster(props=cls.props, broker_props=broker_props)
        # Every broker knows every other (UpdateMetadata after their registration) before a test
        # asks one of them to place replicas.
        for b in cls.cluster.brokers:
            wait_until(lambda b=b: len(cls.metadata_of(b)["brokers"]) == 3, 60,
                       f"broker {b.broker_id} sees 3 brokers")

    @classmethod
    def tearDownClass(cls):
        cls.cluster.cleanup()

    @staticmethod
    def metadata_of(broker, topics=None, auto_create=False):
        frame = wire.metadata_request(1, topics, version=5,
                                      allow_auto_topic_creation=auto_create)
        return wire.parse_metadata(wire.roundtrip(broker.port, frame), 5)[1]

    def controller_broker(self):
        wait_until(lambda: self.cluster.controller() is not None, 30, "a controller")
        return next(b for b in self.cluster.brokers if b.broker_id == self.cluster.controller())

    def other_broker(self):
        controller = self.cluster.controller()
        return next(b for b in self.cluster.brokers if b.broker_id != controller)

    def znode(self, topic):
        zkc = self.cluster.zk_client()
        try:
            data, stat = zkc.get(f"/brokers/topics/{topic}")
            doc = json.loads(data)
            return {int(p): r for p, r in doc["partitions"].items()}, doc, stat.version
        finally:
            zkc.stop()
            zkc.close()

    def create_topic(self, name, partitions, rf):
        """CreateTopics through confluent's admin client, then every ISR full."""
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        futures = admin.create_topics([NewTopic(name, partitions, rf)], operation_timeout=30)
        futures[name].result(timeout=60)
        wait_until(lambda: self.cluster.full_isr(name, partitions, replication_factor=rf), 60,
                   f"{name}: every partition led with a full ISR")

    def send(self, frame_fn, version=3, broker=None):
        broker = broker or self.controller_broker()
        payload = wire.roundtrip(broker.port, frame_fn(version), timeout=60)
        correlation_id, throttle, results = parse_create_partitions(payload, version)
        self.assertEqual(correlation_id, 9)
        self.assertEqual(throttle, 0)
        return results

    def grow(self, topics, version=3, broker=None, **kwargs):
        return self.send(lambda v: create_partitions_request(9, topics, version=v, **kwargs),
                         version, broker)

    def wait_all_led(self, topic, partitions):
        """Every broker's Metadata shows `partitions` partitions of the topic, each led."""
        def led():
            for b in self.cluster.brokers:
                t = self.metadata_of(b, [topic])["topics"].get(topic)
                if t is None or t[0] != NONE or len(t[1]) != partitions or \
                        any(p[1] < 0 for p in t[1].values()):
                    return False
            return True
        wait_until(led, 60, f"{topic}: {partitions} led partitions on every broker")

    def produce_and_consume(self, topic, partitions):
        from confluent_kafka import Producer
        producer = Producer({"bootstrap.servers": self.cluster.bootstrap, "acks": "all"})
        delivered = []
        for p in partitions:
            for i in range(3):
                producer.produce(topic, value=f"{p}-{i}".encode(), partition=p,
                                 on_delivery=lambda err, msg: delivered.append((err, msg)))
        self.assertEqual(producer.flush(60), 0)
        self.assertEqual([e for e, _ in delivered if e is not None], [])
        self.assertEqual(sorted((m.partition(), m.offset()) for _, m in delivered),
                         sorted((p, i) for p in partitions for i in range(3)))
        read = harness.consume_partitions(self.cluster.brokers[0], topic, partitions)
        self.assertEqual({p: [m.value().decode() for m in read[p]] for p in partitions},
                         {p: [f"{p}-{i}" for i in range(3)] for p in partitions})


class CreatePartitionsTest(PartitionsTestCase):

    def check_grown(self, topic, before, count, rf=2):
        """The znode keeps the old partitions and places the new ones as Kafka would; the
        controller created their state znodes, led by their first live replica."""
        after, doc, _ = self.znode(topic)
        self.assertEqual(set(after), set(range(count)))
        self.assertEqual({p: after[p] for p in before}, before)
        self.assertEqual(doc["version"], 3)
        self.assertIn("topic_id", doc)
        brokers = sorted(b.broker_id for b in self.cluster.brokers)
        start = next(i for i, b in enumerate(brokers) if b >= before[0][0])
        self.assertEqual({p: after[p] for p in range(len(before), count)},
                         kafka_layout(brokers, len(before), count - len(before), rf, start))
        self.wait_all_led(topic, count)
        states = self.cluster.partition_states(topic, count)
        for p in range(len(before), count):
            self.assertEqual(states[p]["leader"], after[p][0], f"partition {p}: {states[p]}")
            self.assertEqual(states[p]["leader_epoch"], 0)
            self.assertEqual(sorted(states[p]["isr"]), sorted(after[p]))

    def test_kafka_python_grows_a_topic_that_clients_then_use(self):
        from kafka import KafkaAdminClient
        from kafka.admin import NewPartitions
        topic = harness.unique_topic("grow-kp")
        self.create_topic(topic, 2, 2)
        before, _, _ = self.znode(topic)
        admin = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap,
                                 request_timeout_ms=60000)
        try:
            response = admin.create_partitions({topic: NewPartitions(total_count=5)},
                                               timeout_ms=30000)
        finally:
            admin.close()
        self.assertEqual([(t, e) for t, e, _ in response.topic_errors], [(topic, NONE)])
        self.check_grown(topic, before, 5)
        self.produce_and_consume(topic, [2, 3, 4])

    def test_confluent_grows_a_topic_and_validate_only_changes_nothing(self):
        from confluent_kafka.admin import AdminClient, NewPartitions
        topic = harness.unique_topic("grow-ck")
        self.create_topic(topic, 2, 2)
        before, _, version = self.znode(topic)
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        dry = admin.create_partitions([NewPartitions(topic, 5)], validate_only=True,
                                      operation_timeout=30)
        self.assertIsNone(dry[topic].result(timeout=60))
        self.assertEqual(self.znode(topic)[0], before)
        self.assertEqual(self.znode(topic)[2], version)
        real = admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=30)
        self.assertIsNone(real[topic].result(timeout=60))
        self.check_grown(topic, before, 5)
        self.produce_and_consume(topic, [2, 3, 4])

    def test_manual_assignment_is_written_as_given(self):
        topic = harness.unique_topic("manual")
        self.create_topic(topic, 2, 2)
        before, _, _ = self.znode(topic)
        self.assertEqual(self.grow([(topic, 4, [[3, 1], [2, 3]])]), {topic: (NONE, None)})
        after, _, _ = self.znode(topic)
        self.assertEqual(after, {**before, 2: [3, 1], 3: [2, 3]})
        self.wait_all_led(topic, 4)
        states = self.cluster.partition_states(topic, 4)
        self.assertEqual((states[2]["leader"], states[3]["leader"]), (3, 2))

    def test_errors_are_kafkas(self):
        topic = harness.unique_topic("errors")
        self.create_topic(topic, 2, 2)
        before, _, version = self.znode(topic)
        cases = [
            ((topic, 2, None), INVALID_PARTITIONS, "Topic already has 2 partitions."),
            ((topic, 1, None), INVALID_PARTITIONS,
             "Topic currently has 2 partitions, which is higher than the requested 1."),
            ((topic, 4, [[1, 2]]), INVALID_REPLICA_ASSIGNMENT,
             "Increasing the number of partitions by 2 but 1 assignments provided."),
            ((topic, 3, [[1, 1]]), INVALID_REPLICA_ASSIGNMENT,
             "Duplicate brokers not allowed in replica assignment: 1, 1 for partition id 2."),
            ((topic, 3, [[1, 99]]), INVALID_REPLICA_ASSIGNMENT,
             "Unknown broker(s) in replica assignment: 99."),
            ((topic, 3, [[1, 2, 3]]), INVALID_REPLICA_ASSIGNMENT,
             "Inconsistent replication factor between partitions, partition 0 has 2 while "
             "partitions [2] have replication factors [3], respectively."),
            (("no-such-topic", 3, None), UNKNOWN_TOPIC_OR_PARTITION,
             "The topic 'no-such-topic' does not exist."),
        ]
        for api_version in (0, 1, 2, 3):
            for request, error, message in cases:
                with self.subTest(version=api_version, request=request):
                    self.assertEqual(self.grow([request], version=api_version),
                                     {request[0]: (error, message)})
        # Duplicated topics are refused, once each; the other topic still grows.
        other = harness.unique_topic("errors-other")
        self.create_topic(other, 1, 2)
        self.assertEqual(self.grow([(topic, 3, None), (topic, 4, None), (other, 2, None)]),
                         {topic: (INVALID_REQUEST, "Duplicate topic in request."),
                          other: (NONE, None)})
        self.assertEqual(self.znode(topic)[0], before)
        self.assertEqual(self.znode(topic)[2], version)
        self.assertEqual(len(self.znode(other)[0]), 2)
        # Only the controller serves it.
        self.assertEqual(self.grow([(topic, 3, None)], broker=self.other_broker()),
                         {topic: (NOT_CONTROLLER, None)})

    def test_validate_only_and_zero_timeout_answer_as_kafka(self):
        topic = harness.unique_topic("dry")
        self.create_topic(topic, 2, 2)
        before, _, version = self.znode(topic)
        for v in (0, 3):
            self.assertEqual(self.grow([(topic, 6, None)], version=v, validate_only=True),
                             {topic: (NONE, None)})
        self.assertEqual(self.grow([(topic, 6, [[1, 99]] * 4)], validate_only=True),
                         {topic: (INVALID_REPLICA_ASSIGNMENT,
                                  "Unknown broker(s) in replica assignment: 99.")})
        self.assertEqual(self.znode(topic)[2], version)
        # Kafka answers REQUEST_TIMED_OUT when it was not allowed to wait; the partitions come.
        self.assertEqual(self.grow([(topic, 3, None)], timeout_ms=0),
                         {topic: (REQUEST_TIMED_OUT, None)})
        self.wait_all_led(topic, 3)
        self.assertEqual({p: r for p, r in self.znode(topic)[0].items() if p < 2}, before)

    def test_kafka_python_and_confluent_report_errors(self):
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewPartitions as CkNewPartitions
        from kafka import KafkaAdminClient
        from kafka.admin import NewPartitions
        topic = harness.unique_topic("client-errors")
        self.create_topic(topic, 2, 2)
        from kafka.errors import InvalidPartitionsError, InvalidReplicationAssignmentError
        admin = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        try:
            # kafka-python raises the error of the first topic that failed.
            with self.assertRaises(InvalidPartitionsError) as caught:
                admin.create_partitions({topic: NewPartitions(2)})
            self.assertIn("Topic already has 2 partitions.", str(caught.exception))
            with self.assertRaises(InvalidReplicationAssignmentError):
                admin.create_partitions({topic: NewPartitions(3, new_assignments=[[1, 1]])})
            response = admin.create_partitions({topic: NewPartitions(4)}, validate_only=True)
            self.assertEqual([(t, e) for t, e, _ in response.topic_errors], [(topic, NONE)])
        finally:
            admin.close()
        ck = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        for new, code in ((CkNewPartitions(topic, 2), KafkaError.INVALID_PARTITIONS),
                          (CkNewPartitions(topic, 3, replica_assignment=[[1, 42]]),
                           KafkaError.INVALID_REPLICA_ASSIGNMENT)):
            with self.assertRaises(KafkaException) as caught:
                ck.create_partitions([new], operation_timeout=30)[topic].result(timeout=60)
            self.assertEqual(caught.exception.args[0].code(), code)
        self.assertEqual(len(self.znode(topic)[0]), 2)

    def test_replication_factor_above_the_live_brokers_is_invalid(self):
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic
        topic = harness.unique_topic("rf4")
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        with self.assertRaises(KafkaException) as caught:
            admin.create_topics([NewTopic(topic, 1, 4)], operation_timeout=30)[topic].result(60)
        self.assertEqual(caught.exception.args[0].code(),
                         KafkaError.INVALID_REPLICATION_FACTOR)
        self.assertEqual(caught.exception.args[0].str(),
                         "Replication factor: 4 larger than available brokers: 3.")
        zkc = self.cluster.zk_client()
        try:
            self.assertIsNone(zkc.exists(f"/brokers/topics/{topic}"))
        finally:
            zkc.stop()
            zkc.close()


class RackAwarePlacementTest(PartitionsTestCase):
    racks = {1: "a", 2: "b", 3: "c"}
    props = {"num.partitions": "6", "default.replication.factor": "3"}

    def check_racks(self, topic, partitions, rf):
        """Every partition's replicas (znode and Metadata) on rf distinct racks; leaders even."""
        assignment, _, _ = self.znode(topic)
        self.assertEqual(set(assignment), set(range(partitions)))
        for p, replicas in assignment.items():
            self.assertEqual(len({self.racks[b] for b in replicas}), rf, f"{p}: {replicas}")
        self.wait_all_led(topic, partitions)
        t = self.metadata_of(self.cluster.brokers[0], [topic])["topics"][topic]
        self.assertEqual({p: v[2] for p, v in t[1].items()}, assignment)
        leaders = [replicas[0] for replicas in assignment.values()]
        self.assertEqual(sorted(leaders.count(b) for b in self.racks),
                         [partitions // 3] * 3)

    def test_create_topics_puts_replicas_on_distinct_racks(self):
        for rf in (2, 3):
            topic = harness.unique_topic(f"racks-rf{rf}")
            self.create_topic(topic, 6, rf)
            self.check_racks(topic, 6, rf)

    def test_auto_created_topic_is_rack_aware(self):
        topic = harness.unique_topic("racks-auto")
        broker = self.cluster.brokers[0]
        wait_until(lambda: topic in self.metadata_of(broker, [topic], auto_create=True)
                   ["topics"] and self.znode_exists(topic), 30, f"{topic} auto-created")
        self.check_racks(topic, 6, 3)

    def test_create_partitions_keeps_racks_distinct(self):
        from kafka import KafkaAdminClient
        from kafka.admin import NewPartitions
        topic = harness.unique_topic("racks-grow")
        self.create_topic(topic, 3, 2)
        admin = KafkaAdminClient(bootstrap_servers=self.cluster.bootstrap)
        try:
            response = admin.create_partitions({topic: NewPartitions(9)}, timeout_ms=30000)
        finally:
            admin.close()
        self.assertEqual([(t, e) for t, e, _ in response.topic_errors], [(topic, NONE)])
        self.check_racks(topic, 9, 2)
        self.produce_and_consume(topic, list(range(3, 9)))

    def znode_exists(self, topic):
        zkc = self.cluster.zk_client()
        try:
            return zkc.exists(f"/brokers/topics/{topic}") is not None
        finally:
            zkc.stop()
            zkc.close()


class MixedRacksTest(PartitionsTestCase):
    """Kafka refuses to place replicas when only some brokers have a rack: CreateTopics and
    CreatePartitions answer UNKNOWN_SERVER_ERROR without a message."""
    racks = {1: "a", 2: "b"}  # broker 3 has none

    def test_placement_is_refused(self):
        from confluent_kafka.admin import AdminClient, NewTopic
        from confluent_kafka import KafkaError, KafkaException
        topic = harness.unique_topic("mixed")
        admin = AdminClient({"bootstrap.servers": self.cluster.bootstrap})
        with self.assertRaises(KafkaException) as caught:
            admin.create_topics([NewTopic(topic, 3, 2)], operation_timeout=30)[topic].result(60)
        self.assertEqual(caught.exception.args[0].code(), KafkaError.UNKNOWN)
        # An explicit assignment needs no placement, so the topic can exist...
        manual = harness.unique_topic("mixed-manual")
        admin.create_topics([NewTopic(manual, 1, replica_assignment=[[1, 3]])],
                            operation_timeout=30)[manual].result(60)
        self.wait_all_led(manual, 1)
        # ...but adding partitions reads the brokers and is refused, as in Kafka.
        self.assertEqual(self.grow([(manual, 2, [[2, 3]])]),
                         {manual: (UNKNOWN_SERVER_ERROR, None)})
        self.assertEqual(len(self.znode(manual)[0]), 1)
