"""OffsetForLeaderEpoch (API key 23) over raw sockets (tests/integration/wire.py), as Kafka
2.8's leader answers it: the current epoch ends at the log end offset, an epoch the leader does
not know above its own is (-1, -1), an earlier epoch ends where the next one started, partitions
we do not host are UNKNOWN_TOPIC_OR_PARTITION, and a caller with a stale current leader epoch is
FENCED_LEADER_EPOCH (KIP-320). confluent-kafka still consumes with the API advertised."""

import json

import harness
import wire

NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
FENCED_LEADER_EPOCH = 74
UNKNOWN_LEADER_EPOCH = 75
OFFSET_OUT_OF_RANGE = 1
OFFSET_FOR_LEADER_EPOCH = 23


def produce(port, topic, partition, sizes):
    """Appends one batch per entry of `sizes` (that many records each); returns base offsets."""
    bases = []
    with wire.connect(port) as s:
        for cid, n in enumerate(sizes, 1):
            records = [(f"k{i}".encode(), f"{topic}-{cid}-{i}".encode(), ()) for i in range(n)]
            s.sendall(wire.produce_request(cid, topic, partition, wire.record_batch(records)))
            _, [(_, _, error, base)] = wire.parse_produce(wire.recv_frame(s), 7)
            assert error == NONE, f"produce to {topic}-{partition}: error {error}"
            bases.append(base)
    return bases


def leader_and_isr_v1(correlation_id, controller_id, controller_epoch, topic, partition,
                      leader_epoch, zk_version, broker_id, port):
    """LeaderAndIsr v1 making `broker_id` the sole leader of one partition at `leader_epoch`:
    controller id and epoch, ungrouped partition states (topic, partition, controller epoch,
    leader, leader epoch, ISR, zk version, replicas, is_new), live leaders."""
    state = (wire.string(topic) + wire.i32(partition) + wire.i32(controller_epoch)
             + wire.i32(broker_id) + wire.i32(leader_epoch) + wire.i32(1) + wire.i32(broker_id)
             + wire.i32(zk_version) + wire.i32(1) + wire.i32(broker_id) + wire.i8(0))
    leaders = wire.i32(1) + wire.i32(broker_id) + wire.string("127.0.0.1") + wire.i32(port)
    body = wire.i32(controller_id) + wire.i32(controller_epoch) + wire.i32(1) + state + leaders
    return wire.request(4, 1, correlation_id, body)


class OffsetForLeaderEpochTest(harness.ClusterTestCase):
    broker_id = 4

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = harness.unique_topic("ofle")
        harness.create_topic(cls.broker, cls.topic, 2)
        # Partition 0: three batches, log end offset 10, all in leader epoch 0 (a new topic's
        # first leader). Partition 1 stays empty.
        cls.bases = produce(cls.broker.port, cls.topic, 0, [2, 3, 5])

    def ask(self, topics, version=3, replica_id=-1):
        frame = wire.offset_for_leader_epoch_request(7, topics, version, replica_id)
        correlation_id, answers = wire.parse_offset_for_leader_epoch(
            wire.roundtrip(self.broker.port, frame), version)
        self.assertEqual(correlation_id, 7)
        return answers

    def test_advertised_as_kafka_2_8_does(self):
        payload = wire.roundtrip(self.broker.port, wire.api_versions_request(1, version=3))
        _, error, apis = wire.parse_api_versions(payload, 3)
        self.assertEqual(error, NONE)
        self.assertEqual(apis.get(OFFSET_FOR_LEADER_EPOCH), (0, 4))

    def test_records_went_where_intended(self):
        self.assertEqual(self.bases, [0, 2, 5])

    def test_current_epoch_ends_at_the_log_end_offset_in_every_version(self):
        for version in range(5):
            with self.subTest(version=version):
                epoch = None if version == 0 else 0  # v0 answers carry no epoch
                self.assertEqual(
                    self.ask([(self.topic, [(0, -1, 0), (1, -1, 0)])], version),
                    [(self.topic, 0, NONE, epoch, 10), (self.topic, 1, NONE, epoch, 0)])

    def test_unknown_higher_epoch_is_undefined(self):
        self.assertEqual(self.ask([(self.topic, [(0, -1, 5)])]),
                         [(self.topic, 0, NONE, -1, -1)])

    def test_partitions_we_do_not_host_are_unknown(self):
        missing = harness.unique_topic("ofle-missing")
        self.assertEqual(self.ask([(self.topic, [(7, -1, 0)]), (missing, [(0, -1, 0)])]),
                         [(self.topic, 7, UNKNOWN_TOPIC_OR_PARTITION, -1, -1),
                          (missing, 0, UNKNOWN_TOPIC_OR_PARTITION, -1, -1)])

    def test_followers_and_consumers_get_the_same_answer(self):
        want = [(self.topic, 0, NONE, 0, 10)]
        self.assertEqual(self.ask([(self.topic, [(0, 0, 0)])], 3, replica_id=2), want)
        self.assertEqual(self.ask([(self.topic, [(0, 0, 0)])], 3, replica_id=-1), want)
        self.assertEqual(self.ask([(self.topic, [(0, 0, 0)])], 2), want)  # replica id -2

    def second_epoch(self, topic):
        """A topic whose offsets 0-3 are leader epoch 0 and 4-6 epoch 1."""
        harness.create_topic(self.broker, topic, 1)
        produce(self.broker.port, topic, 0, [4])
        # A single broker stays at leader epoch 0 for ever; the test plays a controller that
        # has just re-elected this broker at epoch 1 (as after a controller failover with
        # several brokers), with the current controller epoch so the request is not stale.
        controller_epoch = int(self.zkc.get("/controller_epoch")[0])
        state_path = f"/brokers/topics/{topic}/partitions/0/state"
        state, stat = self.zkc.get(state_path)
        self.assertEqual(json.loads(state)["leader_epoch"], 0)
        frame = leader_and_isr_v1(3, self.broker_id, controller_epoch, topic, 0, 1,
                                  stat.version, self.broker_id, self.broker.port)
        r = wire.Reader(wire.roundtrip(self.broker.port, frame))
        r.i32()  # correlation id
        self.assertEqual(r.i16(), NONE)
        self.assertEqual([(r.string(), r.i32(), r.i16()) for _ in range(r.i32())],
                         [(topic, 0, NONE)])
        produce(self.broker.port, topic, 0, [3])

    def test_new_leader_epoch_ends_the_old_one_and_fences_stale_callers(self):
        topic = harness.unique_topic("ofle-epochs")
        self.second_epoch(topic)
        self.assertEqual(self.ask([(topic, [(0, 1, 0), (0, 1, 1), (0, -1, 2)])]),
                         [(topic, 0, NONE, 0, 4), (topic, 0, NONE, 1, 7),
                          (topic, 0, NONE, -1, -1)])
        self.assertEqual(self.ask([(topic, [(0, 0, 1), (0, 2, 1)])], 4),
                         [(topic, 0, FENCED_LEADER_EPOCH, -1, -1),
                          (topic, 0, UNKNOWN_LEADER_EPOCH, -1, -1)])
        # v0-1 have no current leader epoch to be fenced with.
        self.assertEqual(self.ask([(topic, [(0, 0, 0)])], 1), [(topic, 0, NONE, 0, 4)])

    def test_fetch_v12_tells_a_diverged_fetcher_where_to_truncate(self):
        """KIP-595: with the epoch of its last record in the fetch, a follower whose log
        went on in epoch 0 past offset 4 (where epoch 1 began here) is told (0, 4) and gets no
        records; one in step gets records; a last epoch this log cannot place is
        OFFSET_OUT_OF_RANGE."""
        topic = harness.unique_topic("ofle-fetch12")
        self.second_epoch(topic)
        frame = wire.fetch_request_v12(9, [(topic, 0, 1, 6, 0), (topic, 0, 1, 4, 0),
                                           (topic, 0, 1, 7, 1)], replica_id=-1)
        cid, error, parts = wire.parse_fetch_v12(wire.roundtrip(self.broker.port, frame))
        self.assertEqual((cid, error), (9, NONE))
        (_, _, e1, hw1, div1, rec1), (_, _, e2, _, div2, rec2), (_, _, e3, _, div3, rec3) = parts
        self.assertEqual((e1, hw1, div1, rec1), (NONE, 7, (0, 4), b""))
        self.assertEqual((e2, div2), (NONE, None))
        self.assertEqual([r[0] for r in wire.parse_records(rec2)], [4, 5, 6])
        self.assertEqual((e3, div3, rec3), (NONE, None, b""))  # at the end: nothing yet
        frame = wire.fetch_request_v12(10, [(topic, 0, 1, 2, 7)])
        _, _, [(_, _, e4, _, div4, _)] = wire.parse_fetch_v12(
            wire.roundtrip(self.broker.port, frame))
        self.assertEqual((e4, div4), (OFFSET_OUT_OF_RANGE, None))

    def test_confluent_consumer_reads_everything(self):
        got = harness.consume_partitions(self.broker, self.topic, [0, 1])
        self.assertEqual([m.offset() for m in got[0]], list(range(10)))
        self.assertEqual(got[0][-1].value(), f"{self.topic}-3-4".encode())
        self.assertEqual(got[1], [])


if __name__ == "__main__":
    import unittest
    unittest.main()
