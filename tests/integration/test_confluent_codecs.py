"""confluent-kafka-python (librdkafka) with every codec: acks=all produce with keys and headers,
delivery reports without errors and with contiguous offsets, an assigned consumer reads the same
records back in order, and the stored batches really carry the codec."""

import glob
import os

from confluent_kafka import Producer

import harness
import wire

N = 4000
PARTITIONS = 2
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def make_value(i):
    # Compressible but not constant; some empty values.
    return b"" if i % 13 == 0 else (f"payload {i} " * (1 + i % 9)).encode()


class ConfluentCodecsTest(harness.ClusterTestCase):
    broker_id = 4

    def round_trip(self, codec):
        topic = harness.unique_topic(f"codec-{codec}")
        harness.create_topic(self.broker, topic, PARTITIONS)
        producer = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all",
                             "compression.codec": codec, "linger.ms": 5,
                             "batch.num.messages": 500})
        reports = {p: [] for p in range(PARTITIONS)}
        errors = []

        def on_delivery(err, msg):
            if err is not None:
                errors.append((err, msg.key()))
            else:
                reports[msg.partition()].append((msg.offset(), msg.key()))

        for i in range(N):
            producer.produce(topic, key=f"k{i}".encode(), value=make_value(i),
                             partition=i % PARTITIONS,
                             headers=[("codec", codec.encode()), ("seq", str(i).encode())],
                             on_delivery=on_delivery)
            producer.poll(0)
        remaining = producer.flush(60)
        self.assertEqual(remaining, 0, "messages still undelivered after flush(60)")
        self.assertEqual(errors, [], "delivery reports with errors")

        for p in range(PARTITIONS):
            keys = [f"k{i}".encode() for i in range(p, N, PARTITIONS)]
            self.assertEqual(reports[p], list(enumerate(keys)),
                             f"partition {p}: delivery offsets not contiguous / in order")

        got = harness.consume_partitions(self.broker, topic, range(PARTITIONS))
        for p in range(PARTITIONS):
            msgs = got[p]
            self.assertEqual(len(msgs), N // PARTITIONS, f"partition {p}")
            for n, m in enumerate(msgs):
                i = p + n * PARTITIONS
                self.assertEqual(m.offset(), n)
                self.assertEqual(m.key(), f"k{i}".encode())
                self.assertEqual(m.value() or b"", make_value(i), f"offset {n}")
                self.assertEqual(m.headers(), [("codec", codec.encode()),
                                               ("seq", str(i).encode())])

        # The log holds batches compressed with the producer's codec (compression.type=producer).
        # librdkafka sends lz4 only when the broker advertises FindCoordinator v0 (its LZ4
        # feature, rdkafka_feature.c); otherwise it silently sends lz4 batches uncompressed.
        for p in range(PARTITIONS):
            segments = sorted(glob.glob(os.path.join(self.broker.data_dir, f"{topic}-{p}",
                                                     "*.log")))
            self.assertTrue(segments, f"no segment for {topic}-{p}")
            with open(segments[0], "rb") as f:
                batches = list(wire.parse_batches(f.read()))
            self.assertTrue(batches)
            # librdkafka sends a batch uncompressed when compressing does not make it smaller
            # (a batch of one tiny record), so most records, not all, are in compressed batches.
            codecs = {attrs & 7 for _, _, attrs, _, _ in batches}
            compressed = sum(count for _, _, attrs, count, _ in batches
                             if attrs & 7 == CODEC_IDS[codec])
            self.assertLessEqual(codecs, {0, CODEC_IDS[codec]}, f"batch codecs of {topic}-{p}")
            self.assertGreaterEqual(compressed, 0.9 * N / PARTITIONS,
                                    f"records in {codec} batches in {topic}-{p} (the client fell "
                                    f"back to uncompressed); batches {batches[:5]}...")
            self.assertEqual(sum(count for _, _, _, count, _ in batches), N // PARTITIONS)
            self.assertEqual(batches[-1][1], N // PARTITIONS - 1)

    def test_gzip(self):
        self.round_trip("gzip")

    def test_lz4_batches_are_stored_and_served(self):
        """The broker side of lz4, whatever librdkafka decides to send: Produce v7 carrying an
        lz4 batch (an LZ4 frame built in wire.py) is accepted, stored with codec 3 and read back
        by librdkafka."""
        topic = harness.unique_topic("raw-lz4")
        harness.create_topic(self.broker, topic, 1)
        records = [(f"k{i}".encode(), f"lz4 value {i} ".encode() * (i % 5), [("i", b"%d" % i)])
                   for i in range(50)]
        for n, chunk in enumerate((records[:30], records[30:])):
            with wire.connect(self.broker.port) as s:
                s.sendall(wire.produce_request(n, topic, 0, wire.record_batch(chunk, lz4=True),
                                               acks=-1))
                cid, parts = wire.parse_produce(wire.recv_frame(s), 7)
            self.assertEqual((cid, parts), (n, [(topic, 0, 0, 30 * n)]))
        segment = os.path.join(self.broker.data_dir, f"{topic}-0", "00000000000000000000.log")
        with open(segment, "rb") as f:
            batches = list(wire.parse_batches(f.read()))
        self.assertEqual([(b[0], b[1], b[2] & 7, b[3]) for b in batches],
                         [(0, 29, 3, 30), (30, 49, 3, 20)])
        msgs = harness.consume_partitions(self.broker, topic, [0])[0]
        self.assertEqual([(m.offset(), m.key(), m.value() or b"", m.headers()) for m in msgs],
                         [(i, k, v, h) for i, (k, v, h) in enumerate(records)])

    def test_snappy(self):
        self.round_trip("snappy")

    def test_lz4(self):
        self.round_trip("lz4")

    def test_zstd(self):
        self.round_trip("zstd")

    def test_uncompressed(self):
        self.round_trip("none")


if __name__ == "__main__":
    import unittest
    unittest.main()
