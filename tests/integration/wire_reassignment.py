"""Raw wire helpers for AlterPartitionReassignments (key 45) and ListPartitionReassignments
(key 46), which neither kafka-python 2.0.2 nor confluent-kafka 1.7 can send. The framing and
primitives are wire.py's."""

from wire import Reader, compact_string, i32, request, uvarint

# --------------------------------------------------------------------------------------------
# AlterPartitionReassignments (key 45) and ListPartitionReassignments (key 46): KIP-455, v0,
# flexible (request header v2, response header v1).


def _compact_int32s(values):
    if values is None:
        return uvarint(0)
    return uvarint(len(values) + 1) + b"".join(i32(v) for v in values)


def alter_partition_reassignments_request(correlation_id, targets, timeout_ms=30000):
    """targets: {(topic, partition): [replica, ...] or None (cancel)}."""
    by_topic = {}
    for (topic, partition), replicas in sorted(targets.items()):
        by_topic.setdefault(topic, []).append((partition, replicas))
    body = i32(timeout_ms) + uvarint(len(by_topic) + 1)
    for topic, partitions in by_topic.items():
        body += compact_string(topic) + uvarint(len(partitions) + 1)
        for partition, replicas in partitions:
            body += i32(partition) + _compact_int32s(replicas) + uvarint(0)
        body += uvarint(0)
    body += uvarint(0)
    return request(45, 0, correlation_id, body, flexible_header=True)


def list_partition_reassignments_request(correlation_id, partitions=None, timeout_ms=30000):
    """partitions: {topic: [partition, ...]} or None (every reassignment in progress)."""
    body = i32(timeout_ms)
    if partitions is None:
        body += uvarint(0)
    else:
        body += uvarint(len(partitions) + 1)
        for topic, ids in partitions.items():
            body += compact_string(topic) + _compact_int32s(ids) + uvarint(0)
    body += uvarint(0)
    return request(46, 0, correlation_id, body, flexible_header=True)


def _compact_text(r):
    n = r.uvarint() - 1
    if n < 0:
        return None
    s = r.data[r.pos:r.pos + n].decode()
    r.pos += n
    return s


def _compact_int32_list(r):
    return [r.i32() for _ in range(r.uvarint() - 1)]


def parse_alter_partition_reassignments(payload):
    """Returns (correlation_id, (error, message), {(topic, partition): (error, message)})."""
    r = Reader(payload)
    correlation_id = r.i32()
    r.skip_tags()
    r.i32()  # throttle time
    top = (r.i16(), _compact_text(r))
    results = {}
    for _ in range(r.uvarint() - 1):
        topic = _compact_text(r)
        for _ in range(r.uvarint() - 1):
            partition, error = r.i32(), r.i16()
            results[(topic, partition)] = (error, _compact_text(r))
            r.skip_tags()
        r.skip_tags()
    r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in AlterPartitionReassignments"
    return correlation_id, top, results


def parse_list_partition_reassignments(payload):
    """Returns (correlation_id, (error, message),
    {(topic, partition): (replicas, adding, removing)})."""
    r = Reader(payload)
    correlation_id = r.i32()
    r.skip_tags()
    r.i32()  # throttle time
    top = (r.i16(), _compact_text(r))
    ongoing = {}
    for _ in range(r.uvarint() - 1):
        topic = _compact_text(r)
        for _ in range(r.uvarint() - 1):
            partition = r.i32()
            ongoing[(topic, partition)] = (_compact_int32_list(r), _compact_int32_list(r),
                                           _compact_int32_list(r))
            r.skip_tags()
        r.skip_tags()
    r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in ListPartitionReassignments"
    return correlation_id, top, ongoing
