"""The console and perf tools against a real broker, checked with a real client
(confluent-kafka): samsa-console-producer.sh's keyed lines land with their keys and values on
the partition Kafka's murmur2 partitioner picks (the one librdkafka's murmur2_random picks);
samsa-console-consumer.sh prints exactly what a real producer wrote (compressed batches too) and
"Processed a total of N messages", and with --group commits where it stopped;
samsa-producer-perf-test.sh sends exactly --num-records and prints Kafka's lines;
samsa-consumer-perf-test.sh consumes --messages and prints Kafka's header and row; the tools
reach a SASL_PLAINTEXT listener with the credentials of --producer.config / --consumer.config."""

import os
import re
import subprocess

import harness
from harness import wait_until

SCRIPTS = os.path.join(harness.ROOT, "scripts")


def script(name):
    return os.path.join(SCRIPTS, name)


class ToolsClientsTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        """One broker with a PLAINTEXT listener and a SASL_PLAINTEXT one (SCRAM user alice)."""
        super().setUpClass()
        try:
            cls.zk = harness.ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            cls.sasl_port = harness.free_port()
            cls.broker = harness.Broker(cls.zk, broker_id=1, props={
                "listeners": "PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:"
                             f"{cls.sasl_port}",
                "sasl.enabled.mechanisms": "SCRAM-SHA-256"})
            cls.broker.props["listeners"] = cls.broker.props["listeners"].format(
                port=cls.broker.port)
            cls.addClassCleanup(cls.broker.cleanup)
            harness.run([script("samsa-configs.sh"), "--zookeeper", cls.broker.zk_connect,
                         "--alter", "--entity-type", "users", "--entity-name", "alice",
                         "--add-config", "SCRAM-SHA-256=[password=alice-secret]"], timeout=60)
            cls.broker.start()
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    def run_tool(self, name, *args, input=None, rc=0, timeout=60):
        p = subprocess.run([script(name), *args], input=input, capture_output=True,
                           timeout=timeout)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, rc, f"{name} {' '.join(args)}:\n{out}\n{err}")
        return out, err

    def read_all(self, topic, partitions, count):
        """Every record of `topic` through confluent-kafka, as (partition, offset, key, value)."""
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "reader",
                      "enable.auto.commit": False})
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        got = []
        try:
            def enough():
                m = c.poll(0.2)
                if m is not None and not m.error():
                    got.append((m.partition(), m.offset(), m.key(), m.value()))
                return len(got) >= count
            wait_until(enough, 30, f"{count} records of {topic}", interval=0)
        finally:
            c.close()
        return got

    def high_watermarks(self, topic, partitions):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "hw"})
        try:
            return [c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                    for p in range(partitions)]
        finally:
            c.close()

    def produce_real(self, topic, values, keys=None, **config):
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": self.broker.bootstrap, **config})
        for i, v in enumerate(values):
            p.produce(topic, value=v, key=None if keys is None else keys[i])
        self.assertEqual(p.flush(30), 0)

    def committed(self, group, topic, partitions):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group})
        try:
            return {tp.partition: tp.offset for tp in c.committed(
                [TopicPartition(topic, p) for p in range(partitions)], timeout=30)}
        finally:
            c.close()

    def test_console_producer_keys_land_on_kafkas_murmur2_partition(self):
        topic = harness.unique_topic("console-in")
        ref = harness.unique_topic("console-ref")
        harness.create_topic(self.broker, topic, partitions=4)
        harness.create_topic(self.broker, ref, partitions=4)
        keys = [f"user-{i}" for i in range(40)]
        lines = "".join(f"{k}:value {i}:x\n" for i, k in enumerate(keys)).encode()
        self.run_tool("samsa-console-producer.sh", "--bootstrap-server", self.broker.bootstrap,
                      "--topic", topic, "--property", "parse.key=true", "--property",
                      "key.separator=:", "--compression-codec", "lz4",
                      "--request-required-acks", "-1", input=lines)
        # librdkafka with Kafka's partitioner, for the partition each key must land on.
        self.produce_real(ref, [b"r"] * len(keys), keys=[k.encode() for k in keys],
                          partitioner="murmur2_random")
        ours = self.read_all(topic, 4, len(keys))
        theirs = {k: p for p, _, k, _ in self.read_all(ref, 4, len(keys))}
        self.assertEqual(len(ours), len(keys))
        self.assertEqual({(k, v) for _, _, k, v in ours},
                         {(k.encode(), f"value {i}:x".encode()) for i, k in enumerate(keys)})
        for p, _, k, _ in ours:
            self.assertEqual(p, theirs[k], k)
        self.assertGreater(len({p for p, _, _, _ in ours}), 1)

        # acks=0: nothing is answered, the records still arrive.
        self.run_tool("samsa-console-producer.sh", "--bootstrap-server", self.broker.bootstrap,
                      "--topic", topic, "--request-required-acks", "0", "--sync",
                      input=b"a\nb\nc\n")
        wait_until(lambda: sum(self.high_watermarks(topic, 4)) == len(keys) + 3, 20,
                   "acks=0 records")

        # A line without the separator stops the tool, with Kafka's message.
        _, err = self.run_tool("samsa-console-producer.sh", "--bootstrap-server",
                               self.broker.bootstrap, "--topic", topic, "--property",
                               "parse.key=true", input=b"k\tv\nnokey\n", rc=1)
        self.assertIn("No key found on line 2: nokey", err)

    def test_console_producer_retries_through_a_broker_restart(self):
        topic = harness.unique_topic("console-restart")
        harness.create_topic(self.broker, topic, partitions=1)
        producer = subprocess.Popen(
            [script("samsa-console-producer.sh"), "--bootstrap-server", self.broker.bootstrap,
             "--topic", topic, "--timeout", "10", "--request-required-acks", "-1",
             "--message-send-max-retries", "300", "--retry-backoff-ms", "100"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            producer.stdin.write(b"before-0\nbefore-1\n")
            producer.stdin.flush()
            wait_until(lambda: self.high_watermarks(topic, 1) == [2], 20, "first records")
            # Lines sent while the broker is down wait in retries until it is back.
            self.broker.stop()
            producer.stdin.write(b"during-0\nduring-1\n")
            producer.stdin.flush()
            self.broker.start()
            _, err = producer.communicate(input=b"after-0\n", timeout=60)
        finally:
            if producer.poll() is None:
                producer.kill()
                producer.wait()
        self.assertEqual(producer.returncode, 0, err.decode())
        self.assertEqual([v for _, _, _, v in sorted(self.read_all(topic, 1, 5))],
                         [b"before-0", b"before-1", b"during-0", b"during-1", b"after-0"])

    def test_console_consumer_prints_what_a_real_producer_wrote(self):
        topic = harness.unique_topic("console-out")
        harness.create_topic(self.broker, topic, partitions=2)
        values = [f"message-{i}".encode() for i in range(30)]
        self.produce_real(topic, values[:15], keys=[b"k%d" % i for i in range(15)],
                          **{"compression.type": "snappy"})
        self.produce_real(topic, values[15:], **{"compression.type": "gzip"})
        where = {v: p for p, _, _, v in self.read_all(topic, 2, 30)}
        out, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server",
                                 self.broker.bootstrap, "--topic", topic, "--from-beginning",
                                 "--max-messages", "30", "--property", "print.key=true",
                                 "--property", "print.partition=true")
        expected = {f"Partition:{where[v]}\t{'k%d' % i if i < 15 else 'null'}\t{v.decode()}"
                    for i, v in enumerate(values)}
        self.assertEqual(sorted(out.splitlines()), sorted(expected))
        self.assertIn("Processed a total of 30 messages", err.splitlines())

        # One partition from an offset.
        out, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server",
                                 self.broker.bootstrap, "--topic", topic, "--partition", "1",
                                 "--offset", "2", "--timeout-ms", "1500",
                                 "--property", "print.offset=true")
        mine = [f"Offset:{o}\t{v.decode()}" for p, o, _, v in
                sorted(self.read_all(topic, 2, 30)) if p == 1 and o >= 2]
        self.assertEqual(out.splitlines(), mine)
        self.assertIn(f"Processed a total of {len(mine)} messages", err)

    def test_console_consumer_group_commits_where_it_stopped(self):
        topic = harness.unique_topic("console-group")
        harness.create_topic(self.broker, topic, partitions=1)
        self.produce_real(topic, [b"v%d" % i for i in range(10)])
        group = harness.unique_topic("console-g")
        out, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server",
                                 self.broker.bootstrap, "--topic", topic, "--group", group,
                                 "--from-beginning", "--max-messages", "4")
        self.assertEqual(out.splitlines(), ["v0", "v1", "v2", "v3"])
        self.assertIn("Processed a total of 4 messages", err)
        self.assertEqual(self.committed(group, topic, 1), {0: 4})
        # The same group goes on from there; the consumer-groups tool sees the commit.
        out, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server",
                                 self.broker.bootstrap, "--topic", topic, "--group", group,
                                 "--timeout-ms", "2000")
        self.assertEqual(out.splitlines(), [f"v{i}" for i in range(4, 10)])
        self.assertIn("Processed a total of 6 messages", err)
        self.assertEqual(self.committed(group, topic, 1), {0: 10})
        out, _ = self.run_tool("samsa-consumer-groups.sh", "--bootstrap-server",
                               self.broker.bootstrap, "--describe", "--group", group)
        row = [l.split() for l in out.splitlines() if l.startswith(group)]
        self.assertEqual([r[2:6] for r in row], [["0", "10", "10", "0"]])

    def test_two_console_consumers_share_a_group_by_range(self):
        topic = harness.unique_topic("console-range")
        harness.create_topic(self.broker, topic, partitions=2)
        group = harness.unique_topic("console-range-g")
        cmd = [script("samsa-console-consumer.sh"), "--bootstrap-server", self.broker.bootstrap,
               "--topic", topic, "--group", group, "--property", "print.partition=true",
               "--timeout-ms", "5000", "--consumer-property", "heartbeat.interval.ms=500"]
        first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # The leader's range assignment: one partition each, as the group shows it.
            def members():
                out, _ = self.run_tool("samsa-consumer-groups.sh", "--bootstrap-server",
                                       self.broker.bootstrap, "--describe", "--group", group,
                                       "--members")
                return sorted(l.split()[-1] for l in out.splitlines() if l.startswith(group))
            wait_until(lambda: members() == ["1", "1"], 20, "two members, a partition each")
            from confluent_kafka import Producer
            p = Producer({"bootstrap.servers": self.broker.bootstrap})
            for i in range(20):
                p.produce(topic, value=b"v%d" % i, partition=i % 2)
            self.assertEqual(p.flush(30), 0)
            outs = [c.communicate(timeout=60) for c in (first, second)]
        finally:
            for c in (first, second):
                if c.poll() is None:
                    c.kill()
                    c.wait()
        lines = [set(o.decode().splitlines()) for o, _ in outs]
        self.assertEqual(lines[0] | lines[1],
                         {f"Partition:{i % 2}\tv{i}" for i in range(20)})
        self.assertFalse(lines[0] & lines[1])
        for (_, err), got in zip(outs, lines):
            self.assertEqual(len({l.split()[0] for l in got}), 1, got)  # one partition each
            self.assertIn(f"Processed a total of {len(got)} messages", err.decode())

    def test_secured_cluster_through_the_config_files(self):
        topic = harness.unique_topic("console-sasl")
        harness.create_topic(self.broker, topic, partitions=2)
        props = os.path.join(self.broker.dir, "alice.properties")
        with open(props, "w") as f:
            f.write("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                    'required username="alice" password="alice-secret";\n')
        sasl = f"127.0.0.1:{self.sasl_port}"
        self.run_tool("samsa-console-producer.sh", "--bootstrap-server", sasl, "--topic", topic,
                      "--producer.config", props, input=b"s1\ns2\ns3\n")
        self.assertEqual(sorted(v for _, _, _, v in self.read_all(topic, 2, 3)),
                         [b"s1", b"s2", b"s3"])
        out, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server", sasl,
                                 "--topic", topic, "--from-beginning", "--max-messages", "3",
                                 "--consumer.config", props)
        self.assertEqual(sorted(out.splitlines()), ["s1", "s2", "s3"])
        self.assertIn("Processed a total of 3 messages", err)
        # The same settings as --consumer-property flags.
        out, err = self.run_tool(
            "samsa-console-consumer.sh", "--bootstrap-server", sasl, "--topic", topic,
            "--from-beginning", "--max-messages", "3",
            "--consumer-property", "security.protocol=SASL_PLAINTEXT",
            "--consumer-property", "sasl.mechanism=SCRAM-SHA-256",
            "--consumer-property", "sasl.jaas.config=org.apache.kafka.common.security.scram."
            'ScramLoginModule required username="alice" password="alice-secret";')
        self.assertEqual(sorted(out.splitlines()), ["s1", "s2", "s3"])
        out, _ = self.run_tool("samsa-producer-perf-test.sh", "--topic", topic, "--num-records",
                               "100", "--record-size", "10", "--throughput", "-1",
                               "--producer.config", props, "--producer-props",
                               f"bootstrap.servers={sasl}")
        self.assertTrue(out.startswith("100 records sent, "), out)
        self.assertEqual(sum(self.high_watermarks(topic, 2)), 103)
        # Without the credentials the SASL listener answers nothing a client can use.
        _, err = self.run_tool("samsa-console-consumer.sh", "--bootstrap-server", sasl,
                               "--topic", topic, "--from-beginning", "--max-messages", "3",
                               rc=1, timeout=90)
        self.assertIn("Processed a total of 0 messages", err)

    def test_perf_tools_send_and_consume_exactly_the_count(self):
        topic = harness.unique_topic("perf")
        harness.create_topic(self.broker, topic, partitions=3)
        out, _ = self.run_tool("samsa-producer-perf-test.sh", "--topic", topic,
                               "--num-records", "6000", "--record-size", "100",
                               "--throughput", "1000", "--producer-props",
                               f"bootstrap.servers={self.broker.bootstrap}", "acks=all",
                               "compression.type=zstd")
        self.assertEqual(sum(self.high_watermarks(topic, 3)), 6000)
        lines = out.splitlines()
        window = re.compile(r"^\d+ records sent, \d+\.\d records/sec \(\d+\.\d\d MB/sec\), "
                            r"\d+\.\d ms avg latency, \d+\.\d ms max latency\.$")
        total = re.compile(r"^6000 records sent, \d+\.\d{6} records/sec \(\d+\.\d\d MB/sec\), "
                           r"\d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, \d+ ms 50th, "
                           r"\d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$")
        self.assertRegex(lines[-1], total)
        self.assertTrue(lines[:-1], out)  # 6 s at 1000/s: a 5 s window line first
        for line in lines[:-1]:
            self.assertRegex(line, window)

        out, _ = self.run_tool("samsa-consumer-perf-test.sh", "--bootstrap-server",
                               self.broker.bootstrap, "--topic", topic, "--messages", "6000",
                               "--timeout", "20000")
        header, row = out.splitlines()
        self.assertEqual(header, "start.time, end.time, data.consumed.in.MB, MB.sec, "
                                 "data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, "
                                 "fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec")
        fields = row.split(", ")
        self.assertEqual(len(fields), 10, row)
        date = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}"
        self.assertRegex(fields[0], date)
        self.assertRegex(fields[1], date)
        self.assertEqual(fields[2], f"{6000 * 100 / 1048576:.4f}")
        self.assertEqual(fields[4], "6000")
        for f in (fields[3], fields[5], fields[8], fields[9]):
            self.assertRegex(f, r"^(\d+\.\d{4}|Infinity)$")
        self.assertGreaterEqual(int(fields[6]), 0)
        self.assertGreaterEqual(int(fields[7]), 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
