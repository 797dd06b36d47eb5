"""The log directory as an operator sees it: segments named by 20-digit base offsets with their
.index/.timeindex, rolled at segment.bytes; meta.properties; the leader-epoch checkpoint; the
topic id in partition.metadata; and time-based retention deleting old segments so that ListOffsets
earliest moves forward (broker started with --override log.retention.check.interval.ms=1000
--override log.segment.delete.delay.ms=0)."""

import json
import os
import re
import struct
import time

from confluent_kafka import Producer
from kafka import KafkaAdminClient, KafkaConsumer
from kafka import TopicPartition as KTopicPartition
from kafka.admin import NewTopic

import harness
import wire
from harness import wait_until

SEGMENT_BYTES = 16384
SEGMENT_FILE = re.compile(r"^(\d{20})\.(log|index|timeindex)$")


def segment_files(partition_dir):
    """{base offset: set of extensions} of the segment files in a partition dir."""
    out = {}
    for name in os.listdir(partition_dir):
        m = SEGMENT_FILE.match(name)
        if m:
            out.setdefault(int(m.group(1)), set()).add(m.group(2))
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


class LogLayoutTest(harness.ClusterTestCase):
    broker_id = 12
    broker_cli_overrides = {"log.retention.check.interval.ms": "1000",
                            "log.segment.delete.delay.ms": "0"}

    def create_topic(self, name, configs):
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap,
                                 api_version_auto_timeout_ms=10000)
        try:
            admin.create_topics([NewTopic(name, 1, 1, topic_configs=configs)], timeout_ms=30000)
        finally:
            admin.close()
        harness.wait_for_leaders(self.broker, name, 1)
        return os.path.join(self.broker.data_dir, f"{name}-0")

    def produce(self, topic, start, count, timestamp_ms=None):
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "acks": "all", "linger.ms": 5,
                      "batch.num.messages": 40})
        errors = []
        for i in range(start, start + count):
            kwargs = {"timestamp": timestamp_ms} if timestamp_ms else {}
            p.produce(topic, key=f"k{i}".encode(), value=f"value-{i}-".encode() * 8,
                      partition=0, on_delivery=lambda e, m: e and errors.append(e), **kwargs)
            p.poll(0)
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [])

    def test_segments_roll_at_segment_bytes_with_indexes(self):
        topic = harness.unique_topic("layout")
        pdir = self.create_topic(topic, {"segment.bytes": str(SEGMENT_BYTES)})
        n = 2000
        self.produce(topic, 0, n)

        files = segment_files(pdir)
        bases = sorted(files)
        self.assertGreaterEqual(len(bases), 5, f"expected several segments, got {bases}")
        self.assertEqual(bases[0], 0)
        for base in bases:
            self.assertEqual(files[base], {"log", "index", "timeindex"}, f"segment {base}")
        next_offset = 0
        for k, base in enumerate(bases):
            log = read(os.path.join(pdir, f"{base:020d}.log"))
            self.assertLessEqual(len(log), SEGMENT_BYTES, f"segment {base} exceeds segment.bytes")
            batches = list(wire.parse_batches(log))
            self.assertTrue(batches, f"empty segment {base}")
            # Named by the base offset of its first batch; offsets continue across segments.
            self.assertEqual(batches[0][0], base)
            self.assertEqual(base, next_offset, "gap or overlap between segments")
            self.assertEqual(sum(12 + struct.unpack_from(">i", log, 8 + p)[0] for p in
                                 self._positions(log)), len(log), "trailing bytes")
            next_offset = batches[-1][1] + 1
            if k < len(bases) - 1:
                # Rolled segments have indexes trimmed to their entries (no preallocation).
                index = read(os.path.join(pdir, f"{base:020d}.index"))
                timeindex = read(os.path.join(pdir, f"{base:020d}.timeindex"))
                self.assertEqual(len(index) % 8, 0)
                self.assertEqual(len(timeindex) % 12, 0)
                self.assertLess(len(index), 1024, f"index of rolled segment {base} not trimmed")
                self.assertLess(len(timeindex), 1024)
                self.check_offset_index(base, index, log)
                self.check_time_index(base, timeindex, batches)
        self.assertEqual(next_offset, n)

    @staticmethod
    def _positions(log):
        pos = []
        p = 0
        while p + 12 <= len(log):
            pos.append(p)
            p += 12 + struct.unpack_from(">i", log, p + 8)[0]
        return pos

    def check_offset_index(self, base, index, log):
        """Each entry maps a relative offset to the position of a batch holding it."""
        starts = {p: struct.unpack_from(">qi", log, p) for p in self._positions(log)}
        last_rel = -1
        for i in range(0, len(index), 8):
            rel, pos = struct.unpack_from(">ii", index, i)
            self.assertGreater(rel, last_rel, f"index of {base} not increasing")
            last_rel = rel
            self.assertIn(pos, starts, f"index entry ({rel}, {pos}) not at a batch start")
            first = starts[pos][0]
            self.assertLessEqual(first, base + rel)

    def check_time_index(self, base, timeindex, batches):
        last_ts = -1
        offsets = {o for b in batches for o in range(b[0], b[1] + 1)}
        for i in range(0, len(timeindex), 12):
            ts, rel = struct.unpack_from(">qi", timeindex, i)
            self.assertGreaterEqual(ts, last_ts, f"time index of {base} not increasing")
            last_ts = ts
            self.assertIn(base + rel, offsets)

    def test_meta_properties(self):
        props = {}
        with open(os.path.join(self.broker.data_dir, "meta.properties")) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    props[k] = v
        cluster = json.loads(self.zkc.get("/cluster/id")[0])
        self.assertEqual(props, {"version": "0", "broker.id": str(self.broker_id),
                                 "cluster.id": cluster["id"]})

    def test_partition_metadata_holds_topic_id(self):
        # Kafka 2.8 (IBP 2.8) writes <partition dir>/partition.metadata with the topic id.
        topic = harness.unique_topic("topicid")
        pdir = self.create_topic(topic, {})
        topic_id = json.loads(self.zkc.get(f"/brokers/topics/{topic}")[0])["topic_id"]
        path = os.path.join(pdir, "partition.metadata")
        self.assertTrue(os.path.exists(path), f"no partition.metadata in {os.listdir(pdir)}")
        with open(path) as f:
            self.assertEqual(f.read().splitlines(), ["version: 0", f"topic_id: {topic_id}"])

    def test_leader_epoch_checkpoint(self):
        # <partition dir>/leader-epoch-checkpoint in Kafka's format: version 0, one entry, epoch
        # 0 starting at offset 0. A new leader's entry is written (fsynced) before the log's
        # recovery point passes records of its epoch, not on the LeaderAndIsr path (thousands
        # of partitions change leader at once there): rolling segments makes the broker flush
        # the rolled ones, which moves the recovery point.
        topic = harness.unique_topic("epochs")
        pdir = self.create_topic(topic, {"segment.bytes": str(SEGMENT_BYTES)})
        self.produce(topic, 0, 1000)
        path = os.path.join(pdir, "leader-epoch-checkpoint")
        harness.wait_until(lambda: os.path.exists(path), 30,
                           f"leader-epoch-checkpoint in {pdir} once rolled segments are flushed")
        with open(path) as f:
            self.assertEqual(f.read().splitlines(), ["0", "1", "0 0"])

    def test_time_retention_deletes_old_segments_and_moves_log_start(self):
        topic = harness.unique_topic("retention")
        pdir = self.create_topic(topic, {"segment.bytes": str(SEGMENT_BYTES),
                                         "retention.ms": "600000"})
        old, new = 1000, 1000
        # Records an hour old (beyond retention.ms), then current ones.
        self.produce(topic, 0, old, timestamp_ms=int(time.time() * 1000) - 3_600_000)
        self.produce(topic, old, new)

        # The segment holding the first current record stays, and so does everything after it.
        def segment_of(offset):
            for base in sorted(segment_files(pdir), reverse=True):
                if base <= offset:
                    return base
        keep_from = segment_of(old)
        self.assertGreater(keep_from, 0, "the old records must fill whole segments")

        wait_until(lambda: harness.watermarks(self.broker, topic) == (keep_from, old + new), 20,
                   f"ListOffsets earliest to move to {keep_from} (latest {old + new})")
        # A removed segment's files are first renamed *.deleted, then deleted (at once with
        # log.segment.delete.delay.ms=0); a listing may fall between the two.
        wait_until(lambda: min(segment_files(pdir)) == keep_from and
                   not [n for n in os.listdir(pdir) if n.endswith(".deleted")], 10,
                   "the expired segments' files to be deleted")
        for base, exts in segment_files(pdir).items():
            self.assertEqual(exts, {"log", "index", "timeindex"}, f"segment {base}")

        consumer = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, group_id=None,
                                 enable_auto_commit=False, api_version_auto_timeout_ms=10000)
        try:
            tp = KTopicPartition(topic, 0)
            self.assertEqual(consumer.beginning_offsets([tp]), {tp: keep_from})
            self.assertEqual(consumer.end_offsets([tp]), {tp: old + new})
        finally:
            consumer.close()
        msgs = harness.consume_partitions(self.broker, topic, [0], start=keep_from)[0]
        self.assertEqual([(m.offset(), m.key()) for m in msgs],
                         [(i, f"k{i}".encode()) for i in range(keep_from, old + new)])


if __name__ == "__main__":
    import unittest
    unittest.main()
