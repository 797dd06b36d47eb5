"""replication_verifier.check on logs made up by hand, no broker: it finds a lost record and
a record that was never produced, and it holds a partition to the order its producer is owed
(every acknowledged record in sequence order with idempotence; without, causal order only,
since librdkafka may retry a batch that was in flight to an old leader after later records
went through the new one)."""

import unittest

import replication_verifier


class FakeProducer:
    """What check() reads of a SequenceProducer, for one partition (0 of 1)."""

    def __init__(self, idempotent, produced_at, acked, acked_at):
        self.idempotent = idempotent
        self.produced = len(produced_at)
        self.produced_at = produced_at
        self.acked = {0: acked}
        self.acked_at = acked_at
        self.resent = set()


def check(idempotent, produced_at, acked, acked_at, log):
    producer = FakeProducer(idempotent, produced_at, acked, acked_at)
    return replication_verifier.check(producer, {0: log}, 1)


class VerifierCheckTest(unittest.TestCase):
    def test_in_order_log_has_no_problem(self):
        acked = [(0, 0), (1, 1), (2, 2)]
        counts, problems = check(False, [0.0, 1.0, 2.0], acked, {0: 0.5, 1: 1.5, 2: 2.5},
                                 acked)
        self.assertEqual(problems, [])
        self.assertEqual((counts["acknowledged"], counts["lost"], counts["reordered"]),
                         (3, 0, 0))

    def test_missing_acknowledged_record_is_lost(self):
        counts, problems = check(False, [0.0, 1.0], [(0, 0), (1, 1)], {0: 0.5, 1: 1.5},
                                 [(0, 0)])
        self.assertEqual(counts["lost"], 1)
        self.assertIn("acknowledged 1 at offset 1 is missing", problems[0])

    def test_record_never_produced_is_a_problem(self):
        _, problems = check(False, [0.0], [(0, 0)], {0: 0.5}, [(0, 0), (1, 7)])
        self.assertIn("7 was never produced here", problems[0])

    def test_retry_overtaken_while_in_flight_is_counted_not_failed(self):
        # 0 was in flight to a frozen leader when 1 was produced; 1 went through the new leader
        # first (offset 0), 0's retry after it (offset 1), acknowledged last.
        counts, problems = check(False, [0.0, 1.0], [(0, 1), (1, 0)], {0: 12.0, 1: 1.5},
                                 [(0, 1), (1, 0)])
        self.assertEqual(problems, [])
        self.assertEqual(counts["reordered"], 1)

    def test_record_produced_after_an_acknowledgement_must_land_above_it(self):
        # 1 was produced after 0 was acknowledged at offset 1, yet it sits at offset 0.
        counts, problems = check(False, [0.0, 2.0], [(1, 0), (0, 1)], {0: 1.0, 1: 3.0},
                                 [(0, 1), (1, 0)])
        self.assertEqual(len(problems), 1)
        self.assertIn("1 (produced 1.000 s after 0 was acknowledged at offset 1) is at offset 0",
                      problems[0])

    def test_first_copy_counts_for_order(self):
        # 0 written twice (a retried batch whose answer was lost): its first copy is below 1.
        counts, problems = check(False, [0.0, 2.0], [(0, 0), (2, 1)], {0: 1.0, 1: 3.0},
                                 [(0, 0), (1, 0), (2, 1)])
        self.assertEqual(problems, [])
        self.assertEqual(counts["duplicated"], 1)

    def test_idempotent_producer_is_owed_sequence_order(self):
        # The same log as the overtaken retry above: with idempotence the broker must refuse
        # the out-of-sequence batch, so this is a problem.
        _, problems = check(True, [0.0, 1.0], [(0, 1), (1, 0)], {0: 12.0, 1: 1.5},
                            [(0, 1), (1, 0)])
        self.assertEqual(len(problems), 1)
        self.assertIn("out of order: 0 at offset 1, the later 1 at 0", problems[0])


if __name__ == "__main__":
    unittest.main()
