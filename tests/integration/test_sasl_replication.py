"""Inter-broker SASL: three brokers whose inter-broker listener (INTERNAL) is SASL_PLAINTEXT
with SCRAM-SHA-512, the brokers' own credential given as Kafka takes it
(listener.name.internal.scram-sha-512.sasl.jaas.config) and created in ZooKeeper with
samsa-configs.sh before they start. Clients use the PLAINTEXT listener. A topic with
replication factor 3 is created, acks=all produce succeeds, every follower is in the ISR with
the leader's log, and the controller's requests and the fetchers' connections authenticated
over SASL (each broker's log names the INTERNAL endpoints it authenticated to).
AlterUserScramCredentials is served by the controller only (NOT_CONTROLLER elsewhere), and the
user it writes authenticates on every broker."""

import json
import os

import harness
import wire
import wire_sasl
from harness import ROOT, run, wait_until

CONFIGS = os.path.join(ROOT, "scripts", "samsa-configs.sh")
JAAS = ('org.apache.kafka.common.security.scram.ScramLoginModule required '
        'username="admin" password="admin-secret";')


class SaslReplicationTest(harness.IntegrationTestCase):
    def setUp(self):
        self.zk = harness.ZooKeeper().start()
        self.addCleanup(self.zk.cleanup)
        chroot = harness.unique_chroot()
        run([CONFIGS, "--zookeeper", f"{self.zk.connect}{chroot}", "--alter", "--entity-type",
             "users", "--entity-name", "admin", "--add-config",
             "SCRAM-SHA-512=[password=admin-secret]"], timeout=60)
        self.internal = {}
        self.brokers = []
        for i in (1, 2, 3):
            port, internal = harness.free_port(), harness.free_port()
            self.internal[i] = internal
            b = harness.Broker(self.zk, broker_id=i, chroot=chroot, port=port, props={
                "listeners": f"PLAINTEXT://127.0.0.1:{port},INTERNAL://127.0.0.1:{internal}",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT",
                "inter.broker.listener.name": "INTERNAL",
                "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
                "listener.name.internal.sasl.enabled.mechanisms": "SCRAM-SHA-512",
                "listener.name.internal.scram-sha-512.sasl.jaas.config": JAAS,
                "replica.lag.time.max.ms": "5000",
            })
            self.addCleanup(b.cleanup)
            self.brokers.append(b)
        for b in self.brokers:
            b.start(wait=False)
        self.zkc = self.zk.client(chroot)
        self.addCleanup(self.zkc.close)
        self.addCleanup(self.zkc.stop)
        wait_until(lambda: len(self.zkc.get_children("/brokers/ids")) == 3, 60,
                   "3 brokers registered")
        harness.wait_until_brokers_know_each_other(self.brokers)

    def states(self, topic, partitions):
        return {p: json.loads(self.zkc.get(
            f"/brokers/topics/{topic}/partitions/{p}/state")[0]) for p in range(partitions)}

    def full_isr(self, topic, partitions):
        try:
            return all(s["leader"] >= 0 and sorted(s["isr"]) == [1, 2, 3]
                       for s in self.states(topic, partitions).values())
        except Exception:  # noqa: BLE001 - not created yet
            return False

    def test_replication_and_controller_requests_over_sasl(self):
        from confluent_kafka import Producer
        from confluent_kafka.admin import AdminClient, NewTopic
        bootstrap = ",".join(b.bootstrap for b in self.brokers)
        topic, partitions, count = "sasl-replicated", 3, 300
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(topic, partitions, 3)],
                            operation_timeout=60)[topic].result(timeout=60)
        wait_until(lambda: self.full_isr(topic, partitions), 60, "full ISR after creation")

        p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                      "message.timeout.ms": 30000})
        errors = []
        for i in range(count):
            p.produce(topic, value=f"replicated-{i}".encode(), partition=i % partitions,
                      on_delivery=lambda err, msg: err and errors.append(err))
        self.assertEqual(p.flush(60), 0)
        self.assertEqual(errors, [])

        # Every replica has the leader's log, and the followers are (still) in the ISR.
        def logs_equal():
            for q in range(partitions):
                sizes = set()
                for b in self.brokers:
                    d = os.path.join(b.data_dir, f"{topic}-{q}")
                    sizes.add(sum(os.path.getsize(os.path.join(d, f))
                                  for f in os.listdir(d) if f.endswith(".log")))
                if len(sizes) != 1 or 0 in sizes:
                    return False
            return True

        wait_until(logs_equal, 60, "every replica with the same log")
        self.assertTrue(self.full_isr(topic, partitions), self.states(topic, partitions))
        got = harness.consume_partitions(self.brokers[0], topic, range(partitions))
        self.assertEqual(sorted(m.value().decode() for ms in got.values() for m in ms),
                         sorted(f"replicated-{i}" for i in range(count)))

        # The controller's channels and the fetchers authenticated on the INTERNAL listeners.
        controller = json.loads(self.zkc.get("/controller")[0])["brokerid"]
        log = self.brokers[controller - 1].log_text()
        for i, port in self.internal.items():
            if i != controller:
                self.assertIn(f"authenticated to 127.0.0.1:{port} with SCRAM-SHA-512 as admin",
                              log, f"controller {controller} -> broker {i}")
        for b in self.brokers:
            self.assertIn("inter-broker connections authenticate with SCRAM-SHA-512 as admin",
                          b.log_text())
            others = [self.internal[i] for i in (1, 2, 3) if i != b.broker_id]
            self.assertTrue(any(f"authenticated to 127.0.0.1:{port} with SCRAM-SHA-512"
                                in b.log_text() for port in others),
                            f"broker {b.broker_id} fetched from no leader over SASL")

    def test_alter_user_scram_credentials_only_on_the_controller(self):
        controller = json.loads(wait_until(lambda: self.zkc.exists("/controller") and
                                           self.zkc.get("/controller")[0], 30,
                                           "a controller"))["brokerid"]
        salt = os.urandom(16)
        salted = wire_sasl.salted_password("SCRAM-SHA-512", "dave-secret", salt, 4096)
        frame = wire_sasl.alter_scram_request(1, "dave", 2, 4096, salt, salted)
        other = next(b for b in self.brokers if b.broker_id != controller)
        self.assertEqual(wire_sasl.parse_alter_scram(wire.roundtrip(other.port, frame)),
                         [("dave", 41)], "NOT_CONTROLLER elsewhere")
        # The elected broker answers once its controller failover is done (NOT_CONTROLLER is
        # retriable, as for Kafka's clients).
        wait_until(lambda: wire_sasl.parse_alter_scram(
            wire.roundtrip(self.brokers[controller - 1].port, frame)) == [("dave", 0)], 30,
            "AlterUserScramCredentials accepted by the controller")
        # Written to ZooKeeper once, seen by every broker: dave authenticates on all of them.
        for b in self.brokers:
            def dave_ok():
                with wire.connect(self.internal[b.broker_id]) as s:
                    return wire_sasl.authenticate(s, "SCRAM-SHA-512", "dave", "dave-secret")[0]
            wait_until(lambda: dave_ok() == 0, 10, f"dave on broker {b.broker_id}")


if __name__ == "__main__":
    import unittest
    unittest.main()
