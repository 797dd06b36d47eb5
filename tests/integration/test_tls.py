"""TLS listeners (SSL) with PEM key material made by scripts/samsa-certs.sh:

- kcat, confluent-kafka, kafka-python and kafkajs produce and consume over TLS;
- mutual TLS: the principal comes from the client certificate's subject; no certificate, an
  untrusted one or an expired one is refused;
- plaintext bytes sent to a TLS port, a handshake that never finishes, TLS 1.2 when only 1.3 is
  enabled: refused, and the broker goes on serving other clients;
- the broker's certificate replaced on disk is served to new connections without a restart;
- three brokers replicating and the controller talking over an SSL inter-broker listener that
  requires client certificates."""

import json
import os
import shutil
import socket
import ssl
import struct
import tempfile
import time

import harness
from harness import JS_DIR, KCAT, NODE, ROOT, free_port, run, wait_until

CERTS_SCRIPT = os.path.join(ROOT, "scripts", "samsa-certs.sh")


def make_certs(directory):
    run([CERTS_SCRIPT, "--dir", directory, "ca"])
    run([CERTS_SCRIPT, "--dir", directory, "broker", "broker"])
    run([CERTS_SCRIPT, "--dir", directory, "client", "alice", "--subject",
         "/O=Samsa/OU=eng/CN=alice"])
    run([CERTS_SCRIPT, "--dir", directory, "--days", "0", "client", "expired"])
    other = os.path.join(directory, "other-ca")
    run([CERTS_SCRIPT, "--dir", other, "ca"])
    run([CERTS_SCRIPT, "--dir", other, "client", "mallory"])


def tls_props(certs, listeners, inter_broker="PLAINTEXT"):
    return {
        "listeners": ",".join(f"{name}://127.0.0.1:{port}" for name, port in listeners),
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL",
        "inter.broker.listener.name": inter_broker,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker-keystore.pem"),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": os.path.join(certs, "ca.pem"),
        "ssl.enabled.protocols": "TLSv1.3",
        "listener.name.mtls.ssl.client.auth": "required",
        "ssl.handshake.timeout.ms": "1500",
    }


def client_context(certs, cert=None, maximum=None):
    ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
    if cert:
        ctx.load_cert_chain(cert)
    if maximum:
        ctx.maximum_version = maximum
    return ctx


def api_versions_frame():
    # ApiVersions v0, correlation id 7, client id "tls-it".
    body = struct.pack(">hhih", 18, 0, 7, 6) + b"tls-it"
    return struct.pack(">i", len(body)) + body


def read_frame(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data
    size = struct.unpack(">i", exactly(4))[0]
    return exactly(size)


class TlsListenerTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = tempfile.mkdtemp(prefix="samsa-it-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.certs, True)
        make_certs(cls.certs)
        shutil.copy(os.path.join(cls.certs, "broker.pem"),
                    os.path.join(cls.certs, "broker-keystore.pem"))
        cls.zk = harness.ZooKeeper().start()
        cls.addClassCleanup(cls.zk.cleanup)
        port, cls.ssl_port, cls.mtls_port = free_port(), free_port(), free_port()
        props = tls_props(cls.certs, [("PLAINTEXT", port), ("SSL", cls.ssl_port),
                                      ("MTLS", cls.mtls_port)])
        props["log.level"] = "debug"  # the principal of each TLS connection is logged
        cls.broker = harness.Broker(cls.zk, broker_id=1, port=port, props=props)
        cls.addClassCleanup(cls.broker.cleanup)
        cls.broker.start()
        cls.ssl_bootstrap = f"127.0.0.1:{cls.ssl_port}"
        cls.mtls_bootstrap = f"127.0.0.1:{cls.mtls_port}"

    def ca(self):
        return os.path.join(self.certs, "ca.pem")

    def kcat_tls(self, bootstrap, client=None):
        args = ["-b", bootstrap, "-X", "security.protocol=ssl", "-X", f"ssl.ca.location={self.ca()}"]
        if client:
            args += ["-X", f"ssl.key.location={os.path.join(self.certs, client + '.key')}",
                     "-X", f"ssl.certificate.location={os.path.join(self.certs, client + '.crt')}"]
        return args

    def assert_served(self):
        """A TLS client still gets an answer (ApiVersions) from the SSL listener."""
        with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=10) as raw:
            with client_context(self.certs).wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(api_versions_frame())
                response = read_frame(s)
                self.assertEqual(struct.unpack(">ih", response[:6]), (7, 0))

    def test_kcat_round_trip_over_tls(self):
        topic = harness.unique_topic("tls-kcat")
        lines = [f"k{i}:v{i}" for i in range(200)]
        run([KCAT, "-P", "-t", topic, "-K", ":", "-X", "acks=all"] + self.kcat_tls(self.ssl_bootstrap),
            input=("\n".join(lines) + "\n").encode(), timeout=60)
        out = run([KCAT, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\n"]
                  + self.kcat_tls(self.ssl_bootstrap), timeout=60).stdout.decode().splitlines()
        self.assertEqual(out, lines)

    def test_mutual_tls_principal_from_certificate(self):
        topic = harness.unique_topic("tls-mtls")
        run([KCAT, "-P", "-t", topic, "-X", "acks=all"] + self.kcat_tls(self.mtls_bootstrap, "alice"),
            input=b"one\ntwo\n", timeout=60)
        out = run([KCAT, "-C", "-t", topic, "-o", "beginning", "-e", "-q"]
                  + self.kcat_tls(self.mtls_bootstrap, "alice"), timeout=60).stdout.decode()
        self.assertEqual(out.splitlines(), ["one", "two"])
        wait_until(lambda: "principal User:CN=alice,OU=eng,O=Samsa" in self.broker.log_text(), 10,
                   "the broker logs alice's principal, taken from her certificate's subject")

    def test_refused_client_certificates(self):
        cases = {
            "no certificate": None,
            "untrusted CA": os.path.join(self.certs, "other-ca", "mallory.pem"),
            "expired": os.path.join(self.certs, "expired.pem"),
        }
        wait_until(lambda: self.expired_now(), 5, "the --days 0 certificate has expired")
        for what, cert in cases.items():
            with self.subTest(what):
                with socket.create_connection(("127.0.0.1", self.mtls_port), timeout=10) as raw:
                    ctx = client_context(self.certs, cert)
                    # TLS 1.3 reports a refused client certificate on the first read.
                    with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                            s.sendall(api_versions_frame())
                            read_frame(s)
                self.assert_served()

    def expired_now(self):
        out = run(["openssl", "x509", "-checkend", "0", "-noout", "-in",
                   os.path.join(self.certs, "expired.crt")], check=False)
        return out.returncode != 0

    def test_plaintext_bytes_to_tls_port_are_refused(self):
        with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=10) as s:
            s.sendall(api_versions_frame())
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionError:
                pass
            # Whatever came back (a TLS alert at most) is not a Kafka response to our request.
            self.assertFalse(data[4:8] == struct.pack(">i", 7), f"answered in plaintext: {data!r}")
        self.assert_served()

    def test_handshake_that_never_finishes_is_closed(self):
        with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=20) as s:
            start = time.monotonic()
            self.assertEqual(s.recv(1), b"", "the broker closes a silent connection")
            waited = time.monotonic() - start
            self.assertGreaterEqual(waited, 1.2)
            self.assertLess(waited, 10, "closed by ssl.handshake.timeout.ms=1500")
        self.assert_served()

    def test_tls12_refused_when_only_tls13_enabled(self):
        with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=10) as raw:
            ctx = client_context(self.certs, maximum=ssl.TLSVersion.TLSv1_2)
            with self.assertRaises(ssl.SSLError):
                ctx.wrap_socket(raw, server_hostname="localhost").close()
        with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=10) as raw:
            with client_context(self.certs).wrap_socket(raw, server_hostname="localhost") as s:
                self.assertEqual(s.version(), "TLSv1.3")

    def test_confluent_and_kafka_python_over_tls(self):
        from confluent_kafka import Producer
        from kafka import KafkaConsumer, TopicPartition
        topic = harness.unique_topic("tls-clients")
        p = Producer({"bootstrap.servers": self.ssl_bootstrap, "security.protocol": "ssl",
                      "ssl.ca.location": self.ca(), "acks": "all"})
        for i in range(100):
            p.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode())
        self.assertEqual(p.flush(30), 0)
        consumer = KafkaConsumer(bootstrap_servers=self.ssl_bootstrap, security_protocol="SSL",
                                 ssl_cafile=self.ca(), group_id=None, enable_auto_commit=False,
                                 auto_offset_reset="earliest", consumer_timeout_ms=10000,
                                 api_version_auto_timeout_ms=10000)
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            got = []
            deadline = time.monotonic() + 30
            while len(got) < 100 and time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=1000).values():
                    got += [(r.key.decode(), r.value.decode()) for r in records]
            self.assertEqual(got, [(f"k{i}", f"v{i}") for i in range(100)])
        finally:
            consumer.close()

    def test_kafkajs_over_mutual_tls(self):
        topic = harness.unique_topic("tls-kafkajs")
        env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
        out = run([NODE, os.path.join(JS_DIR, "tls_produce.js"), self.mtls_bootstrap, topic,
                   self.ca(), os.path.join(self.certs, "alice.pem")], timeout=120, env=env)
        result = json.loads(out.stdout.decode().strip().splitlines()[-1])
        self.assertIs(result["created"], True)
        self.assertEqual([(r["partition"], r["errorCode"], r["baseOffset"]) for r in result["send"]],
                         [(0, 0, "0")])
        got = harness.consume_partitions(self.broker, topic, [0])[0]
        self.assertEqual([(m.key(), m.value()) for m in got],
                         [(f"key-{n}".encode(), f"value-{n}".encode()) for n in range(30)])

    def test_bad_key_material_stops_start_up_with_a_clear_error(self):
        missing = os.path.join(self.certs, "no-such-keystore.pem")
        cases = {
            "missing keystore file": ({"ssl.keystore.location": missing}, missing),
            "JKS keystore": ({"ssl.keystore.type": "JKS"}, "ssl.keystore.type=JKS"),
            "key of another certificate": (
                {"ssl.keystore.location": "",
                 "ssl.keystore.key": open(os.path.join(self.certs, "alice.key")).read()
                 .replace("\n", "\\n\\\n"),
                 "ssl.keystore.certificate.chain": open(os.path.join(self.certs, "broker.crt"))
                 .read().replace("\n", "\\n\\\n")},
                "does not match"),
        }
        for what, (overrides, needle) in cases.items():
            with self.subTest(what):
                port, ssl_port = free_port(), free_port()
                props = tls_props(self.certs, [("PLAINTEXT", port), ("SSL", ssl_port)])
                props.update(overrides)
                b = harness.Broker(self.zk, broker_id=40, port=port, props=props)
                self.addCleanup(b.cleanup)
                b.start(wait=False)
                rc = b.wait_exit(15)
                self.assertNotEqual(rc, 0)
                self.assertIn(needle, b.log_text())

    def test_certificate_replaced_without_restart(self):
        def served_serial():
            with socket.create_connection(("127.0.0.1", self.ssl_port), timeout=10) as raw:
                with client_context(self.certs).wrap_socket(raw, server_hostname="localhost") as s:
                    return s.getpeercert()["serialNumber"]

        before = served_serial()
        run([CERTS_SCRIPT, "--dir", self.certs, "broker", "broker-renewed"])
        fresh = os.path.join(self.certs, "broker-keystore.pem.new")
        shutil.copy(os.path.join(self.certs, "broker-renewed.pem"), fresh)
        os.replace(fresh, os.path.join(self.certs, "broker-keystore.pem"))
        renewed = run(["openssl", "x509", "-noout", "-serial", "-in",
                       os.path.join(self.certs, "broker-renewed.crt")]).stdout.decode()
        want = renewed.strip().split("=", 1)[1].upper()
        self.assertNotEqual(before.upper(), want)
        wait_until(lambda: served_serial().upper() == want, 15,
                   "new connections get the renewed certificate")
        self.assertEqual(self.broker.proc.poll(), None, "the broker kept running")


    def test_keystore_replaced_through_dynamic_broker_config(self):
        """kafka-configs' way of rotating one listener's certificate (KIP-226): a per-broker
        listener.name.ssl.ssl.keystore.location is checked, stored in /config/brokers/1 and
        served to new connections of that listener only; a keystore naming another subject, a
        cluster-default keystore and a password in clear are refused; deleting the key goes
        back to server.properties."""
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource
        from kafka.admin import ConfigResource as KpConfigResource
        from kafka.admin import ConfigResourceType, KafkaAdminClient

        def served(port, cert=None):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with client_context(self.certs, cert).wrap_socket(
                        raw, server_hostname="localhost") as s:
                    return s.getpeercert()

        def served_serial(port, cert=None):
            return served(port, cert)["serialNumber"].upper()

        def file_serial(crt):
            out = run(["openssl", "x509", "-noout", "-serial", "-in", crt]).stdout.decode()
            return out.strip().split("=", 1)[1].upper()

        renewed_dir = os.path.join(self.certs, "renewed")
        os.makedirs(renewed_dir)
        for f in ("ca.key", "ca.pem"):
            shutil.copy(os.path.join(self.certs, f), renewed_dir)
        # Renewed for the subject served now (another test may have replaced the file).
        subject = dict(rdn[0] for rdn in served(self.ssl_port)["subject"])["commonName"]
        run([CERTS_SCRIPT, "--dir", renewed_dir, "broker", subject])
        renewed = os.path.join(renewed_dir, subject + ".pem")
        run([CERTS_SCRIPT, "--dir", self.certs, "broker", "imposter"])
        renewed_serial = file_serial(os.path.join(renewed_dir, subject + ".crt"))
        alice = os.path.join(self.certs, "alice.pem")
        static_serial = served_serial(self.ssl_port)
        self.assertNotEqual(static_serial, renewed_serial)

        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        key = "listener.name.ssl.ssl.keystore.location"

        def alter(name, configs):
            resource = ConfigResource("broker", name, set_config=configs)
            return admin.alter_configs([resource])[resource].result(timeout=15)

        def refused(name, configs):
            with self.assertRaises(KafkaException) as caught:
                alter(name, configs)
            return str(caught.exception)

        self.assertIn("Keystore DistinguishedName does not match",
                      refused("1", {key: os.path.join(self.certs, "imposter.pem")}))
        # confluent-kafka cannot name the default resource (""); kafka-python can.
        kp = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        try:
            resp = kp.alter_configs([KpConfigResource(ConfigResourceType.BROKER, "",
                                                      configs={key: renewed})])
        finally:
            kp.close()
        (code, message, _, _), = resp.resources
        self.assertEqual(code, 42, resp)  # INVALID_REQUEST
        self.assertIn("default cluster level", message)
        self.assertIn("password.encoder.secret",
                      refused("1", {"listener.name.ssl.ssl.key.password": "secret"}))
        self.assertEqual(served_serial(self.ssl_port), static_serial)

        alter("1", {key: renewed})
        wait_until(lambda: served_serial(self.ssl_port) == renewed_serial, 15,
                   "new SSL connections get the renewed certificate")
        # The MTLS listener has no override of its own: still the static keystore.
        self.assertNotEqual(served_serial(self.mtls_port, alice), renewed_serial)
        zkc = self.zk.client(self.broker.chroot)
        try:
            stored = json.loads(zkc.get("/config/brokers/1")[0])["config"]
        finally:
            zkc.stop()
            zkc.close()
        self.assertEqual(stored, {key: renewed})
        resource = ConfigResource("broker", "1")
        described = admin.describe_configs([resource])[resource].result(timeout=15)
        self.assertEqual(described[key].value, renewed)
        source = described[key].source
        self.assertEqual(source if isinstance(source, int) else source.value,
                         ConfigSource.DYNAMIC_BROKER_CONFIG.value)
        self.assert_served()

        alter("1", {})  # AlterConfigs replaces the whole set: the override is gone
        wait_until(lambda: served_serial(self.ssl_port) != renewed_serial, 15,
                   "the static keystore served again")
        self.assertIsNone(self.broker.proc.poll(), "the broker kept running")


class TlsReplicationTest(harness.IntegrationTestCase):
    """Three brokers whose inter-broker listener is SSL with client certificates required: the
    controller's requests and the followers' fetches go over mutual TLS."""

    def test_replication_over_mutual_tls(self):
        certs = tempfile.mkdtemp(prefix="samsa-it-tls-")
        self.addCleanup(shutil.rmtree, certs, True)
        make_certs(certs)
        shutil.copy(os.path.join(certs, "broker.pem"), os.path.join(certs, "broker-keystore.pem"))
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        brokers = []
        chroot = harness.unique_chroot()
        for i in (1, 2, 3):
            port, mtls = free_port(), free_port()
            props = tls_props(certs, [("PLAINTEXT", port), ("MTLS", mtls)], inter_broker="MTLS")
            b = harness.Broker(zk, broker_id=i, chroot=chroot, port=port, props=props)
            self.addCleanup(b.cleanup)
            b.start(wait=False)
            brokers.append(b)
        zkc = zk.client(chroot)
        self.addCleanup(zkc.close)
        self.addCleanup(zkc.stop)
        wait_until(lambda: len(zkc.get_children("/brokers/ids")) == 3, 60, "3 brokers registered")
        root = zk.client()
        self.addCleanup(root.close)
        self.addCleanup(root.stop)
        for b in brokers:
            self.assertIn(f"MTLS://127.0.0.1:", json.dumps(b.registration(root)))

        from confluent_kafka import Producer
        from confluent_kafka.admin import AdminClient, NewTopic
        bootstrap = ",".join(b.bootstrap for b in brokers)
        topic = harness.unique_topic("tls-repl")
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(topic, 3, 3)], operation_timeout=30)[topic].result(30)

        def states():
            out = {}
            for p in range(3):
                try:
                    data, _ = zkc.get(f"/brokers/topics/{topic}/partitions/{p}/state")
                except Exception:  # noqa: BLE001 - not created yet
                    return None
                out[p] = json.loads(data)
            return out

        wait_until(lambda: (s := states()) and all(len(v["isr"]) == 3 and v["leader"] > 0
                                                  for v in s.values()),
                   60, "every partition led, with all 3 replicas in sync over TLS")
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
        for i in range(300):
            p.produce(topic, value=f"r{i}".encode(), partition=i % 3)
        self.assertEqual(p.flush(60), 0)
        got = harness.consume_partitions(brokers[0], topic, range(3))
        self.assertEqual(sorted(m.value().decode() for ms in got.values() for m in ms),
                         sorted(f"r{i}" for i in range(300)))

        def segment_sizes(partition):
            return [os.path.getsize(os.path.join(b.data_dir, f"{topic}-{partition}",
                                                 "00000000000000000000.log")) for b in brokers]

        # Every replica fetched the leader's records over TLS: the three copies are identical.
        for partition in range(3):
            wait_until(lambda: len(set(segment_sizes(partition))) == 1, 30,
                       f"partition {partition} the same size on all 3 brokers")
            self.assertGreater(segment_sizes(partition)[0], 0)
        self.assertTrue(all(len(v["isr"]) == 3 for v in states().values()), states())
        for b in brokers:
            self.assertNotIn("TLS handshake with", b.log_text(),
                             f"{b.name}: no failed inter-broker handshakes")


if __name__ == "__main__":
    import unittest
    unittest.main()
