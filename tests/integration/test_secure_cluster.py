"""A locked-down cluster as Samsa's users run it: three brokers whose only listeners are SASL_SSL
(TLS 1.3, SCRAM and PLAIN against credentials in ZooKeeper), the ACL authorizer on with
User:admin the only super user, and the brokers talking to each other (the controller's
requests, the followers' fetches) over SASL_SSL as admin with SCRAM-SHA-512.

- kcat, confluent-kafka, kafka-python and kafkajs produce and consume as alice once ACLs allow it,
  over SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN; replicas stay in sync;
- bob, with no ACLs, cannot produce, consume, see the topic in Metadata, create topics or find a
  group's coordinator; `samsa-acls.sh --add` lets him write without any restart, `--remove`
  stops him again on his next request;
- samsa-acls.sh and samsa-configs.sh reach the cluster over SASL_SSL (--command-config)."""

import json
import os
import shutil
import tempfile

import harness
from harness import JS_DIR, KCAT, NODE, ROOT, free_port, run, wait_until

CERTS = os.path.join(ROOT, "scripts", "samsa-certs.sh")
CONFIGS = os.path.join(ROOT, "scripts", "samsa-configs.sh")
ACLS = os.path.join(ROOT, "scripts", "samsa-acls.sh")
USERS = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule"


def jaas(module, user):
    return f'{module} required username="{user}" password="{USERS[user]}";'


class SecureClusterTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._start()
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    @classmethod
    def _start(cls):
        cls.tls = tempfile.mkdtemp(prefix="samsa-it-secure-")
        cls.addClassCleanup(shutil.rmtree, cls.tls, True)
        run([CERTS, "--dir", cls.tls, "ca"])
        run([CERTS, "--dir", cls.tls, "broker", "broker"])
        cls.ca = os.path.join(cls.tls, "ca.pem")
        cls.zk = harness.ZooKeeper().start()
        cls.addClassCleanup(cls.zk.cleanup)
        chroot = harness.unique_chroot()
        root = cls.zk.client()
        root.ensure_path(chroot)
        root.stop()
        root.close()
        for user, password in USERS.items():  # before any broker runs: the ZooKeeper path
            run([CONFIGS, "--zookeeper", cls.zk.connect + chroot, "--alter", "--entity-type",
                 "users", "--entity-name", user, "--add-config",
                 f"SCRAM-SHA-256=[password={password}],SCRAM-SHA-512=[password={password}]"])
        cls.brokers = []
        for i in (1, 2, 3):
            internal, client = free_port(), free_port()
            props = {
                "listeners": f"INTERNAL://127.0.0.1:{internal},CLIENT://127.0.0.1:{client}",
                "listener.security.protocol.map": "INTERNAL:SASL_SSL,CLIENT:SASL_SSL",
                "inter.broker.listener.name": "INTERNAL",
                "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
                "listener.name.internal.scram-sha-512.sasl.jaas.config":
                    jaas(SCRAM_LOGIN, "admin"),
                "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "ssl.keystore.type": "PEM",
                "ssl.keystore.location": os.path.join(cls.tls, "broker.pem"),
                "ssl.truststore.type": "PEM",
                "ssl.truststore.location": cls.ca,
                "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
                "super.users": "User:admin",
            }
            b = harness.Broker(cls.zk, broker_id=i, chroot=chroot, port=client, props=props)
            cls.addClassCleanup(b.cleanup)
            cls.brokers.append(b)
        for b in cls.brokers:
            b.start(wait=False)
        cls.zkc = cls.zk.client(chroot)
        cls.addClassCleanup(cls.zkc.close)
        cls.addClassCleanup(cls.zkc.stop)
        wait_until(lambda: len(cls.zkc.get_children("/brokers/ids")) == 3, 60,
                   "3 brokers registered")
        cls.bootstrap = ",".join(b.bootstrap for b in cls.brokers)
        cls.admin_config = os.path.join(cls.tls, "admin.properties")
        with open(cls.admin_config, "w") as f:
            f.write("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                    f"sasl.jaas.config={jaas(SCRAM_LOGIN, 'admin')}\n"
                    f"ssl.truststore.type=PEM\nssl.truststore.location={cls.ca}\n")
        cls.topic = harness.unique_topic("secure")
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient(cls.client_conf("admin"))
        wait_until(lambda: cls._try_create(admin), 60, "admin creates the topic")
        wait_until(lambda: cls.full_isr(cls.topic), 60,
                   "every partition led with all 3 replicas in sync over SASL_SSL")

    @classmethod
    def _try_create(cls, admin):
        from confluent_kafka.admin import NewTopic
        try:
            admin.create_topics([NewTopic(cls.topic, 3, 3)], operation_timeout=20)[cls.topic].result(30)
            return True
        except Exception as e:  # noqa: BLE001 - NOT_CONTROLLER while the controller starts
            if "already exists" in str(e):
                return True
            return False

    @classmethod
    def client_conf(cls, user, mechanism="SCRAM-SHA-512", **extra):
        conf = {"bootstrap.servers": cls.bootstrap, "security.protocol": "SASL_SSL",
                "sasl.mechanism": mechanism, "sasl.username": user,
                "sasl.password": USERS[user], "ssl.ca.location": cls.ca}
        conf.update(extra)
        return conf

    @classmethod
    def full_isr(cls, topic):
        try:
            states = [json.loads(cls.zkc.get(f"/brokers/topics/{topic}/partitions/{p}/state")[0])
                      for p in range(3)]
        except Exception:  # noqa: BLE001 - not created yet
            return False
        return all(s["leader"] > 0 and len(s["isr"]) == 3 for s in states)

    def acls(self, *args):
        return run([ACLS, "--bootstrap-server", self.brokers[0].bootstrap, "--command-config",
                    self.admin_config, *args], timeout=60).stdout.decode()

    def produce(self, user, topic, n, mechanism="SCRAM-SHA-512"):
        """Delivery errors (names) of n records produced by `user`, None for each success."""
        from confluent_kafka import Producer
        p = Producer(self.client_conf(user, mechanism, **{"message.timeout.ms": 10000,
                                                          "acks": "all"}))
        results = []
        for i in range(n):
            p.produce(topic, value=f"{user}-{i}".encode(), partition=i % 3,
                      on_delivery=lambda err, msg: results.append(err.name() if err else None))
        p.flush(30)
        return results

    def kcat(self, user, mechanism, args, input=None, check=True):
        return run([KCAT, "-b", self.bootstrap, "-X", "security.protocol=SASL_SSL",
                    "-X", f"sasl.mechanism={mechanism}", "-X", f"sasl.username={user}",
                    "-X", f"sasl.password={USERS[user]}", "-X", f"ssl.ca.location={self.ca}",
                    *args], input=input, timeout=60, check=check)

    def test_1_alice_with_acls_uses_every_client(self):
        out = self.acls("--add", "--allow-principal", "User:alice", "--operation", "Read",
                        "--operation", "Write", "--operation", "Describe", "--topic", self.topic)
        self.assertIn(f"resourceType=TOPIC, name={self.topic}", out)
        # ACLs apply on every broker's next request: poll the first delivery.
        wait_until(lambda: self.produce("alice", self.topic, 1) == [None], 30,
                   "alice may write once the ACL is in")
        self.assertEqual(self.produce("alice", self.topic, 99, "SCRAM-SHA-256"), [None] * 99)
        self.kcat("alice", "SCRAM-SHA-512", ["-P", "-t", self.topic, "-p", "0"],
                  input=b"".join(b"kcat-%d\n" % i for i in range(50)))
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        js = run([NODE, os.path.join(JS_DIR, "sasl_produce.js"), self.brokers[1].bootstrap,
                  self.topic, "scram-sha-256", "alice", USERS["alice"], self.ca],
                 timeout=120, env=env)
        self.assertEqual(json.loads(js.stdout.decode().strip().splitlines()[-1])["sent"][0]
                         ["errorCode"], 0)
        # 100 confluent + 50 kcat + 30 kafkajs records, read back with kcat and kafka-python.
        out = self.kcat("alice", "PLAIN", ["-C", "-t", self.topic, "-o", "beginning", "-e", "-q"])
        values = sorted(out.stdout.decode().split())
        want = sorted([f"alice-0"] + [f"alice-{i}" for i in range(99)] +
                      [f"kcat-{i}" for i in range(50)] + [f"kafkajs-{i}" for i in range(30)])
        self.assertEqual(values, want)
        from kafka import KafkaConsumer, TopicPartition
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, security_protocol="SASL_SSL",
                                 sasl_mechanism="PLAIN", sasl_plain_username="alice",
                                 sasl_plain_password=USERS["alice"], ssl_cafile=self.ca,
                                 group_id=None, enable_auto_commit=False,
                                 api_version_auto_timeout_ms=10000)
        try:
            tps = [TopicPartition(self.topic, p) for p in range(3)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            got = []
            wait_until(lambda: got.extend(r.value.decode() for rs in
                                          consumer.poll(timeout_ms=500).values() for r in rs)
                       or len(got) >= len(want), 30, "kafka-python reads everything")
            self.assertEqual(sorted(got), want)
        finally:
            consumer.close()
        self.assertTrue(self.full_isr(self.topic), "replicas in sync over SASL_SSL")

    def test_2_bob_without_acls_is_refused_until_granted(self):
        topic = self.topic
        self.assertEqual(self.produce("bob", topic, 1), ["TOPIC_AUTHORIZATION_FAILED"])
        listing = self.kcat("bob", "SCRAM-SHA-256", ["-L"]).stdout.decode()
        self.assertNotIn(topic, listing, "Metadata hides topics bob may not describe")
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer(self.client_conf("bob", "SCRAM-SHA-256", **{"group.id": "unused"}))
        try:
            # Metadata hides the topic from bob, so librdkafka does not even ask for offsets.
            with self.assertRaisesRegex(Exception, "TOPIC_AUTHORIZATION_FAILED|Unknown partition"):
                c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        finally:
            c.close()
        from confluent_kafka.admin import AdminClient, NewTopic
        bobs_admin = AdminClient(self.client_conf("bob"))
        futures = bobs_admin.create_topics([NewTopic("bobs-own", 1, 3)], operation_timeout=10)
        with self.assertRaisesRegex(Exception, "TOPIC_AUTHORIZATION_FAILED|uthoriz"):
            futures["bobs-own"].result(20)
        self.assertIsNone(self.zkc.exists("/brokers/topics/bobs-own"))

        self.acls("--add", "--allow-principal", "User:bob", "--operation", "Write",
                  "--topic", topic)
        wait_until(lambda: self.produce("bob", topic, 1) == [None], 30,
                   "bob may write after --add, no restart")
        self.acls("--remove", "--force", "--allow-principal", "User:bob", "--operation", "Write",
                  "--topic", topic)
        wait_until(lambda: self.produce("bob", topic, 1) == ["TOPIC_AUTHORIZATION_FAILED"], 30,
                   "bob refused again after --remove")

    def test_3_users_managed_over_sasl_ssl(self):
        out = run([CONFIGS, "--bootstrap-server", self.brokers[0].bootstrap, "--command-config",
                   self.admin_config, "--alter", "--entity-type", "users", "--entity-name",
                   "carol", "--add-config", "SCRAM-SHA-512=[password=carol-secret]"],
                  timeout=60).stdout.decode()
        self.assertIn("carol", out)
        USERS["carol"] = "carol-secret"
        wait_until(lambda: self.kcat("carol", "SCRAM-SHA-512", ["-L"], check=False).returncode == 0,
                   30, "carol authenticates on every broker right away")
        described = run([CONFIGS, "--bootstrap-server", self.brokers[2].bootstrap,
                         "--command-config", self.admin_config, "--describe", "--entity-type",
                         "users", "--entity-name", "carol"], timeout=60).stdout.decode()
        self.assertIn("SCRAM-SHA-512", described)


if __name__ == "__main__":
    import unittest
    unittest.main()
