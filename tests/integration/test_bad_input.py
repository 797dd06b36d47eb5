"""Bad input over raw sockets (hand-built frames, tests/integration/wire.py): truncated frames,
absurd sizes, unknown APIs and versions, garbage bodies, corrupt batches, bad acks and old
Produce versions. Each gets Kafka's answer (an error code or a closed connection) and none of
them disturbs the broker: a healthy producer runs concurrently through the whole class and must
keep getting acknowledgements without a single delivery error, and kcat -L works after each."""

import random
import socket
import time

import harness
import wire
from harness import KCAT, run, wait_until

UNSUPPORTED_VERSION = 35
CORRUPT_MESSAGE = 2
INVALID_REQUIRED_ACKS = 21


class BadInputTest(harness.ClusterTestCase):
    broker_id = 9

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = harness.unique_topic("bad")
        cls.healthy_topic = harness.unique_topic("healthy")
        harness.create_topic(cls.broker, cls.topic, 1)
        harness.create_topic(cls.broker, cls.healthy_topic, 1)
        cls.healthy = harness.HealthyProducer(cls.broker.bootstrap, cls.healthy_topic)
        cls.healthy.start()
        cls.addClassCleanup(cls.stop_healthy)

    @classmethod
    def stop_healthy(cls):
        cls.healthy.stopping.set()
        cls.healthy.join(60)

    def setUp(self):
        self.acks_at_start = self.healthy.acks
        self.hw_at_start = harness.watermarks(self.broker, self.topic)[1]

    def tearDown(self):
        # The broker still serves everyone: the concurrent producer made progress without
        # errors, a fresh kcat gets metadata, and the broker process is alive.
        self.assertTrue(self.broker.alive(), "broker died")
        wait_until(lambda: self.healthy.acks > self.acks_at_start + 20, 20,
                   "the concurrent producer to keep getting acks")
        self.assertEqual(self.healthy.errors, [], "healthy producer saw delivery errors")
        listing = run([KCAT, "-b", self.broker.bootstrap, "-L", "-t", self.healthy_topic],
                      timeout=20).stdout.decode()
        self.assertIn(f"broker {self.broker_id} at 127.0.0.1:{self.broker.port}", listing)

    # ---- helpers ---------------------------------------------------------------------------

    def connect(self):
        s = wire.connect(self.broker.port)
        self.addCleanup(s.close)
        return s

    def assert_api_versions_ok(self, s=None, correlation_id=4242):
        """A fresh (or the given) connection still gets an ApiVersions v0 answer."""
        own = s is None
        s = s or wire.connect(self.broker.port)
        try:
            s.sendall(wire.api_versions_request(correlation_id, 0))
            cid, err, apis = wire.parse_api_versions(wire.recv_frame(s), 0)
        finally:
            if own:
                s.close()
        self.assertEqual((cid, err), (correlation_id, 0))
        self.assertEqual(apis[18], (0, 3))

    def produce(self, records, version=7, acks=1, correlation_id=77):
        with wire.connect(self.broker.port) as s:
            s.sendall(wire.produce_request(correlation_id, self.topic, 0, records,
                                           version=version, acks=acks))
            cid, parts = wire.parse_produce(wire.recv_frame(s), version)
        self.assertEqual(cid, correlation_id)
        self.assertEqual(len(parts), 1)
        topic, partition, error, base = parts[0]
        self.assertEqual((topic, partition), (self.topic, 0))
        return error, base

    def assert_nothing_written(self):
        self.assertEqual(harness.watermarks(self.broker, self.topic)[1], self.hw_at_start,
                         "the high watermark moved")

    def assert_closed(self, s, what):
        try:
            how = wire.wait_closed(s, timeout=10)
        except AssertionError as e:
            self.fail(f"{what}: {e}")
        self.assertIn(how, ("eof", "reset"))

    # ---- (a) truncated frame ----------------------------------------------------------------

    def test_a_truncated_frame_then_close(self):
        s = self.connect()
        s.sendall(wire.i32(100) + b"\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00")  # 10 of 100
        s.close()
        self.assert_api_versions_ok()

    def test_a_truncated_frame_held_open_does_not_block_others(self):
        s = self.connect()
        s.sendall(wire.i32(100) + b"\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00")
        # While that request is incomplete, other connections are served.
        for i in range(5):
            self.assert_api_versions_ok(correlation_id=i)
        s.settimeout(0.5)
        with self.assertRaises(socket.timeout, msg="an incomplete request gets no answer"):
            s.recv(1)

    # ---- (b) absurd sizes -------------------------------------------------------------------

    def test_b_absurd_frame_sizes_close_the_connection(self):
        for size in (0x7FFFFFFF, -1, -100, 104857600 + 1, 0):
            with self.subTest(size=size):
                s = self.connect()
                s.sendall(wire.i32(size) + b"\x00" * 8)
                self.assert_closed(s, f"frame size {size}")
                self.assert_api_versions_ok()

    # ---- (c) unknown API key, (d) unsupported version of a known API -------------------------

    def test_c_unknown_api_key_closes_the_connection(self):
        for key in (999, 67, -1):
            with self.subTest(api_key=key):
                s = self.connect()
                s.sendall(wire.request(key, 0, 1, b""))
                self.assert_closed(s, f"api key {key}")

    def test_d_unsupported_version_of_known_api_closes_the_connection(self):
        for key, version in ((3, 99), (0, 99), (1, -1), (2, 12)):
            with self.subTest(api_key=key, version=version):
                s = self.connect()
                s.sendall(wire.request(key, version, 1, b"\x00" * 16))
                self.assert_closed(s, f"api {key} v{version}")

    # ---- (e) ApiVersions at an unsupported version -------------------------------------------

    def test_e_api_versions_v99_answers_unsupported_version_with_v0_body(self):
        s = self.connect()
        s.sendall(wire.request(18, 99, 31337, b"\x01\x02\x03"))
        payload = wire.recv_frame(s)
        cid, err, apis = wire.parse_api_versions(payload, 0)  # v0 body, header v0
        self.assertEqual(cid, 31337)
        self.assertEqual(err, UNSUPPORTED_VERSION)
        # The client learns ApiVersions' own range from it (KIP-511) and retries.
        self.assertEqual(apis.get(18), (0, 3), f"ranges: {apis}")
        self.assertEqual(len(payload), 4 + 2 + 4 + 6 * len(apis), "v0 body, nothing else")
        # The connection stays usable for the retry.
        self.assert_api_versions_ok(s, correlation_id=31338)
        s.sendall(wire.api_versions_request(31339, 3))
        cid, err, apis3 = wire.parse_api_versions(wire.recv_frame(s), 3)
        self.assertEqual((cid, err), (31339, 0))
        self.assertEqual(apis3[0], (0, 7))

    # ---- (f) garbage body --------------------------------------------------------------------

    def test_f_garbage_produce_body_closes_the_connection(self):
        rng = random.Random(20240611)
        bodies = {
            "random bytes": bytes(rng.randrange(256) for _ in range(200)),
            "string longer than the frame": b"\x7f\xff" + bytes(rng.randrange(256)
                                                                for _ in range(64)),
            "array count beyond the frame": wire.string(None) + wire.i16(1) + wire.i32(1000)
            + wire.i32(100000),
            "empty body": b"",
        }
        for name, body in bodies.items():
            with self.subTest(body=name):
                s = self.connect()
                s.sendall(wire.request(0, 7, 5, body))
                self.assert_closed(s, name)
        self.assert_nothing_written()

    # ---- (g) corrupt batch -------------------------------------------------------------------

    def test_g_valid_hand_built_batch_is_accepted(self):
        # Proves the hand-built batch (and its CRC-32C) is right, so that the corrupt variant
        # below is rejected for its CRC and nothing else.
        batch = wire.record_batch([(b"k1", b"hello", [("h", b"v")]), (None, b"world", [])])
        error, base = self.produce(batch)
        self.assertEqual((error, base), (0, self.hw_at_start))
        msgs = harness.consume_partitions(self.broker, self.topic, [0],
                                          start=self.hw_at_start)[0]
        self.assertEqual([(m.key(), m.value(), m.headers()) for m in msgs],
                         [(b"k1", b"hello", [("h", b"v")]), (None, b"world", None)])

    def test_g_bad_crc_is_corrupt_message_and_nothing_is_written(self):
        batch = bytearray(wire.record_batch([(b"key", b"value-under-crc", [])]))
        batch[-3] ^= 0x20  # a byte of the record value, covered by the CRC
        error, base = self.produce(bytes(batch))
        self.assertEqual((error, base), (CORRUPT_MESSAGE, -1))
        self.assert_nothing_written()
        # A bad CRC field with intact data is the same error.
        batch = bytearray(wire.record_batch([(b"key", b"value", [])]))
        batch[17] ^= 0xFF
        self.assertEqual(self.produce(bytes(batch)), (CORRUPT_MESSAGE, -1))
        self.assert_nothing_written()

    # ---- (h) bad acks, (i) Produce v2 ---------------------------------------------------------

    def test_h_acks_5_is_invalid_required_acks(self):
        batch = wire.record_batch([(b"k", b"v", [])])
        self.assertEqual(self.produce(batch, acks=5), (INVALID_REQUIRED_ACKS, -1))
        self.assert_nothing_written()

    def test_i_produce_v2_is_unsupported_version_in_a_v2_response(self):
        batch = wire.record_batch([(b"k", b"v", [])])
        self.assertEqual(self.produce(batch, version=2), (UNSUPPORTED_VERSION, -1))
        self.assert_nothing_written()

    # ---- misc ---------------------------------------------------------------------------------

    def test_null_client_id_is_accepted(self):
        s = self.connect()
        s.sendall(wire.request(18, 0, 9, b"", client_id=None))
        cid, err, _ = wire.parse_api_versions(wire.recv_frame(s), 0)
        self.assertEqual((cid, err), (9, 0))

    def test_frame_split_across_many_writes(self):
        s = self.connect()
        frame = wire.api_versions_request(1234, 0)
        for b in frame:
            s.sendall(bytes([b]))
            time.sleep(0.001)
        cid, err, _ = wire.parse_api_versions(wire.recv_frame(s), 0)
        self.assertEqual((cid, err), (1234, 0))


if __name__ == "__main__":
    import unittest
    unittest.main()
