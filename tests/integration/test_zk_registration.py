"""What the broker writes to ZooKeeper, read with kazoo: Kafka's version-5 broker registration
(ephemeral), /controller, /controller_epoch, /cluster/id, topic assignment, topic config and
partition state; and the registration's removal on SIGTERM (session closed) and after kill -9
(session expiry)."""

import json
import re
import sys
import time

import harness
from harness import SESSION_TIMEOUT_MS

BASE64URL_UUID = re.compile(r"^[A-Za-z0-9_-]{22}$")


class ZkDataTest(harness.ClusterTestCase):
    broker_id = 7

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = harness.unique_topic("zk")
        harness.create_topic(cls.broker, cls.topic, 2, config={"retention.ms": "86400000"})

    def get_json(self, path):
        data, stat = self.zkc.get(path)
        return json.loads(data.decode()), stat

    def test_broker_registration_is_ephemeral_version_5(self):
        reg, stat = self.get_json(f"/brokers/ids/{self.broker_id}")
        port = self.broker.port
        self.assertEqual(set(reg), {"features", "listener_security_protocol_map", "endpoints",
                                    "jmx_port", "port", "host", "version", "timestamp"})
        self.assertEqual(reg["version"], 5)
        self.assertEqual(reg["host"], "127.0.0.1")
        self.assertIs(type(reg["port"]), int)
        self.assertEqual(reg["port"], port)
        self.assertEqual(reg["jmx_port"], -1)
        self.assertEqual(reg["endpoints"], [f"PLAINTEXT://127.0.0.1:{port}"])
        self.assertEqual(reg["listener_security_protocol_map"], {"PLAINTEXT": "PLAINTEXT"})
        self.assertEqual(reg["features"], {})
        self.assertIsInstance(reg["timestamp"], str)
        self.assertRegex(reg["timestamp"], r"^\d{13}$")
        self.assertLess(abs(int(reg["timestamp"]) - time.time() * 1000), 600_000)
        self.assertNotEqual(stat.ephemeralOwner, 0, "/brokers/ids/<id> must be ephemeral")
        self.assertEqual(self.zkc.get_children("/brokers/ids"), [str(self.broker_id)])

    def test_controller_znodes(self):
        ctl, stat = self.get_json("/controller")
        self.assertEqual(set(ctl), {"version", "brokerid", "timestamp"})
        self.assertEqual(ctl["version"], 1)
        self.assertEqual(ctl["brokerid"], self.broker_id)
        self.assertRegex(ctl["timestamp"], r"^\d{13}$")
        _, reg_stat = self.zkc.get(f"/brokers/ids/{self.broker_id}")
        self.assertNotEqual(stat.ephemeralOwner, 0, "/controller must be ephemeral")
        self.assertEqual(stat.ephemeralOwner, reg_stat.ephemeralOwner,
                         "/controller and the registration belong to the broker's session")
        epoch, _ = self.zkc.get("/controller_epoch")
        self.assertEqual(epoch.decode(), "1", "first election of a fresh cluster is epoch 1")

    def test_cluster_id(self):
        cid, stat = self.get_json("/cluster/id")
        self.assertEqual(cid["version"], "1")
        self.assertRegex(cid["id"], BASE64URL_UUID)
        self.assertEqual(stat.ephemeralOwner, 0)

    def test_feature_znode_written_by_controller(self):
        # Kafka 2.8's controller, with inter.broker.protocol.version >= 2.7 (Samsa's default is
        # 2.8-IV1), creates /feature with versioning enabled and no finalized features.
        stat = self.zkc.exists("/feature")
        self.assertIsNotNone(stat, "/feature missing")
        feature, _ = self.get_json("/feature")
        self.assertEqual(feature, {"version": 1, "status": 1, "features": {}})
        self.assertEqual(stat.ephemeralOwner, 0)

    def test_persistent_paths_exist(self):
        for path in ["/consumers", "/brokers/ids", "/brokers/topics", "/brokers/seqid",
                     "/config/changes", "/config/topics", "/config/clients", "/config/users",
                     "/config/brokers", "/config/ips", "/admin/delete_topics",
                     "/isr_change_notification", "/latest_producer_id_block",
                     "/log_dir_event_notification"]:
            with self.subTest(path=path):
                stat = self.zkc.exists(path)
                self.assertIsNotNone(stat, f"{path} missing")
                self.assertEqual(stat.ephemeralOwner, 0)

    def test_topic_assignment_config_and_partition_state(self):
        assignment, _ = self.get_json(f"/brokers/topics/{self.topic}")
        self.assertEqual(assignment["version"], 3)
        self.assertRegex(assignment["topic_id"], BASE64URL_UUID)
        self.assertEqual(assignment["partitions"], {"0": [self.broker_id], "1": [self.broker_id]})
        self.assertEqual(assignment.get("adding_replicas", {}), {})
        self.assertEqual(assignment.get("removing_replicas", {}), {})

        config, _ = self.get_json(f"/config/topics/{self.topic}")
        self.assertEqual(config, {"version": 1, "config": {"retention.ms": "86400000"}})

        controller_epoch = int(self.zkc.get("/controller_epoch")[0])
        for p in range(2):
            with self.subTest(partition=p):
                state, stat = self.get_json(f"/brokers/topics/{self.topic}/partitions/{p}/state")
                self.assertEqual(state, {"controller_epoch": controller_epoch,
                                         "leader": self.broker_id, "version": 1,
                                         "leader_epoch": 0, "isr": [self.broker_id]})
                self.assertEqual(stat.ephemeralOwner, 0)



class RegistrationLifetimeTest(harness.IntegrationTestCase):
    """The registration goes with the broker's ZooKeeper session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zk = harness.ZooKeeper().start()
        cls.addClassCleanup(cls.zk.cleanup)

    def setUp(self):
        self.broker = self.start_broker(self.zk, broker_id=11)
        self.zkc = self.zk.client(chroot=self.broker.chroot)
        self.addCleanup(self.zkc.close)
        self.addCleanup(self.zkc.stop)
        self.reg_path = f"/brokers/ids/{self.broker.broker_id}"
        self.assertIsNotNone(self.zkc.exists(self.reg_path))
        self.assertIsNotNone(self.zkc.exists("/controller"))

    def test_sigterm_removes_registration_promptly(self):
        rc = self.broker.stop(timeout=30)
        exited = time.monotonic()
        self.assertEqual(rc, 0, "clean shutdown exit code")
        # Closing the session deletes the ephemerals at once; expiry would take the session
        # timeout, so a prompt disappearance proves the session was closed.
        harness.wait_until(lambda: self.zkc.exists(self.reg_path) is None,
                           SESSION_TIMEOUT_MS / 2000, f"{self.reg_path} removed after SIGTERM")
        harness.wait_until(lambda: self.zkc.exists("/controller") is None, 1,
                           "/controller removed after SIGTERM")
        self.assertLess(time.monotonic() - exited, SESSION_TIMEOUT_MS / 2000)
        self.assertIn("shut down completed", self.broker.log_text(since_start=True))

    def test_kill9_registration_expires_with_session(self):
        self.broker.kill9()
        killed = time.monotonic()
        self.assertEqual(self.broker.exit_code, -9)
        # The session outlives the process until ZooKeeper expires it.
        self.assertIsNotNone(self.zkc.exists(self.reg_path),
                             "registration vanished before the session could expire")
        harness.wait_until(lambda: self.zkc.exists(self.reg_path) is None,
                           SESSION_TIMEOUT_MS / 1000 + 8, f"{self.reg_path} expired after kill -9",
                           interval=0.1)
        elapsed = time.monotonic() - killed
        self.assertIsNone(self.zkc.exists("/controller"))
        # ZooKeeper expires sessions in tickTime buckets: between about 2/3 of the timeout and
        # timeout + one tick.
        self.assertGreater(elapsed, SESSION_TIMEOUT_MS / 1000 * 0.6,
                           f"expired after {elapsed:.1f}s, before the session timeout")
        print(f"    registration expired {elapsed:.1f}s after kill -9", file=sys.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
