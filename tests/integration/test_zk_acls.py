"""zookeeper.set.acl=true: brokers log in to ZooKeeper with the digest scheme
(zookeeper.auth.digest) and create every znode with Kafka's secure ACLs (creator-all plus
world-read; creator-only under /config/users and /config/brokers). An anonymous ZooKeeper client
(kazoo) may read public metadata but cannot change any znode the brokers made, nor read the
credentials' znodes; a client with the brokers' login can. Without a login, a secure broker
refuses to start; with a wrong one it cannot take over the cluster's znodes."""

import json

from kazoo.exceptions import NoAuthError
from kazoo.security import make_digest_acl_credential

import harness
from harness import wait_until

LOGIN = "samsa-broker:zk-secret"


class ZooKeeperAclTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zk = harness.ZooKeeper().start()
        cls.addClassCleanup(cls.zk.cleanup)
        props = {"zookeeper.set.acl": "true", "zookeeper.auth.digest": LOGIN}
        cls.brokers = []
        chroot = harness.unique_chroot()
        for i in (1, 2):
            b = harness.Broker(cls.zk, broker_id=i, chroot=chroot, props=props)
            cls.addClassCleanup(b.cleanup)
            cls.brokers.append(b)
        for b in cls.brokers:
            b.start(wait=False)
        cls.anonymous = cls.zk.client(chroot)
        cls.addClassCleanup(cls.anonymous.close)
        cls.addClassCleanup(cls.anonymous.stop)
        wait_until(lambda: cls.anonymous.exists("/brokers/ids/2") and
                   cls.anonymous.exists("/controller"), 60, "both brokers registered")
        cls.topic = harness.unique_topic("zkacl")
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": ",".join(b.bootstrap for b in cls.brokers)})
        admin.create_topics([NewTopic(cls.topic, 2, 2)], operation_timeout=30)[cls.topic].result(30)
        wait_until(lambda: all(cls.anonymous.exists(f"/brokers/topics/{cls.topic}/partitions/{p}/state")
                               for p in range(2)), 30, "partition states written")

    def logged_in(self):
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=self.zk.connect + self.brokers[0].chroot, timeout=10,
                         auth_data=[("digest", LOGIN)])
        zk.start(timeout=15)
        self.addCleanup(zk.close)
        self.addCleanup(zk.stop)
        return zk

    def test_anonymous_reads_metadata_but_changes_nothing(self):
        zk = self.anonymous
        reg = json.loads(zk.get("/brokers/ids/1")[0])
        self.assertEqual(reg["port"], self.brokers[0].port)
        state = json.loads(zk.get(f"/brokers/topics/{self.topic}/partitions/0/state")[0])
        self.assertEqual(len(state["isr"]), 2)
        attempts = {
            "overwrite a partition state": lambda: zk.set(
                f"/brokers/topics/{self.topic}/partitions/0/state", b'{"leader":-1}'),
            "delete the controller": lambda: zk.delete("/controller"),
            "register a broker": lambda: zk.create("/brokers/ids/99", b"{}", ephemeral=True),
            "create a topic": lambda: zk.create("/brokers/topics/forged", b"{}"),
            "add a user": lambda: zk.create("/config/users/mallory", b"{}"),
            "change a topic config": lambda: zk.set(f"/config/topics/{self.topic}", b"{}"),
            "ask for a deletion": lambda: zk.create(f"/admin/delete_topics/{self.topic}"),
            "notify a config change": lambda: zk.create("/config/changes/config_change_",
                                                        b"{}", sequence=True),
        }
        for what, attempt in attempts.items():
            with self.subTest(what):
                with self.assertRaises(NoAuthError):
                    attempt()
        with self.assertRaises(NoAuthError):
            zk.get_children("/config/users")  # credentials: not even listed

    def test_acls_are_kafkas_secure_layout(self):
        user = LOGIN.split(":", 1)[0]
        full = make_digest_acl_credential(*LOGIN.split(":", 1))
        zk = self.logged_in()  # ZooKeeper 3.8 shows a znode's ACL only to who may read it

        def acl_set(path):
            acls, _ = zk.get_acls(path)
            # ZooKeeper masks the digest's hash ("user:x") for all but super users.
            return {(a.id.scheme, "creator" if a.id.id in (full, f"{user}:x") else a.id.id,
                     a.perms) for a in acls}

        for path in ["/brokers/ids/1", "/controller", f"/brokers/topics/{self.topic}",
                     f"/brokers/topics/{self.topic}/partitions/0/state", "/config/changes",
                     "/brokers/topics"]:
            with self.subTest(path):
                self.assertEqual(acl_set(path), {("digest", "creator", 31),
                                                 ("world", "anyone", 1)})
        for path in ["/config/users", "/config/brokers"]:
            with self.subTest(path):
                self.assertEqual(acl_set(path), {("digest", "creator", 31)})
                with self.assertRaises(NoAuthError):
                    self.anonymous.get_acls(path)

    def test_brokers_login_can_write_and_the_cluster_keeps_working(self):
        zk = self.logged_in()
        path = f"/config/topics/{self.topic}"
        data, stat = zk.get(path)
        zk.set(path, data, version=stat.version)  # allowed: the same login as the brokers
        self.assertIsNotNone(zk.get_children("/config/users"))
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": self.brokers[0].bootstrap, "acks": "all"})
        for i in range(50):
            p.produce(self.topic, value=b"v%d" % i, partition=i % 2)
        self.assertEqual(p.flush(30), 0)

    def test_users_added_through_zookeeper_with_the_brokers_login(self):
        import os
        configs = os.path.join(harness.ROOT, "scripts", "samsa-configs.sh")
        connect = self.zk.connect + self.brokers[0].chroot
        args = ["--zookeeper", connect, "--alter", "--entity-type", "users", "--entity-name",
                "carol", "--add-config", "SCRAM-SHA-512=[password=carol-secret]"]
        refused = harness.run([configs, *args], check=False)
        self.assertNotEqual(refused.returncode, 0, "no login: the secured /config/users refuses")
        harness.run([configs, *args, "--zookeeper.auth.digest", LOGIN])
        zk = self.logged_in()
        self.assertIn("SCRAM-SHA-512", zk.get("/config/users/carol")[0].decode())
        with self.assertRaises(NoAuthError):
            self.anonymous.get("/config/users/carol")
        acls, _ = zk.get_acls("/config/users/carol")
        self.assertEqual([a.id.scheme for a in acls], ["digest"], "creator-only, as Kafka's")

    def test_secure_broker_without_login_does_not_start(self):
        b = harness.Broker(self.zk, broker_id=7, props={"zookeeper.set.acl": "true"})
        self.addCleanup(b.cleanup)
        b.start(wait=False)
        self.assertNotEqual(b.wait_exit(15), 0)
        self.assertIn("zookeeper.auth.digest", b.log_text())

    def test_wrong_login_cannot_join_the_secured_cluster(self):
        b = harness.Broker(self.zk, broker_id=8, chroot=self.brokers[0].chroot,
                           props={"zookeeper.set.acl": "true",
                                  "zookeeper.auth.digest": "samsa-broker:wrong"})
        self.addCleanup(b.cleanup)
        b.start(wait=False)
        rc = b.wait_exit(30)
        self.assertNotEqual(rc, 0)
        self.assertIsNone(self.anonymous.exists("/brokers/ids/8"))
        self.assertIn("cannot create Kafka's persistent znodes: not authenticated",
                      b.log_text())


if __name__ == "__main__":
    import unittest
    unittest.main()


class ZooKeeperAclMigrationTest(harness.IntegrationTestCase):
    """Kafka's rollout on a running cluster: scripts/samsa-zookeeper-security-migration.sh sets
    an open cluster's znodes to the secure layout, the broker restarts with
    zookeeper.set.acl=true and works on; `--zookeeper.acl unsecure` opens them again."""

    def test_migrate_open_cluster_to_secure_and_back(self):
        import os
        script = os.path.join(harness.ROOT, "scripts", "samsa-zookeeper-security-migration.sh")
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        broker = harness.Broker(zk, broker_id=1)
        self.addCleanup(broker.cleanup)
        broker.start()
        topic = harness.unique_topic("migrate")
        harness.create_topic(broker, topic)
        broker.stop()
        anonymous = zk.client(broker.chroot)
        self.addCleanup(anonymous.close)
        self.addCleanup(anonymous.stop)
        anonymous.set(f"/config/topics/{topic}", anonymous.get(f"/config/topics/{topic}")[0])

        out = harness.run([script, "--zookeeper.acl", "secure", "--zookeeper.connect",
                           zk.connect + broker.chroot, "--zookeeper.auth.digest", LOGIN])
        self.assertRegex(out.stdout.decode(), r"Set the ACLs of \d+ znodes to secure\.")
        with self.assertRaises(NoAuthError):
            anonymous.set(f"/config/topics/{topic}", b"{}")
        with self.assertRaises(NoAuthError):
            anonymous.get_children("/config/users")

        broker.props.update({"zookeeper.set.acl": "true", "zookeeper.auth.digest": LOGIN})
        broker.restart()
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
        p.produce(topic, value=b"after the migration")
        self.assertEqual(p.flush(30), 0)
        broker.stop()

        harness.run([script, "--zookeeper.acl", "unsecure", "--zookeeper.connect",
                     zk.connect + broker.chroot, "--zookeeper.auth.digest", LOGIN])
        anonymous.set(f"/config/topics/{topic}", anonymous.get(f"/config/topics/{topic}")[0])
