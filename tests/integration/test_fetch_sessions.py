"""Incremental fetch sessions (KIP-227) over the wire against a real broker: a session opens with
a full fetch; incremental fetches answer only partitions with something new; epochs must follow
in order; unknown sessions are refused; and clients without sessions are unaffected."""

import harness
import wire

FETCH_SESSION_ID_NOT_FOUND = 70
INVALID_FETCH_SESSION_EPOCH = 71


class FetchSessionTest(harness.ClusterTestCase):
    def fetch(self, s, correlation, partitions, session_id, epoch, max_wait_ms=50, forgotten=()):
        s.sendall(wire.fetch_request_v11(correlation, partitions, max_wait_ms,
                                         session_id=session_id, session_epoch=epoch,
                                         forgotten=forgotten))
        cid, error, parts, sid = wire.parse_fetch_v11(wire.recv_frame(s), with_session_id=True)
        self.assertEqual(cid, correlation)
        return error, {(t, p): (e, hw, recs) for t, p, e, hw, recs in parts}, sid

    def produce(self, topic, partition, value):
        frame = wire.produce_request(1, topic, partition,
                                     wire.record_batch([(None, value, ())]))
        _, results = wire.parse_produce(wire.roundtrip(self.broker.port, frame), 7)
        self.assertEqual(results[0][2], 0)

    def test_incremental_fetches_answer_only_news(self):
        topic = harness.unique_topic("sessions")
        harness.create_topic(self.broker, topic, partitions=2)
        self.produce(topic, 0, b"first")
        parts = [(topic, 0, 0, 1 << 20), (topic, 1, 0, 1 << 20)]
        with wire.connect(self.broker.port) as s:
            error, answer, sid = self.fetch(s, 1, parts, 0, 0)
            self.assertEqual(error, 0)
            self.assertNotEqual(sid, 0, "no session was opened")
            self.assertEqual(set(answer), {(topic, 0), (topic, 1)})
            self.assertEqual(answer[(topic, 0)][1], 1)  # high watermark

            # Partition 0 moves on to offset 1; nothing is new anywhere: an empty answer.
            error, answer, sid2 = self.fetch(s, 2, [(topic, 0, 1, 1 << 20)], sid, 1)
            self.assertEqual((error, sid2, answer), (0, sid, {}))

            # A record on partition 1: only partition 1 is answered, with its record.
            self.produce(topic, 1, b"second")
            error, answer, _ = self.fetch(s, 3, [], sid, 2)
            self.assertEqual(error, 0)
            self.assertEqual(set(answer), {(topic, 1)})
            self.assertIn(b"second", answer[(topic, 1)][2])

            # Epochs in order only.
            error, _, _ = self.fetch(s, 4, [], sid, 2)
            self.assertEqual(error, INVALID_FETCH_SESSION_EPOCH)

            # Forgetting partition 1 and producing to it: nothing comes back for it.
            error, _, _ = self.fetch(s, 5, [(topic, 1, 1, 1 << 20)], sid, 3)
            self.assertEqual(error, 0)
            self.produce(topic, 1, b"third")
            error, answer, _ = self.fetch(s, 6, [], sid, 4, forgotten=[(topic, 1)])
            self.assertEqual((error, answer), (0, {}))

            # Closing the session (epoch -1) answers in full, without a session.
            error, answer, sid3 = self.fetch(s, 7, parts, sid, -1)
            self.assertEqual((error, sid3), (0, 0))
            self.assertEqual(set(answer), {(topic, 0), (topic, 1)})
            error, _, _ = self.fetch(s, 8, [], sid, 5)
            self.assertEqual(error, FETCH_SESSION_ID_NOT_FOUND)

    def test_unknown_session_is_refused(self):
        with wire.connect(self.broker.port) as s:
            error, answer, sid = self.fetch(s, 1, [], 123456, 1)
        self.assertEqual((error, answer, sid), (FETCH_SESSION_ID_NOT_FOUND, {}, 0))


if __name__ == "__main__":
    import unittest
    unittest.main()
