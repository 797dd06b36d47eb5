"""Where a duplicated record came from, read from a replica's segment files: the producer id,
epoch and base sequence of the batch holding each copy.

- Both copies in batches with the same producer id, epoch and base sequence: the broker wrote
  one retried batch twice (a broker bug: its producer state should have recognised the retry).
- The second copy under another epoch (or producer id): the client sent the record again as a
  new one. librdkafka does this after it bumps the producer's epoch, which it does for the whole
  producer when any partition answers OUT_OF_ORDER_SEQUENCE_NUMBER behind a failed request
  ("skipped sequence numbers ... recovering and retrying", rdkafka_request.c); a record of
  another partition waiting for a retry after a possibly persisted failure (a broken
  connection) is then re-sequenced from 0 under the new epoch (confluentinc/librdkafka#4953).
  No broker can recognise it: Kafka accepts it too.
- Same epoch, another sequence (or one batch holding both): neither; reported as unexplained.
"""

import os
import struct

import wire

BROKER = "same producer batch written twice"
NEW_EPOCH = "re-sent by the client under a new epoch"
UNEXPLAINED = "same epoch, another sequence"


def batch_headers(partition_dir):
    """(base offset, last offset, producer id, epoch, base sequence) of every complete batch in
    the partition directory's segments, in offset order."""
    out = []
    for name in sorted(os.listdir(partition_dir)):
        if not name.endswith(".log"):
            continue
        with open(os.path.join(partition_dir, name), "rb") as f:
            data = f.read()
        for pos, _, base in wire._complete_batches(data):
            last_delta = struct.unpack_from(">i", data, pos + 23)[0]
            pid, epoch, seq = struct.unpack_from(">qhi", data, pos + 43)
            out.append((base, base + last_delta, pid, epoch, seq))
    return out


def _batch_at(headers, offset):
    return next((h for h in headers if h[0] <= offset <= h[1]), None)


def origin(first, second):
    """Which of BROKER, NEW_EPOCH, UNEXPLAINED the two batch headers show."""
    if first[2:4] != second[2:4]:
        return NEW_EPOCH
    return BROKER if first[4] == second[4] and first[0] != second[0] else UNEXPLAINED


def explain(brokers, topic, duplicates):
    """duplicates: [(partition, value, first offset, second offset)]. Returns one line per
    duplicate and the count per origin; a duplicate no replica holds both copies of counts as
    UNEXPLAINED."""
    lines, counts = [], {BROKER: 0, NEW_EPOCH: 0, UNEXPLAINED: 0}
    for partition, value, first_offset, second_offset in duplicates:
        found = None
        for b in brokers:
            d = os.path.join(b.data_dir, f"{topic}-{partition}")
            if not os.path.isdir(d):
                continue
            headers = batch_headers(d)
            first, second = _batch_at(headers, first_offset), _batch_at(headers, second_offset)
            if first and second:
                found = (b.broker_id, first, second)
                break
        if found is None:
            counts[UNEXPLAINED] += 1
            lines.append(f"partition {partition}: {value} at offsets {first_offset} and "
                         f"{second_offset}: no replica holds both")
            continue
        broker_id, first, second = found
        kind = origin(first, second)
        counts[kind] += 1
        lines.append(f"partition {partition}: {value} at offsets {first_offset} (batch at "
                     f"{first[0]}: producer {first[2]} epoch {first[3]} base sequence "
                     f"{first[4]}) and {second_offset} (batch at {second[0]}: producer "
                     f"{second[2]} epoch {second[3]} base sequence {second[4]}) on broker "
                     f"{broker_id}: {kind}")
    return lines, counts
