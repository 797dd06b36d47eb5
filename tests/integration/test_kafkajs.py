"""kafkajs 2.2.4 (tests/js/admin_produce.js): createTopics with waitForLeaders, listTopics,
fetchTopicMetadata, fetchTopicOffsets, and producer.send with acks -1, keys and headers returning
offsets; the records are then read back with confluent-kafka to check what kafkajs wrote."""

import json
import os

import harness
from harness import JS_DIR, NODE, run

SCRIPT = os.path.join(JS_DIR, "admin_produce.js")


class KafkajsTest(harness.ClusterTestCase):
    broker_id = 6

    def test_admin_and_producer(self):
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")),
                        "kafkajs not installed: run `npm ci` in tests/js (scripts/install-deps.sh)")
        topic = harness.unique_topic("kafkajs")
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        p = run([NODE, SCRIPT, self.broker.bootstrap, topic], timeout=120, env=env)
        out = json.loads(p.stdout.decode().strip().splitlines()[-1])

        self.assertIs(out["created"], True)
        self.assertIs(out["createdAgain"], False, "creating an existing topic returns false")
        self.assertIn(topic, out["topics"])
        [md] = out["metadata"]["topics"]
        self.assertEqual(md["name"], topic)
        self.assertEqual(sorted((q["partitionId"], q["leader"], q["replicas"], q["isr"],
                                 q["partitionErrorCode"]) for q in md["partitions"]),
                         [(i, self.broker.broker_id, [self.broker.broker_id],
                           [self.broker.broker_id], 0) for i in range(3)])

        def offsets(rows):
            return sorted((r["partition"], r["low"], r["high"], r["offset"]) for r in rows)

        self.assertEqual(offsets(out["offsetsBefore"]), [(i, "0", "0", "0") for i in range(3)])
        # Two sends of 30 records, 10 per partition each: base offsets 0, then 10.
        for round_, send in enumerate(out["sends"]):
            rows = sorted((r["topicName"], r["partition"], r["errorCode"], r["baseOffset"])
                          for r in send)
            self.assertEqual(rows, [(topic, i, 0, str(10 * round_)) for i in range(3)],
                             f"send #{round_} result {send}")
        self.assertEqual(offsets(out["offsetsAfter"]), [(i, "0", "20", "20") for i in range(3)])

        got = harness.consume_partitions(self.broker, topic, range(3))
        for p_, msgs in got.items():
            ns = [n for n in range(60) if n % 3 == p_]
            self.assertEqual([(m.offset(), m.key(), m.value(), m.headers()) for m in msgs],
                             [(i, f"key-{n}".encode(), f"value-{n}".encode(),
                               [("source", b"kafkajs"), ("n", str(n).encode())])
                              for i, n in enumerate(ns)])


if __name__ == "__main__":
    import unittest
    unittest.main()
