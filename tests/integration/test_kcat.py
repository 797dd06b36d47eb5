"""kcat (librdkafka) round trip: 100,000 records with keys, values and headers through a
3-partition topic come back exactly, per partition, in order, with contiguous offsets."""

import zlib

import harness
from harness import KCAT, run

N = 100_000
PARTITIONS = 3
SEP = "|#|"
# Printable, multi-byte UTF-8 and punctuation; never a newline (kcat's message delimiter) nor SEP.
ALPHABET = "abcXYZ019 ~!@$%^&*()_+-=[]{};'\",.<>/?\\`é✓漢\t"


def expected_record(i):
    key = f"key-{i:06d}"
    if i % 11 == 0:
        value = ""  # empty (not null) value
    else:
        body = "".join(ALPHABET[(i * 7 + j) % len(ALPHABET)] for j in range(i % 97))
        value = f"value-{i}:{body}"
    return key, value


def librdkafka_partition(key):
    # librdkafka's default partitioner ("consistent_random"): CRC-32 of the key mod partitions.
    return zlib.crc32(key.encode()) % PARTITIONS


class KcatRoundTripTest(harness.ClusterTestCase):
    broker_id = 3
    broker_props = {"num.partitions": 3}

    def test_produce_auto_creates_topic_with_num_partitions(self):
        topic = harness.unique_topic("kcat-auto")
        self.assertIsNone(self.zkc.exists(f"/brokers/topics/{topic}"))
        run([KCAT, "-P", "-b", self.broker.bootstrap, "-t", topic, "-p", "1", "-K", ":",
             "-X", "acks=all"], input=b"".join(b"k%d:v%d\n" % (i, i) for i in range(10)),
            timeout=60)
        listing = run([KCAT, "-b", self.broker.bootstrap, "-L", "-t", topic],
                      timeout=30).stdout.decode()
        self.assertIn(f'topic "{topic}" with 3 partitions', listing)
        out = run([KCAT, "-C", "-b", self.broker.bootstrap, "-t", topic, "-p", "1",
                   "-o", "beginning", "-e", "-q", "-f", "%o %k %s\n"], timeout=60).stdout
        self.assertEqual(out.decode().splitlines(), [f"{i} k{i} v{i}" for i in range(10)])

    def test_100k_records_round_trip_exactly(self):
        topic = harness.unique_topic("kcat")
        harness.create_topic(self.broker, topic, PARTITIONS)
        records = [expected_record(i) for i in range(N)]
        data = "".join(f"{k}:{v}\n" for k, v in records).encode()

        run([KCAT, "-P", "-b", self.broker.bootstrap, "-t", topic, "-K", ":",
             "-H", "origin=kcat-it", "-H", "trace=a=b,c", "-X", "linger.ms=5",
             "-X", "batch.num.messages=5000", "-X", "acks=all"], input=data, timeout=120)

        fmt = SEP.join(["%p", "%o", "%K", "%k", "%S", "%s", "%h"]) + "\n"
        out = run([KCAT, "-C", "-b", self.broker.bootstrap, "-t", topic, "-o", "beginning",
                   "-e", "-q", "-f", fmt], timeout=120).stdout.decode("utf-8")
        lines = out.split("\n")
        self.assertEqual(lines[-1], "", "output must end with a newline")
        lines = lines[:-1]
        self.assertEqual(len(lines), N, f"consumed {len(lines)} records, produced {N}")

        per_partition = {p: [] for p in range(PARTITIONS)}
        for line in lines:
            fields = line.split(SEP)
            self.assertEqual(len(fields), 7, f"unparsable kcat line {line!r}")
            p, o, klen, key, vlen, value, headers = fields
            self.assertEqual(int(klen), len(key.encode()), line)
            self.assertEqual(int(vlen), len(value.encode()), line)
            # librdkafka renders the headers as name=value pairs joined by ','.
            self.assertEqual(headers, "origin=kcat-it,trace=a=b,c", line)
            per_partition[int(p)].append((int(o), key, value))

        seen = set()
        for p, recs in per_partition.items():
            self.assertGreater(len(recs), N // PARTITIONS // 2,
                               f"partition {p} got only {len(recs)} records")
            offsets = [o for o, _, _ in recs]
            self.assertEqual(offsets, list(range(len(recs))),
                             f"partition {p}: offsets not contiguous from 0")
            # Exactly the producer's records for this partition, in production order.
            want = [r for r in records if librdkafka_partition(r[0]) == p]
            got = [(k, v) for _, k, v in recs]
            if got != want:
                first = next(i for i, (a, b) in enumerate(zip(got + [None] * len(want),
                                                              want + [None] * len(got)))
                             if a != b)
                self.fail(f"partition {p}: {len(got)} records vs {len(want)} expected; first "
                          f"difference at offset {first}: got {got[first:first + 2]!r}, "
                          f"expected {want[first:first + 2]!r}")
            seen.update(k for k, _ in got)
        self.assertEqual(len(seen), N, "duplicate or missing keys across partitions")

        # The high watermarks agree with what was read.
        for p, recs in per_partition.items():
            self.assertEqual(harness.watermarks(self.broker, topic, p), (0, len(recs)))


if __name__ == "__main__":
    import unittest
    unittest.main()
