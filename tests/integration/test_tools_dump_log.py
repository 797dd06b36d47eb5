"""scripts/samsa-dump-log.sh (Kafka's kafka-dump-log.sh) on the segment files of a real broker's
partition: keyed records produced by confluent-kafka-python in gzip, zstd and uncompressed
batches; what the tool prints (offsets, keys, payloads, counts, codecs, positions) is compared
with what the producer's delivery reports say was stored and with the batch headers read from
the file by an independent parser (wire.py), and every index entry must point at a real batch."""

import glob
import os
import re
import shutil
import subprocess
import tempfile

from confluent_kafka import Producer

import harness
import wire

SCRIPT = os.path.join(harness.ROOT, "scripts", "samsa-dump-log.sh")
PER_CODEC = 200

BATCH_RE = re.compile(
    r"^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) baseSequence: -1 lastSequence: -1 "
    r"producerId: -1 producerEpoch: -1 partitionLeaderEpoch: (\d+) isTransactional: false "
    r"isControl: false position: (\d+) CreateTime: (\d+) size: (\d+) magic: 2 "
    r"compresscodec: (NONE|GZIP|ZSTD) crc: (\d+) isvalid: true$")
RECORD_RE = re.compile(
    r"^\| offset: (\d+) CreateTime: (\d+) keySize: (-?\d+) valueSize: (-?\d+) sequence: -1 "
    r"headerKeys: \[(.*?)\]( key: (\S+))?( payload: (.*))?$")


def value_of(codec, i):
    # Compressible, so librdkafka keeps the batches compressed.
    return f"{codec} value {i} " + "abcdefgh" * (i % 5 + 2)


class ToolsDumpLogTest(harness.ClusterTestCase):
    broker_id = 7

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = harness.unique_topic("dump-log")
        # An index entry for every batch, so the index check covers each one.
        harness.create_topic(cls.broker, cls.topic, 1, config={"index.interval.bytes": "1"})
        cls.produced = {}  # offset -> (key, value, headers, codec)
        for codec in ("gzip", "zstd", "none"):
            cls.produce(codec)
        cls.dir = os.path.join(cls.broker.data_dir, f"{cls.topic}-0")
        cls.segment = sorted(glob.glob(os.path.join(cls.dir, "*.log")))[0][:-len(".log")]

    @classmethod
    def produce(cls, codec):
        producer = Producer({"bootstrap.servers": cls.broker.bootstrap, "acks": "all",
                             "compression.codec": codec, "linger.ms": 20,
                             "batch.num.messages": 50})
        sent = {}
        errors = []
        headers_of = {}  # value -> headers (delivery reports do not carry them)

        def on_delivery(err, msg):
            if err is not None:
                errors.append(err)
            else:
                sent[msg.offset()] = (msg.key(), msg.value(), headers_of[msg.value()], codec)

        for i in range(PER_CODEC):
            key = None if i % 17 == 0 else f"{codec}-k{i}".encode()
            headers = [("h1", b"x"), ("h2", b"y")] if i % 10 == 0 else []
            value = value_of(codec, i).encode()
            headers_of[value] = headers
            producer.produce(cls.topic, key=key, value=value, partition=0,
                             headers=headers or None, on_delivery=on_delivery)
            producer.poll(0)
        if producer.flush(30) != 0 or errors:
            raise AssertionError(f"{codec}: undelivered or failed: {errors}")
        cls.produced.update(sent)

    def dump(self, *args):
        p = subprocess.run([SCRIPT, *args], capture_output=True, timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, f"samsa-dump-log.sh {' '.join(args)}:\n{out}\n{err}")
        return out.splitlines(), err

    def dump_log(self):
        """(batches, records): the parsed batch and record lines of --print-data-log."""
        lines, err = self.dump("--files", self.segment + ".log", "--print-data-log")
        self.assertEqual(err, "")
        self.assertEqual(lines[:2], [f"Dumping {self.segment}.log", "Starting offset: 0"])
        batches, records = [], []
        for line in lines[2:]:
            b = BATCH_RE.match(line)
            r = RECORD_RE.match(line)
            self.assertTrue(b or r, f"unexpected line: {line}")
            if b:
                batches.append({"base": int(b[1]), "last": int(b[2]), "count": int(b[3]),
                                "position": int(b[5]), "max_ts": int(b[6]), "size": int(b[7]),
                                "codec": b[8], "records": []})
            else:
                rec = {"offset": int(r[1]), "key_size": int(r[3]), "value_size": int(r[4]),
                       "header_keys": r[5], "key": r[7], "payload": r[9]}
                batches[-1]["records"].append(rec)
                records.append(rec)
        return batches, records

    def test_log_matches_what_was_produced(self):
        batches, records = self.dump_log()
        self.assertEqual([r["offset"] for r in records], sorted(self.produced))
        self.assertEqual(len(records), 3 * PER_CODEC)
        for r in records:
            key, value, headers, codec = self.produced[r["offset"]]
            self.assertEqual(r["key"], key.decode() if key is not None else None, r)
            self.assertEqual(r["key_size"], len(key) if key is not None else -1, r)
            self.assertEqual(r["payload"], value.decode(), r)
            self.assertEqual(r["value_size"], len(value), r)
            self.assertEqual(r["header_keys"], ",".join(k for k, _ in headers), r)
        codecs_seen = set()
        for b in batches:
            offsets = [r["offset"] for r in b["records"]]
            self.assertEqual(offsets, list(range(b["base"], b["last"] + 1)), b)
            self.assertEqual(b["count"], len(offsets))
            producer_codec = self.produced[b["base"]][3]
            # librdkafka sends a batch uncompressed when compressing does not make it smaller.
            self.assertIn(b["codec"], {"NONE", producer_codec.upper()}, b)
            codecs_seen.add(b["codec"])
        self.assertEqual(codecs_seen, {"NONE", "GZIP", "ZSTD"})

        # Positions and sizes are the file's, as an independent parser reads its headers.
        with open(self.segment + ".log", "rb") as f:
            data = f.read()
        on_disk = list(wire.parse_batches(data))
        self.assertEqual([(b["base"], b["last"], b["count"], b["max_ts"]) for b in batches],
                         [(base, last, count, max_ts)
                          for base, last, _, count, max_ts in on_disk])
        position = 0
        for b in batches:
            self.assertEqual(b["position"], position)
            position += b["size"]
        self.assertEqual(position, len(data))

    def test_indexes_point_at_real_batches(self):
        batches, _ = self.dump_log()
        by_position = {b["position"]: b for b in batches}
        by_last = {b["last"]: b for b in batches}

        lines, err = self.dump("--files", self.segment + ".index")
        self.assertEqual(err, "", "index mismatches")
        self.assertEqual(lines[0], f"Dumping {self.segment}.index")
        entries = [tuple(map(int, re.fullmatch(r"offset: (\d+) position: (\d+)", l).groups()))
                   for l in lines[1:]]
        # index.interval.bytes=1: one entry per batch but the first (Kafka indexes a batch once
        # more than interval bytes were appended since the last entry).
        self.assertGreaterEqual(len(entries), len(batches) - 1)
        for offset, position in entries:
            self.assertIn(position, by_position, f"index entry ({offset}, {position})")
            self.assertEqual(by_position[position]["last"], offset)

        lines, err = self.dump("--files", self.segment + ".timeindex")
        self.assertEqual(err, "", "time index mismatches")
        entries = [tuple(map(int, re.fullmatch(r"timestamp: (\d+) offset: (\d+)", l).groups()))
                   for l in lines[1:]]
        self.assertTrue(entries)
        for timestamp, offset in entries:
            self.assertIn(offset, by_last, f"time index entry ({timestamp}, {offset})")
            self.assertEqual(by_last[offset]["max_ts"], timestamp)

        lines, err = self.dump("--files", f"{self.segment}.index,{self.segment}.timeindex",
                               "--verify-index-only")
        self.assertEqual((lines, err), ([f"Dumping {self.segment}.index",
                                         f"Dumping {self.segment}.timeindex"], ""))

    def test_shallow_dump_and_a_broken_index(self):
        lines, _ = self.dump("--files", self.segment + ".log")
        self.assertFalse([l for l in lines if l.startswith("|")], "records without the flags")
        batches = [l for l in lines if l.startswith("baseOffset: ")]
        self.assertGreater(len(batches), 3)

        # A copy of the index whose second entry names the wrong offset: Kafka's report.
        copy_dir = tempfile.mkdtemp(prefix="samsa-dump-log-")
        self.addCleanup(shutil.rmtree, copy_dir)
        name = os.path.basename(self.segment)
        with open(self.segment + ".log", "rb") as f:
            log_bytes = f.read()
        with open(self.segment + ".index", "rb") as f:
            index_bytes = bytearray(f.read())
        with open(os.path.join(copy_dir, name + ".log"), "wb") as f:
            f.write(log_bytes)
        right = int.from_bytes(index_bytes[8:12], "big")
        index_bytes[8:12] = (right + 1).to_bytes(4, "big")
        with open(os.path.join(copy_dir, name + ".index"), "wb") as f:
            f.write(index_bytes)
        index = os.path.abspath(os.path.join(copy_dir, name + ".index"))
        lines, err = self.dump("--files", index, "--verify-index-only")
        self.assertEqual(lines, [f"Dumping {index}"])
        self.assertEqual(err, f"Mismatches in :{index}\n"
                              f"  Index offset: {right + 1}, log offset: {right}\n")
