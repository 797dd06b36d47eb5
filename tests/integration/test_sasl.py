"""SASL on a SASL_PLAINTEXT listener (ZK-MODE.md §a SCRAM credentials, §f SASL), one broker with
a PLAINTEXT and a SASL_PLAINTEXT listener and users in ZooKeeper:

- users created with samsa-configs.sh --zookeeper before the broker starts, and with
  --bootstrap-server (over SASL) while it runs;
- produce and consume with kcat (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN), confluent-kafka-python,
  kafka-python (SaslHandshake v0: raw token frames) and kafkajs;
- refusals: wrong password, unknown user, wrong mechanism, requests before authentication,
  each with Kafka's error, while a good client on the same listener keeps being served;
- a user added while the broker runs connects at once, a deleted one cannot reconnect;
- connection.failed.authentication.delay.ms: hundreds of wrong passwords each answered after
  the delay, while an authenticated client's requests stay fast;
- connections.max.reauth.ms (KIP-368): the lifetime is announced, re-authentication works on
  the same connection, an expired session is closed."""

import json
import os
import subprocess
import threading
import time

import harness
import wire
import wire_sasl
from harness import JS_DIR, KCAT, NODE, ROOT, run, wait_until

CONFIGS = os.path.join(ROOT, "scripts", "samsa-configs.sh")
MECHANISMS = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
DELAY_MS = 100  # connection.failed.authentication.delay.ms (Kafka's default)

ILLEGAL_SASL_STATE = 34
UNSUPPORTED_SASL_MECHANISM = 33
SASL_AUTHENTICATION_FAILED = 58


def configs(*args, check=True):
    """Runs scripts/samsa-configs.sh; returns its stdout."""
    p = run([CONFIGS, *args], timeout=60, check=check)
    return p.stdout.decode()


def add_user_zk(zk_connect, user, password, extra=""):
    return configs("--zookeeper", zk_connect, "--alter", "--entity-type", "users",
                   "--entity-name", user, "--add-config",
                   f"SCRAM-SHA-256=[iterations=8192,password={password}],"
                   f"SCRAM-SHA-512=[password={password}]{extra}")


class SaslTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.zk = harness.ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            cls.sasl_port = harness.free_port()
            cls.broker = harness.Broker(cls.zk, broker_id=1, props={
                "listeners": "PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:"
                             f"{cls.sasl_port}",
                "sasl.enabled.mechanisms": MECHANISMS,
                "connection.failed.authentication.delay.ms": str(DELAY_MS),
            })
            cls.broker.props["listeners"] = cls.broker.props["listeners"].format(
                port=cls.broker.port)
            cls.addClassCleanup(cls.broker.cleanup)
            cls.zk_connect = cls.broker.zk_connect
            # Users exist before the broker does: it loads them at start-up.
            out = add_user_zk(cls.zk_connect, "alice", "alice-secret")
            assert "Completed updating config for entity: user-principal 'alice'." in out, out
            add_user_zk(cls.zk_connect, "admin", "admin-secret")
            cls.broker.start()
            cls.sasl_bootstrap = f"127.0.0.1:{cls.sasl_port}"
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    # ---- helpers ---------------------------------------------------------------------------

    def kcat_sasl(self, mechanism, user, password, args, check=True, timeout=60):
        return run([KCAT, "-b", self.sasl_bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                    "-X", f"sasl.mechanisms={mechanism}", "-X", f"sasl.username={user}",
                    "-X", f"sasl.password={password}", *args], timeout=timeout, check=check)

    def sasl_connect(self):
        s = wire.connect(self.sasl_port)
        self.addCleanup(s.close)
        return s

    def assert_closed(self, s):
        self.assertIn(wire.wait_closed(s, timeout=10), ("eof", "reset"))

    def new_topic(self, prefix, partitions=1):
        topic = harness.unique_topic(prefix)
        harness.create_topic(self.broker, topic, partitions)
        return topic

    def consume_all(self, topic, n):
        got = harness.consume_partitions(self.broker, topic, [0])[0]
        self.assertEqual(len(got), n)
        return [m.value() for m in got]

    # ---- clients ---------------------------------------------------------------------------

    def test_kcat_produces_and_consumes_with_each_mechanism(self):
        for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"):
            with self.subTest(mechanism=mechanism):
                topic = self.new_topic("sasl-kcat")
                lines = [f"{mechanism}-{i}" for i in range(20)]
                p = subprocess.run(
                    [KCAT, "-b", self.sasl_bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                     "-X", f"sasl.mechanisms={mechanism}", "-X", "sasl.username=alice",
                     "-X", "sasl.password=alice-secret", "-P", "-t", topic, "-p", "0"],
                    input="\n".join(lines).encode() + b"\n", capture_output=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr.decode())
                c = self.kcat_sasl(mechanism, "alice", "alice-secret",
                                   ["-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
                                    "-f", "%s\n"])
                self.assertEqual(c.stdout.decode().splitlines(), lines)

    def test_confluent_kafka_python_produces_and_consumes(self):
        from confluent_kafka import Consumer, Producer, TopicPartition
        topic = self.new_topic("sasl-confluent")
        auth = {"bootstrap.servers": self.sasl_bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "alice",
                "sasl.password": "alice-secret"}
        errors = []
        p = Producer({**auth, "acks": "all",
                      "error_cb": lambda e: errors.append(e)})
        for i in range(50):
            p.produce(topic, value=f"confluent-{i}".encode(), partition=0)
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [])
        c = Consumer({**auth, "group.id": "unused", "enable.auto.commit": False,
                      "enable.partition.eof": True})
        try:
            c.assign([TopicPartition(topic, 0, 0)])
            got = []
            deadline = time.monotonic() + 30
            while len(got) < 50 and time.monotonic() < deadline:
                for m in c.consume(100, timeout=0.5):
                    if not m.error():
                        got.append(m.value().decode())
        finally:
            c.close()
        self.assertEqual(got, [f"confluent-{i}" for i in range(50)])

    def test_kafka_python_uses_handshake_v0_raw_tokens(self):
        from kafka import KafkaConsumer, KafkaProducer, TopicPartition
        for mechanism in ("PLAIN", "SCRAM-SHA-256"):
            with self.subTest(mechanism=mechanism):
                topic = self.new_topic("sasl-kafka-python")
                auth = dict(bootstrap_servers=self.sasl_bootstrap,
                            security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                            sasl_plain_username="alice", sasl_plain_password="alice-secret")
                producer = KafkaProducer(acks="all", **auth)
                futures = [producer.send(topic, f"kp-{i}".encode(), partition=0)
                           for i in range(20)]
                offsets = [f.get(timeout=30).offset for f in futures]
                producer.close()
                self.assertEqual(offsets, list(range(20)))
                consumer = KafkaConsumer(group_id=None, enable_auto_commit=False,
                                         consumer_timeout_ms=5000, **auth)
                try:
                    consumer.assign([TopicPartition(topic, 0)])
                    consumer.seek_to_beginning()
                    got = [m.value.decode() for m in consumer][:20]
                finally:
                    consumer.close()
                self.assertEqual(got, [f"kp-{i}" for i in range(20)])
        # kafka-python's path really is the v0 one: raw tokens after SaslHandshake v0.
        s = self.sasl_connect()
        s.sendall(wire_sasl.handshake_request(1, "PLAIN", version=0))
        self.assertEqual(wire_sasl.parse_handshake(wire.recv_frame(s))[1], 0)
        s.sendall(wire_sasl.raw_frame(wire_sasl.plain_token("alice", "alice-secret")))
        self.assertEqual(wire.recv_frame(s), b"", "PLAIN success is an empty frame")
        s.sendall(wire.api_versions_request(7))
        self.assertEqual(wire.parse_api_versions(wire.recv_frame(s), 0)[:2], (7, 0))

    def test_kafkajs_produces_over_scram(self):
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")),
                        "kafkajs not installed: run `npm ci` in tests/js")
        topic = self.new_topic("sasl-kafkajs")
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        p = run([NODE, os.path.join(JS_DIR, "sasl_produce.js"), self.sasl_bootstrap, topic,
                 "scram-sha-256", "alice", "alice-secret"], timeout=120, env=env)
        out = json.loads(p.stdout.decode().strip().splitlines()[-1])
        self.assertEqual([(r["partition"], r["errorCode"]) for r in out["sent"]], [(0, 0)])
        self.assertEqual(out["high"], "30")
        self.assertEqual(self.consume_all(topic, 30), [f"kafkajs-{i}".encode() for i in range(30)])

    # ---- refusals --------------------------------------------------------------------------

    def test_wrong_password_unknown_user_and_mechanism_are_refused(self):
        good = self.sasl_connect()
        self.assertEqual(wire_sasl.authenticate(good, "SCRAM-SHA-256", "alice", "alice-secret")[0],
                         0)
        cases = [("SCRAM-SHA-256", "alice", "wrong", SASL_AUTHENTICATION_FAILED),
                 ("SCRAM-SHA-512", "mallory", "x", SASL_AUTHENTICATION_FAILED),
                 ("PLAIN", "alice", "wrong", SASL_AUTHENTICATION_FAILED),
                 ("PLAIN", "mallory", "x", SASL_AUTHENTICATION_FAILED),
                 ("GSSAPI", "alice", "alice-secret", UNSUPPORTED_SASL_MECHANISM)]
        for i, (mechanism, user, password, expected) in enumerate(cases):
            with self.subTest(mechanism=mechanism, user=user):
                s = self.sasl_connect()
                error, message, _ = wire_sasl.authenticate(s, mechanism, user, password)
                self.assertEqual(error, expected, message)
                if expected == SASL_AUTHENTICATION_FAILED:
                    self.assertTrue(message and "fail" in message.lower(), message)
                    self.assertNotIn(password, message)
                self.assert_closed(s)
                # The good client on the same listener is still served.
                good.sendall(wire.api_versions_request(100 + i))
                self.assertEqual(wire.parse_api_versions(wire.recv_frame(good), 0)[:2],
                                 (100 + i, 0))
        # The handshake lists the enabled mechanisms.
        s = self.sasl_connect()
        s.sendall(wire_sasl.handshake_request(1, "OAUTHBEARER"))
        _, error, mechanisms = wire_sasl.parse_handshake(wire.recv_frame(s))
        self.assertEqual((error, mechanisms), (UNSUPPORTED_SASL_MECHANISM, MECHANISMS.split(",")))
        # Failures are logged with user, address and mechanism, never the secret.
        log = self.broker.log_text()
        self.assertIn("Failed authentication with /127.0.0.1 (user 'mallory', mechanism "
                      "SCRAM-SHA-512", log)
        self.assertNotIn("wrong", log)
        # kcat with a wrong password gets nothing.
        p = self.kcat_sasl("SCRAM-SHA-512", "alice", "wrong", ["-L", "-m", "5"], check=False,
                           timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Authentication failed", p.stdout.decode() + p.stderr.decode())

    def test_requests_out_of_order_are_refused(self):
        s = self.sasl_connect()  # Metadata before authentication: closed
        s.sendall(wire.metadata_request(1, [], version=1))
        self.assert_closed(s)
        s = self.sasl_connect()  # SaslAuthenticate before the handshake: ILLEGAL_SASL_STATE
        s.sendall(wire_sasl.authenticate_request(1, b"x"))
        self.assertEqual(wire_sasl.parse_authenticate(wire.recv_frame(s))[1], ILLEGAL_SASL_STATE)
        self.assert_closed(s)
        s = self.sasl_connect()  # ApiVersions first is fine, then the handshake
        s.sendall(wire.api_versions_request(1))
        self.assertEqual(wire.parse_api_versions(wire.recv_frame(s), 0)[1], 0)
        self.assertEqual(wire_sasl.authenticate(s, "PLAIN", "alice", "alice-secret", 2)[0], 0)
        # Before authentication a frame may not exceed sasl.server.max.receive.size (512 KiB).
        s = self.sasl_connect()
        s.sendall((1 << 20).to_bytes(4, "big") + b"\0" * 1024)
        self.assert_closed(s)
        # The PLAINTEXT listener needs no authentication.
        self.assertEqual(wire.parse_api_versions(
            wire.roundtrip(self.broker.port, wire.api_versions_request(3)), 0)[:2], (3, 0))

    # ---- users come and go -------------------------------------------------------------------

    def test_user_added_and_deleted_while_running(self):
        # Added through the broker, authenticated as admin (AlterUserScramCredentials).
        props = os.path.join(self.broker.dir, "admin.properties")
        with open(props, "w") as f:
            f.write("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                    'required username="admin" password="admin-secret";\n')
        out = configs("--bootstrap-server", self.sasl_bootstrap, "--command-config", props,
                      "--alter", "--entity-type", "users", "--entity-name", "bob",
                      "--add-config", "SCRAM-SHA-256=[iterations=4096,password=bob-secret]")
        self.assertIn("Completed updating config for user bob.", out)
        start = time.monotonic()
        wait_until(lambda: self.try_auth("SCRAM-SHA-256", "bob", "bob-secret") == 0, 10,
                   "bob can authenticate")
        self.assertLess(time.monotonic() - start, 5)
        out = configs("--bootstrap-server", self.sasl_bootstrap, "--command-config", props,
                      "--describe", "--entity-type", "users", "--entity-name", "bob")
        self.assertEqual(out.strip(),
                         "SCRAM credential configs for user-principal 'bob' are "
                         "SCRAM-SHA-256=iterations=4096")
        # Describe through ZooKeeper shows Kafka's stored format.
        out = configs("--zookeeper", self.zk_connect, "--describe", "--entity-type", "users",
                      "--entity-name", "bob")
        self.assertRegex(out.strip(), r"^Configs for user-principal 'bob' are SCRAM-SHA-256="
                                      r"salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,"
                                      r"server_key=[A-Za-z0-9+/=]+,iterations=4096$")
        # Deleted through ZooKeeper: bob cannot reconnect.
        configs("--zookeeper", self.zk_connect, "--alter", "--entity-type", "users",
                "--entity-name", "bob", "--delete-config", "SCRAM-SHA-256")
        wait_until(lambda: self.try_auth("SCRAM-SHA-256", "bob", "bob-secret") ==
                   SASL_AUTHENTICATION_FAILED, 10, "bob refused")
        self.assertEqual(self.try_auth("PLAIN", "bob", "bob-secret"), SASL_AUTHENTICATION_FAILED)
        # The controller refuses more than 16384 iterations (UNACCEPTABLE_CREDENTIAL).
        p = run([CONFIGS, "--bootstrap-server", self.sasl_bootstrap, "--command-config", props,
                 "--alter", "--entity-type", "users", "--entity-name", "carol", "--add-config",
                 "SCRAM-SHA-256=[iterations=20000,password=x]"], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("UNACCEPTABLE_CREDENTIAL", p.stderr.decode())

    def try_auth(self, mechanism, user, password):
        with wire.connect(self.sasl_port) as s:
            return wire_sasl.authenticate(s, mechanism, user, password)[0]

    # ---- the failed-authentication delay -----------------------------------------------------

    def test_failed_authentications_are_delayed_without_blocking_others(self):
        good = self.sasl_connect()
        self.assertEqual(wire_sasl.authenticate(good, "PLAIN", "alice", "alice-secret")[0], 0)
        durations = []
        lock = threading.Lock()
        failures = []

        def attacker(n):
            for _ in range(n):
                try:
                    with wire.connect(self.sasl_port) as s:
                        s.sendall(wire_sasl.handshake_request(1, "PLAIN"))
                        wire.recv_frame(s)
                        t0 = time.monotonic()
                        s.sendall(wire_sasl.authenticate_request(
                            2, wire_sasl.plain_token("alice", "not-it")))
                        error = wire_sasl.parse_authenticate(wire.recv_frame(s))[1]
                        elapsed = time.monotonic() - t0
                    with lock:
                        durations.append((elapsed, error))
                except Exception as e:  # noqa: BLE001 - reported below
                    with lock:
                        failures.append(repr(e))

        threads = [threading.Thread(target=attacker, args=(40,)) for _ in range(8)]
        for t in threads:
            t.start()
        latencies = []
        corr = 1000
        while any(t.is_alive() for t in threads):
            corr += 1
            t0 = time.monotonic()
            good.sendall(wire.api_versions_request(corr))
            self.assertEqual(wire.parse_api_versions(wire.recv_frame(good), 0)[:2], (corr, 0))
            latencies.append(time.monotonic() - t0)
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(len(durations), 320)
        self.assertTrue(all(e == SASL_AUTHENTICATION_FAILED for _, e in durations))
        shortest = min(d for d, _ in durations)
        self.assertGreaterEqual(shortest, DELAY_MS / 1000 * 0.99,
                                f"a failure was answered after {shortest * 1000:.1f} ms")
        # Served while the failures were waiting: well under the delay. A network thread held up
        # by a delay would make most of them take >= 100 ms, so the median tells; the tail
        # only tells how loaded the machine is (a p95 bound failed CI at load average 15).
        self.assertGreater(len(latencies), 20)
        latencies.sort()
        median = latencies[len(latencies) // 2]
        self.assertLess(median, DELAY_MS / 1000 / 4, f"median {median * 1000:.1f} ms")

    # ---- KIP-368 ----------------------------------------------------------------------------

    def test_session_lifetime_reauthentication_and_expiry(self):
        # A broker of its own: clients that do not re-authenticate (librdkafka 2.0, kafka-python)
        # would be disconnected every few seconds on the shared one.
        port = harness.free_port()
        b = harness.Broker(self.zk, broker_id=2, props={
            "listeners": f"PLAINTEXT://127.0.0.1:{{port}},SASL_PLAINTEXT://127.0.0.1:{port}",
            "sasl.enabled.mechanisms": MECHANISMS,
            "connections.max.reauth.ms": "3000"})
        b.props["listeners"] = b.props["listeners"].format(port=b.port)
        self.addCleanup(b.cleanup)
        add_user_zk(b.zk_connect, "alice", "alice-secret")
        b.start()

        def connect():
            c = wire.connect(port)
            self.addCleanup(c.close)
            return c

        s = connect()
        error, _, lifetime = wire_sasl.authenticate(s, "SCRAM-SHA-256", "alice", "alice-secret")
        self.assertEqual((error, lifetime), (0, 3000))
        # Re-authenticate on the same connection before the session ends.
        error, _, lifetime = wire_sasl.authenticate(s, "SCRAM-SHA-256", "alice", "alice-secret",
                                                    10)
        self.assertEqual((error, lifetime), (0, 3000))
        s.sendall(wire.api_versions_request(20))
        self.assertEqual(wire.parse_api_versions(wire.recv_frame(s), 0)[1], 0)
        # A connection that does not re-authenticate is closed at its first request after
        # expiry.
        t = connect()
        self.assertEqual(wire_sasl.authenticate(t, "PLAIN", "alice", "alice-secret")[0], 0)
        expiry = time.monotonic() + 3.0

        def closed_after_expiry():
            t.sendall(wire.api_versions_request(30))
            try:
                wire.recv_frame(t)
                return False
            except (ConnectionError, OSError):
                return True

        wait_until(closed_after_expiry, 15, "expired session closed", interval=0.5)
        self.assertGreaterEqual(time.monotonic(), expiry)


if __name__ == "__main__":
    import unittest
    unittest.main()
