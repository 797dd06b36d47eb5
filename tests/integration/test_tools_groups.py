"""scripts/samsa-consumer-groups.sh against a real broker and real confluent-kafka consumers:
a group's --describe shows the offsets a consumer committed, the log end offsets and the lag
between them; --reset-offsets plans without changing anything unless --execute, is refused
while the group has members, and with --execute moves the committed offsets so that the next
consumer of the group starts there; --delete-offsets and --delete remove what they name."""

import os
import subprocess
import time

import harness
from harness import wait_until

SCRIPT = os.path.join(harness.ROOT, "scripts", "samsa-consumer-groups.sh")


class ToolsGroupsTest(harness.ClusterTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from confluent_kafka import Producer
        cls.topic = harness.unique_topic("grouped")
        harness.create_topic(cls.broker, cls.topic, partitions=2)
        p = Producer({"bootstrap.servers": cls.broker.bootstrap})
        for i in range(10):
            p.produce(cls.topic, value=b"v%d" % i, partition=i % 2)
        assert p.flush(30) == 0

    def groups(self, *args, rc=0):
        p = subprocess.run([SCRIPT, "--bootstrap-server", self.broker.bootstrap, *args],
                           capture_output=True, timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, rc, f"{' '.join(args)}:\n{out}\n{err}")
        return out, err

    def consumer(self, group):
        from confluent_kafka import Consumer
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "session.timeout.ms": 6000})
        c.subscribe([self.topic])
        return c

    def consume_and_commit(self, group, counts):
        """Joins `group`, reads counts[p] records of each partition p, commits them, then leaves
        (the group is Empty afterwards) unless the consumer is returned open."""
        from confluent_kafka import TopicPartition
        c = self.consumer(group)
        seen = {0: [], 1: []}
        deadline = time.monotonic() + 60
        while any(len(seen[p]) < 5 for p in seen):
            self.assertLess(time.monotonic(), deadline, f"consuming: {seen}")
            m = c.poll(0.5)
            if m is not None and not m.error():
                seen[m.partition()].append(m.offset())
        c.commit(offsets=[TopicPartition(self.topic, p, n) for p, n in counts.items()],
                 asynchronous=False)
        return c, seen

    def committed(self, group):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group})
        try:
            return {tp.partition: tp.offset for tp in c.committed(
                [TopicPartition(self.topic, 0), TopicPartition(self.topic, 1)], timeout=30)}
        finally:
            c.close()

    def describe_rows(self, group):
        """--describe's data rows as dicts of its columns."""
        out, err = self.groups("--describe", "--group", group)
        lines = [l for l in out.splitlines() if l]
        header = lines[0].split()
        self.assertEqual(header, ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                                  "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"])
        return [dict(zip(header, l.split())) for l in lines[1:]], err

    def test_describe_shows_committed_offsets_and_lag(self):
        group = harness.unique_topic("g-lag")
        c, _ = self.consume_and_commit(group, {0: 3, 1: 4})
        # A member holds both partitions: the rows name it.
        rows, _ = self.describe_rows(group)
        self.assertEqual({(r["PARTITION"], r["CURRENT-OFFSET"], r["LOG-END-OFFSET"], r["LAG"])
                          for r in rows}, {("0", "3", "5", "2"), ("1", "4", "5", "1")})
        self.assertTrue(all(r["CONSUMER-ID"] != "-" for r in rows), rows)
        self.assertIn(group, self.groups("--list")[0].splitlines())
        out, _ = self.groups("--describe", "--group", group, "--members")
        self.assertIn(" 2 ", out.splitlines()[2])  # one member, #PARTITIONS 2

        # While it is a member, resets are refused.
        out, _ = self.groups("--reset-offsets", "--group", group, "--topic", self.topic,
                             "--to-earliest", "--execute")
        self.assertIn(f"Error: Assignments can only be reset if the group '{group}' is "
                      "inactive, but the current state is Stable.", out)
        c.close()

        # Empty now: the same offsets, no owner, and the state says so.
        wait_until(lambda: "Empty" in self.groups("--describe", "--group", group,
                                                  "--state")[0], 30, f"{group} empty")
        rows, err = self.describe_rows(group)
        self.assertIn(f"Consumer group '{group}' has no active members.", err)
        self.assertEqual({(r["PARTITION"], r["LAG"], r["CONSUMER-ID"]) for r in rows},
                         {("0", "2", "-"), ("1", "1", "-")})

    def test_reset_offsets_moves_where_the_next_consumer_starts(self):
        group = harness.unique_topic("g-reset")
        c, _ = self.consume_and_commit(group, {0: 5, 1: 5})
        c.close()
        wait_until(lambda: "Empty" in self.groups("--describe", "--group", group,
                                                  "--state")[0], 30, f"{group} empty")

        # A dry run (the default) prints the plan and changes nothing.
        out, err = self.groups("--reset-offsets", "--group", group, "--topic",
                               f"{self.topic}:0", "--shift-by", "-2")
        self.assertIn("WARN: No action will be performed", err)
        self.assertEqual(out.splitlines()[1:], [
            "GROUP" + " " * 26 + "TOPIC" + " " * 26 + "PARTITION  NEW-OFFSET     ",
            f"{group:<30} {self.topic:<30} {'0':<10} {'3':<15}"])
        self.assertEqual(self.committed(group), {0: 5, 1: 5})

        self.groups("--reset-offsets", "--group", group, "--all-topics", "--to-offset", "1",
                    "--execute")
        self.assertEqual(self.committed(group), {0: 1, 1: 1})
        self.groups("--reset-offsets", "--group", group, "--topic", f"{self.topic}:1",
                    "--to-earliest", "--execute")
        self.assertEqual(self.committed(group), {0: 1, 1: 0})

        # The group's next consumer starts at the reset offsets.
        c = self.consumer(group)
        try:
            first = {}
            deadline = time.monotonic() + 60
            while len(first) < 2:
                self.assertLess(time.monotonic(), deadline, f"first offsets: {first}")
                m = c.poll(0.5)
                if m is not None and not m.error():
                    first.setdefault(m.partition(), m.offset())
            self.assertEqual(first, {0: 1, 1: 0})
        finally:
            c.close()

    def test_delete_offsets_and_group(self):
        group = harness.unique_topic("g-delete")
        c, _ = self.consume_and_commit(group, {0: 2, 1: 2})
        c.close()
        wait_until(lambda: "Empty" in self.groups("--describe", "--group", group,
                                                  "--state")[0], 30, f"{group} empty")
        out, _ = self.groups("--delete-offsets", "--group", group, "--topic", f"{self.topic}:0")
        self.assertIn(f"Request succeed for deleting offsets with topic {self.topic}:0 group "
                      f"{group}", out)
        self.assertIn(f"{self.topic:<30} {'0':<15} {'Successful':<15}", out)
        self.assertEqual(self.committed(group), {0: -1001, 1: 2})

        out, _ = self.groups("--delete", "--group", group)
        self.assertEqual(out, f"Deletion of requested consumer groups ('{group}') was "
                              "successful.\n")
        self.assertNotIn(group, self.groups("--list")[0].splitlines())
        out, _ = self.groups("--describe", "--group", group)
        self.assertIn(f"Error: Consumer group '{group}' does not exist.", out)
