"""Start-up failures end the process with a non-zero exit and a message that says why: a
broker.id already registered, an unreachable ZooKeeper (after zookeeper.connection.timeout.ms),
a bad configuration value, and a log dir locked by another broker. The broker that was there
first keeps running undisturbed."""

import os
import time

import harness
from harness import Broker, free_port, wait_until


class StartupErrorsTest(harness.IntegrationTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zk = harness.ZooKeeper().start()
        cls.addClassCleanup(cls.zk.cleanup)

    def failing_broker(self, **kwargs):
        b = Broker(self.zk, **kwargs)
        self.addCleanup(b.cleanup)
        return b

    def assert_first_broker_unaffected(self, first):
        self.assertTrue(first.alive())
        zkc = self.zk.client()
        try:
            reg = first.registration(zkc)  # (registration() adds the chroot)
        finally:
            zkc.stop()
            zkc.close()
        self.assertIsNotNone(reg)
        self.assertEqual(reg["port"], first.port, "the registration is still the first broker's")
        first.wait_ready(timeout=10)

    def test_duplicate_broker_id_fails_already_registered(self):
        first = self.start_broker(self.zk, broker_id=31)
        second = self.failing_broker(broker_id=31, chroot=first.chroot)
        second.start(wait=False)
        rc = second.wait_exit(30)
        out = second.log_text()
        self.assertNotEqual(rc, 0, out[-2000:])
        self.assertIn("already registered", out)
        self.assert_first_broker_unaffected(first)

    def test_unreachable_zookeeper_times_out(self):
        closed_port = free_port()  # nothing listens there
        b = self.failing_broker(broker_id=32, zk_connect=f"127.0.0.1:{closed_port}/x",
                                props={"zookeeper.connection.timeout.ms": 2000})
        t0 = time.monotonic()
        b.start(wait=False)
        rc = b.wait_exit(30)
        elapsed = time.monotonic() - t0
        out = b.log_text()
        self.assertNotEqual(rc, 0, out[-2000:])
        self.assertGreaterEqual(elapsed, 2.0, "gave up before zookeeper.connection.timeout.ms")
        self.assertLess(elapsed, 10.0, "took far longer than zookeeper.connection.timeout.ms")
        lower = out.lower()
        self.assertIn("zookeeper", lower)
        self.assertTrue("timeout" in lower or "timed out" in lower, out[-2000:])
        print(f"    exited with {rc} after {elapsed:.1f}s", file=__import__("sys").stderr)

    def test_bad_config_value_names_the_key(self):
        cases = [
            ("num.partitions=abc in the file", {"num.partitions": "abc"}, {}, "num.partitions"),
            ("num.partitions=abc as --override", {}, {"num.partitions": "abc"},
             "num.partitions"),
            ("num.partitions=0 (below its minimum)", {"num.partitions": "0"}, {},
             "num.partitions"),
            ("log.cleanup.policy not one of its values", {"log.cleanup.policy": "shred"}, {},
             "log.cleanup.policy"),
        ]
        for name, props, overrides, key in cases:
            with self.subTest(name):
                b = self.failing_broker(broker_id=33, props=props, cli_overrides=overrides)
                b.start(wait=False)
                rc = b.wait_exit(15)
                out = b.log_text()
                self.assertNotEqual(rc, 0, out[-2000:])
                self.assertIn(key, out)
                self.assertFalse(os.path.exists(os.path.join(b.data_dir, "meta.properties")),
                                 "a rejected configuration must not touch the log dir")

    def test_missing_zookeeper_connect_names_the_key(self):
        b = self.failing_broker(broker_id=34)
        del b.props["zookeeper.connect"]
        b.start(wait=False)
        rc = b.wait_exit(15)
        self.assertNotEqual(rc, 0)
        self.assertIn("zookeeper.connect", b.log_text())

    def test_second_broker_on_same_log_dir_fails_on_the_lock(self):
        first = self.start_broker(self.zk, broker_id=35)
        second = self.failing_broker(broker_id=36, chroot=first.chroot, log_dirs=first.log_dirs)
        second.start(wait=False)
        rc = second.wait_exit(30)
        out = second.log_text()
        self.assertNotEqual(rc, 0, out[-2000:])
        self.assertIn("lock", out.lower())
        self.assertIn(first.data_dir, out)
        # It did not leave a registration behind.
        zkc = self.zk.client(chroot=first.chroot)
        try:
            wait_until(lambda: zkc.exists("/brokers/ids/36") is None, 2,
                       "no registration of the failed broker")
        finally:
            zkc.stop()
            zkc.close()
        self.assert_first_broker_unaffected(first)
        self.assertTrue(os.path.exists(os.path.join(first.data_dir, "meta.properties")))


if __name__ == "__main__":
    import unittest
    unittest.main()
