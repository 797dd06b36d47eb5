"""Every request API at every version the schemas define, with absurd but well-formed field
values, sent to a live broker: each must be answered (or, for a version the broker does not
advertise, the connection closed), and none may disturb anyone else.

The frames are the request decoder fuzzer's generated seeds (tests/fuzz/fuzz_seeds): for each
API, version and sample variant, every field set. Variant 0 holds large positive numbers
(partition 70,000, a timeout of 70 s, 5,000,000,000 as an offset); variant 1 negative ones and
nulls wherever the version allows them; variant 2 every integer at its type's maximum and every
string empty; variant 3 every integer at its minimum. Topic and group names are short strings
("s3", "v1-s3") or empty, naming nothing on the broker, so these requests exercise every
handler's validation and error paths rather than its data path, which other tests cover.

Auto topic creation is off: a Metadata sample would otherwise create its topics, and a
CreatePartitions sample would then ask for 70,000 partitions of them.

The inter-broker requests (LeaderAndIsr, UpdateMetadata, StopReplica) are sent last: without an
authorizer Kafka accepts them from anyone whose controller epoch is not stale, and a sample's
live broker list replaces the broker's own. After them the test checks only that the broker is
alive and answers ApiVersions."""

import os
import socket
import struct
import tempfile
import time

import harness
import wire
from harness import KCAT, run, wait_until

# Answers within this many seconds; the slowest legitimate one is a JoinGroup that waits for
# group.initial.rebalance.delay.ms (3 s by default).
ANSWER_TIMEOUT_S = 10.0
INTER_BROKER = ("LeaderAndIsr", "UpdateMetadata", "StopReplica")
# Kafka's api keys by the names fuzz_seeds gives its files. A schema added without a line here
# counts as not advertised, so the test fails until it is added.
API_KEYS = {
    "Produce": 0, "Fetch": 1, "ListOffsets": 2, "Metadata": 3, "LeaderAndIsr": 4,
    "StopReplica": 5, "UpdateMetadata": 6, "ControlledShutdown": 7, "OffsetCommit": 8,
    "OffsetFetch": 9, "FindCoordinator": 10, "JoinGroup": 11, "Heartbeat": 12,
    "LeaveGroup": 13, "SyncGroup": 14, "DescribeGroups": 15, "ListGroups": 16,
    "SaslHandshake": 17, "ApiVersions": 18, "CreateTopics": 19, "DeleteTopics": 20,
    "DeleteRecords": 21, "InitProducerId": 22, "OffsetForLeaderEpoch": 23,
    "DescribeAcls": 29, "CreateAcls": 30, "DeleteAcls": 31, "DescribeConfigs": 32,
    "AlterConfigs": 33, "DescribeLogDirs": 35, "SaslAuthenticate": 36,
    "CreatePartitions": 37, "DeleteGroups": 42, "ElectLeaders": 43,
    "IncrementalAlterConfigs": 44, "AlterPartitionReassignments": 45,
    "ListPartitionReassignments": 46, "OffsetDelete": 47, "DescribeClientQuotas": 48,
    "AlterClientQuotas": 49, "DescribeUserScramCredentials": 50,
    "AlterUserScramCredentials": 51, "DescribeCluster": 60,
}
SEEDS_BIN = os.environ.get("SAMSA_FUZZ_SEEDS_BIN", "")


def generated_frames():
    """[(name, api, version, frame without size prefix)] from fuzz_seeds, in a stable order,
    the inter-broker requests last. fuzz_seeds also writes Produce frames holding a valid batch;
    their topic does not exist either."""
    with tempfile.TemporaryDirectory(prefix="samsa-sweep-") as d:
        dirs = [os.path.join(d, x) for x in ("requests", "batches", "segments")]
        for x in dirs:
            os.mkdir(x)
        run([SEEDS_BIN, *dirs], timeout=60)
        frames = []
        for name in sorted(os.listdir(dirs[0])):
            api, rest = name.split("_v", 1)
            version = int(rest.split("_", 1)[0])
            with open(os.path.join(dirs[0], name), "rb") as f:
                frames.append((name, api, version, f.read()))
    frames.sort(key=lambda x: (x[1] in INTER_BROKER, x[0]))
    return frames


def exchange(port, frame, correlation_id):
    """Sends one frame on a fresh connection. Returns ('answered', None), ('closed', how),
    ('silent', None) or ('wrong', the correlation id that came back)."""
    frame = frame[:4] + struct.pack(">i", correlation_id) + frame[8:]
    with wire.connect(port) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        s.settimeout(ANSWER_TIMEOUT_S)
        try:
            payload = wire.recv_frame(s)
        except socket.timeout:
            return "silent", None
        except ConnectionResetError:
            return "closed", "reset"
        except ConnectionError:
            return "closed", "eof"
    got = struct.unpack(">i", payload[:4])[0]
    return ("answered", None) if got == correlation_id else ("wrong", got)


class RequestSweepTest(harness.ClusterTestCase):
    broker_id = 4
    broker_props = {"auto.create.topics.enable": "false"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.healthy_topic = harness.unique_topic("sweep-healthy")
        harness.create_topic(cls.broker, cls.healthy_topic, 1)
        with wire.connect(cls.broker.port) as s:
            s.sendall(wire.api_versions_request(1, 0))
            _, _, cls.advertised = wire.parse_api_versions(wire.recv_frame(s), 0)

    def supported(self, api, version):
        lo_hi = self.advertised.get(API_KEYS.get(api, -1))
        return lo_hi is not None and lo_hi[0] <= version <= lo_hi[1]

    def assert_serving(self):
        self.assertTrue(self.broker.alive(), "broker died")
        with wire.connect(self.broker.port) as s:
            s.sendall(wire.api_versions_request(99, 0))
            cid, err, _ = wire.parse_api_versions(wire.recv_frame(s), 0)
        self.assertEqual((cid, err), (99, 0))

    def test_every_request_is_answered_and_the_broker_keeps_serving(self):
        self.assertTrue(SEEDS_BIN, "SAMSA_FUZZ_SEEDS_BIN is not set (CTest sets it)")
        frames = generated_frames()
        self.assertGreater(len(frames), 700, "fewer generated frames than the schemas define")
        healthy = harness.HealthyProducer(self.broker.bootstrap, self.healthy_topic)
        healthy.start()
        outcomes = {}
        try:
            for i, (name, api, version, frame) in enumerate(frames):
                if api in INTER_BROKER and i and frames[i - 1][1] not in INTER_BROKER:
                    # The clients' part is over: judge the healthy producer before the
                    # inter-broker samples rewrite the broker's view of the cluster.
                    self.assert_healthy(healthy)
                t0 = time.monotonic()
                outcomes[name] = exchange(self.broker.port, frame, 1000 + i) + (
                    time.monotonic() - t0, self.supported(api, version))
                self.assert_serving()
        finally:
            healthy.stopping.set()
            healthy.join(60)
        for name, (outcome, detail, took, supported) in sorted(outcomes.items()):
            print(f"  {name}: {outcome}{f' ({detail})' if detail else ''} in {took * 1000:.0f} ms"
                  f"{'' if supported else ' [version not advertised]'}")
        # An advertised version must be answered; any other closes the connection, as
        # Kafka's SocketServer does (ApiVersions excepted: it is answered at any version).
        wrong = {n: o for n, o in outcomes.items()
                 if o[0] != ("answered" if o[3] or n.startswith("ApiVersions_") else "closed")}
        self.assertEqual(wrong, {}, "requests not answered as Kafka would")
        # A handler that throws is caught, logged as an error and its connection closed; none
        # may have done so.
        failures = [line for line in self.broker.log_text().splitlines()
                    if "] error [" in line or "] critical [" in line]
        self.assertEqual(failures, [], "the broker logged errors")

    def assert_healthy(self, healthy):
        wait_until(lambda: healthy.acks > 20, 20, "the concurrent producer to get acks")
        self.assertEqual(healthy.errors, [], "the concurrent producer saw delivery errors")
        listing = run([KCAT, "-b", self.broker.bootstrap, "-L", "-t", self.healthy_topic],
                      timeout=20).stdout.decode()
        self.assertIn(f"broker {self.broker_id} at 127.0.0.1:{self.broker.port}", listing)
