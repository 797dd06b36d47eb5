"""Fetch long polling: a Fetch on an empty partition is held until max_wait (raw Fetch v4), and is
answered as soon as a record arrives: produce -> consume latency stays under a second while the
clients' maximum wait is 5 s (raw Fetch, confluent-kafka, kafka-python)."""

import socket
import sys
import time

from confluent_kafka import Producer, TopicPartition
from kafka import KafkaConsumer
from kafka import TopicPartition as KTopicPartition

import harness
import wire

MAX_WAIT_MS = 5000
LATENCY_LIMIT_S = 1.0


class LongPollTest(harness.ClusterTestCase):
    broker_id = 10

    def setUp(self):
        self.topic = harness.unique_topic("poll")
        harness.create_topic(self.broker, self.topic, 1)
        self.producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all",
                                  "linger.ms": 0})
        # Connect and fetch metadata now, so that produce() below sends at once.
        self.producer.list_topics(self.topic, timeout=10)

    def produce_one(self, value):
        """Produces one record; returns the monotonic time just before produce()."""
        acks = []
        t = time.monotonic()
        self.producer.produce(self.topic, value=value, partition=0,
                              on_delivery=lambda err, m: acks.append(err))
        self.assertEqual(self.producer.flush(10), 0)
        self.assertEqual(acks, [None])
        return t

    def test_raw_fetch_on_empty_partition_waits_for_max_wait(self):
        with wire.connect(self.broker.port, timeout=15) as s:
            t0 = time.monotonic()
            s.sendall(wire.fetch_request(1, self.topic, 0, 0, max_wait_ms=2000))
            cid, parts = wire.parse_fetch_v4(wire.recv_frame(s))
            elapsed = time.monotonic() - t0
        self.assertEqual(cid, 1)
        self.assertEqual(parts, [(self.topic, 0, 0, 0, b"")])
        self.assertGreaterEqual(elapsed, 1.9, "answered before max_wait with nothing to return")
        self.assertLess(elapsed, 3.5, "held far longer than max_wait")

    def test_raw_fetch_is_answered_when_a_record_arrives(self):
        with wire.connect(self.broker.port, timeout=15) as s:
            s.sendall(wire.fetch_request(2, self.topic, 0, 0, max_wait_ms=MAX_WAIT_MS))
            # Parked: no answer within the first second.
            s.settimeout(1.0)
            with self.assertRaises(socket.timeout, msg="empty fetch answered at once"):
                s.recv(1)
            s.settimeout(15)
            t = self.produce_one(b"wake-up")
            cid, parts = wire.parse_fetch_v4(wire.recv_frame(s))
            latency = time.monotonic() - t
        self.assertEqual(cid, 2)
        [(topic, partition, error, hw, records)] = parts
        self.assertEqual((topic, partition, error, hw), (self.topic, 0, 0, 1))
        [(base, last, _, count, _)] = list(wire.parse_batches(records))
        self.assertEqual((base, last, count), (0, 0, 1))
        self.assertIn(b"wake-up", records)
        self.assertLess(latency, LATENCY_LIMIT_S, f"produce -> fetch response took {latency:.2f}s")

    def test_confluent_consumer_latency(self):
        c = harness.confluent_consumer(self.broker, **{"fetch.wait.max.ms": MAX_WAIT_MS})
        self.addCleanup(c.close)
        c.assign([TopicPartition(self.topic, 0, 0)])
        latencies = []
        for i in range(5):
            # Caught up: the consumer's fetch sits at the broker; nothing comes for a second.
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                m = c.poll(max(0.0, deadline - time.monotonic()))
                self.assertTrue(m is None or m.error(), f"unexpected record {m and m.value()}")
            t = self.produce_one(f"record-{i}".encode())
            while True:
                m = c.poll(MAX_WAIT_MS / 1000 + 5)
                self.assertIsNotNone(m, "record never arrived")
                if not m.error():
                    break
            latencies.append(time.monotonic() - t)
            self.assertEqual((m.offset(), m.value()), (i, f"record-{i}".encode()))
        print(f"    confluent produce->consume latencies: "
              f"{', '.join(f'{x * 1000:.0f}ms' for x in latencies)}", file=sys.stderr)
        self.assertLess(max(latencies), LATENCY_LIMIT_S)

    def test_kafka_python_consumer_latency(self):
        c = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id=None,
                          enable_auto_commit=False, fetch_max_wait_ms=MAX_WAIT_MS,
                          request_timeout_ms=MAX_WAIT_MS + 10000,
                          api_version_auto_timeout_ms=10000)
        self.addCleanup(c.close)
        tp = KTopicPartition(self.topic, 0)
        c.assign([tp])
        c.seek(tp, 0)
        latencies = []
        for i in range(3):
            self.assertEqual(c.poll(timeout_ms=1000), {}, "nothing to read yet")
            t = self.produce_one(f"kp-{i}".encode())
            got = harness.wait_until(lambda: c.poll(timeout_ms=100).get(tp), MAX_WAIT_MS / 1000 + 5,
                                     "the record through kafka-python", interval=0)
            latencies.append(time.monotonic() - t)
            self.assertEqual([(r.offset, r.value) for r in got], [(i, f"kp-{i}".encode())])
        print(f"    kafka-python produce->consume latencies: "
              f"{', '.join(f'{x * 1000:.0f}ms' for x in latencies)}", file=sys.stderr)
        self.assertLess(max(latencies), LATENCY_LIMIT_S)


if __name__ == "__main__":
    import unittest
    unittest.main()
