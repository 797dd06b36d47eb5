"""kafka-python 2.0.2: API-version inference from ApiVersions, produce (gzip and uncompressed) and
an assigned consumer with seek (no group), and the admin client's create/list/delete topics."""

import os
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kazoo.exceptions import NoNodeError

import harness

N = 3000
# kafka-python infers the broker release from the advertised ranges (Fetch v11 -> 2.3, Produce 8
# -> 2.4 ...); with Samsa's maxima (Produce 7, Fetch 11, ListOffsets 3) that is 2.3 (ZK-MODE §f).
EXPECTED_API_VERSION = (2, 3, 0)


class KafkaPythonTest(harness.ClusterTestCase):
    broker_id = 5

    def consumer(self):
        return KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="none",
                             request_timeout_ms=30000, api_version_auto_timeout_ms=10000)

    def test_api_version_inference(self):
        consumer = self.consumer()
        try:
            inferred = consumer.config["api_version"]
            print(f"kafka-python inferred api_version {inferred}", file=sys.stderr)
            self.assertEqual(tuple(inferred), EXPECTED_API_VERSION)
            # check_version() probes a broker again over a fresh connection.
            self.assertEqual(tuple(consumer._client.check_version(timeout=10)),
                             EXPECTED_API_VERSION)
        finally:
            consumer.close()

    def produce_and_consume(self, compression):
        topic = harness.unique_topic(f"kp-{compression or 'none'}")
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, acks="all",
                                 compression_type=compression, linger_ms=5,
                                 api_version_auto_timeout_ms=10000)
        try:
            futures = []
            for i in range(N):
                value = b"" if i % 17 == 0 else f"kafka-python {i} ".encode() * (1 + i % 5)
                futures.append(producer.send(topic, key=f"key{i}".encode(), value=value,
                                             partition=0,
                                             headers=[("i", str(i).encode()), ("h", b"\x00\xff")]))
            producer.flush(60)
            metas = [f.get(timeout=30) for f in futures]
        finally:
            producer.close(10)
        self.assertEqual([m.offset for m in metas], list(range(N)))
        self.assertEqual({(m.topic, m.partition) for m in metas}, {(topic, 0)})

        consumer = self.consumer()
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            self.assertEqual(consumer.end_offsets([tp]), {tp: N})
            consumer.seek(tp, 0)
            got = []
            deadline = time.monotonic() + 60
            while len(got) < N and time.monotonic() < deadline:
                for recs in consumer.poll(timeout_ms=500, max_records=5000).values():
                    got.extend(recs)
            self.assertEqual(len(got), N, "records read back")
            for i, r in enumerate(got):
                value = b"" if i % 17 == 0 else f"kafka-python {i} ".encode() * (1 + i % 5)
                self.assertEqual((r.offset, r.key, r.value), (i, f"key{i}".encode(), value))
                self.assertEqual(r.headers, [("i", str(i).encode()), ("h", b"\x00\xff")])
            # Seek into the middle: the first record returned is exactly that offset.
            consumer.seek(tp, N // 2)
            mid = harness.wait_until(lambda: consumer.poll(timeout_ms=500, max_records=1),
                                     30, "a record after seek")
            first = mid[tp][0]
            self.assertEqual((first.offset, first.key), (N // 2, f"key{N // 2}".encode()))
        finally:
            consumer.close()

    def test_produce_consume_gzip(self):
        self.produce_and_consume("gzip")

    def test_produce_consume_uncompressed(self):
        self.produce_and_consume(None)

    def test_admin_create_list_delete_topics(self):
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap,
                                 api_version_auto_timeout_ms=10000)
        topic = harness.unique_topic("kp-admin")
        try:
            admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1,
                                          topic_configs={"retention.ms": "3600000"})],
                                timeout_ms=30000)
            harness.wait_until(lambda: topic in admin.list_topics(), 30,
                               f"{topic} in list_topics")
            harness.wait_for_leaders(self.broker, topic, 3)
            self.assertEqual(sorted(self.zkc.get_children(f"/brokers/topics/{topic}/partitions")),
                             ["0", "1", "2"])
            for p in range(3):
                self.assertTrue(os.path.isdir(os.path.join(self.broker.data_dir,
                                                           f"{topic}-{p}")))
            with self.assertRaises(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(topic, 1, 1)], timeout_ms=30000)

            admin.delete_topics([topic], timeout_ms=30000)
            harness.wait_until(lambda: topic not in admin.list_topics(), 30,
                               f"{topic} gone from list_topics")

            def gone_from_zk():
                try:
                    self.zkc.get(f"/brokers/topics/{topic}")
                    return False
                except NoNodeError:
                    return not self.zkc.exists(f"/admin/delete_topics/{topic}")

            harness.wait_until(gone_from_zk, 30, f"/brokers/topics/{topic} deleted")

            def dirs_gone():
                left = [d for d in os.listdir(self.broker.data_dir) if d.startswith(topic + "-")]
                # Deleted partitions are renamed <topic>-<p>.<uuid>-delete first, then removed.
                return not [d for d in left if not d.endswith("-delete")] or left
            harness.wait_until(lambda: dirs_gone() is True, 30,
                               f"partition directories of {topic} renamed for deletion")
        finally:
            admin.close()


if __name__ == "__main__":
    import unittest
    unittest.main()
