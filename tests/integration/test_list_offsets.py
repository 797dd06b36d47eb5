"""ListOffsets as Kafka answers it: earliest (-2) = log start, latest (-1) = high watermark, and
by timestamp the first offset whose timestamp is >= the target (-1 past the end), seen through
confluent-kafka (librdkafka) and kafka-python."""

import os
import time

from confluent_kafka import OFFSET_END, Producer, TopicPartition
from kafka import KafkaConsumer
from kafka import TopicPartition as KTopicPartition

import harness
import wire

N = 10
STEP_MS = 1000


class ListOffsetsTest(harness.ClusterTestCase):
    broker_id = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Records with explicit, increasing CreateTime timestamps an hour in the past, in one
        # batch per record (found through the time index) and all in a single batch (found by
        # scanning the records inside the batch).
        cls.base_ts = (int(time.time()) - 3600) * 1000
        cls.topics = {"single": harness.unique_topic("lo-single"),
                      "batched": harness.unique_topic("lo-batched")}
        cls.empty_topic = harness.unique_topic("lo-empty")
        for t in [*cls.topics.values(), cls.empty_topic]:
            harness.create_topic(cls.broker, t, 1)
        cls.acks = {}
        for kind, topic in cls.topics.items():
            producer = Producer({"bootstrap.servers": cls.broker.bootstrap, "acks": "all",
                                 "linger.ms": 1000 if kind == "batched" else 0})
            producer.list_topics(topic, timeout=10)  # leader known: nothing goes out early
            acks = cls.acks[kind] = []
            for i in range(N):
                producer.produce(topic, key=str(i).encode(), value=f"v{i}".encode(),
                                 partition=0, timestamp=cls.base_ts + i * STEP_MS,
                                 on_delivery=lambda err, m, acks=acks: acks.append(
                                     (err, m.offset(), m.timestamp())))
                if kind == "single":
                    producer.flush(30)
            producer.flush(30)
            assert len(acks) == N and all(e is None for e, _, _ in acks), acks
        cls.batches = {}
        for kind, topic in cls.topics.items():
            with open(os.path.join(cls.broker.data_dir, f"{topic}-0",
                                   "00000000000000000000.log"), "rb") as f:
                cls.batches[kind] = len(list(wire.parse_batches(f.read())))

    def test_records_are_stored_as_intended(self):
        self.assertEqual(self.batches, {"single": N, "batched": 1})

    def confluent_times(self, topic, target):
        c = harness.confluent_consumer(self.broker)
        try:
            [r] = c.offsets_for_times([TopicPartition(topic, 0, target)], timeout=10)
            self.assertIsNone(r.error)
            return r.offset
        finally:
            c.close()

    def test_delivery_reports_carry_create_time(self):
        for kind, acks in self.acks.items():
            self.assertEqual([(o, ts) for _, o, ts in acks],
                             [(i, (1, self.base_ts + i * STEP_MS)) for i in range(N)],
                             kind)  # 1 = TIMESTAMP_CREATE_TIME

    def test_confluent_earliest_and_latest(self):
        for topic in self.topics.values():
            self.assertEqual(harness.watermarks(self.broker, topic), (0, N))
        self.assertEqual(harness.watermarks(self.broker, self.empty_topic), (0, 0))

    def test_confluent_offsets_for_times(self):
        cases = {
            self.base_ts - 100000: 0,          # before everything: the first record
            self.base_ts: 0,                   # exactly the first timestamp
            self.base_ts + 1: 1,               # just after it: the next record
            self.base_ts + 3 * STEP_MS: 3,     # exact match
            self.base_ts + 3 * STEP_MS + 500: 4,
            self.base_ts + (N - 1) * STEP_MS: N - 1,
        }
        for kind, topic in self.topics.items():
            for target, want in cases.items():
                with self.subTest(kind=kind, target=target - self.base_ts):
                    self.assertEqual(self.confluent_times(topic, target), want)
            with self.subTest(kind=kind, target="beyond the last timestamp"):
                # Kafka answers offset -1; librdkafka renders it as OFFSET_END (-1).
                self.assertEqual(OFFSET_END, -1)
                self.assertEqual(self.confluent_times(topic, self.base_ts + N * STEP_MS), -1)

    def test_kafka_python_offsets(self):
        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id=None,
                                 enable_auto_commit=False, api_version_auto_timeout_ms=10000)
        try:
            empty = KTopicPartition(self.empty_topic, 0)
            for kind, topic in self.topics.items():
                tp = KTopicPartition(topic, 0)
                self.assertEqual(consumer.beginning_offsets([tp, empty]), {tp: 0, empty: 0})
                self.assertEqual(consumer.end_offsets([tp, empty]), {tp: N, empty: 0})
                for target, want in [(self.base_ts - 5, 0), (self.base_ts + 2 * STEP_MS, 2),
                                     (self.base_ts + 2 * STEP_MS + 1, 3),
                                     (self.base_ts + (N - 1) * STEP_MS, N - 1)]:
                    with self.subTest(kind=kind, target=target - self.base_ts):
                        r = consumer.offsets_for_times({tp: target})[tp]
                        self.assertIsNotNone(r)
                        self.assertEqual((r.offset, r.timestamp),
                                         (want, self.base_ts + want * STEP_MS))
                with self.subTest(kind=kind, target="beyond the last timestamp"):
                    # kafka-python maps Kafka's offset -1 to None.
                    self.assertIsNone(consumer.offsets_for_times(
                        {tp: self.base_ts + N * STEP_MS})[tp])
            with self.subTest("empty partition"):
                self.assertIsNone(consumer.offsets_for_times({empty: self.base_ts})[empty])
        finally:
            consumer.close()


if __name__ == "__main__":
    import unittest
    unittest.main()
