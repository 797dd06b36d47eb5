"""Raw wire helpers for the admin APIs the installed clients cannot send: DeleteRecords (21),
DescribeLogDirs (35), IncrementalAlterConfigs (44) and DescribeCluster (60). Written from the
protocol spec; the framing and primitives are wire.py's."""

from wire import Reader, compact_string, i8, i32, i64, request, string, uvarint


def _compact_nullable_string(r):
    n = r.uvarint() - 1
    if n < 0:
        return None
    s = r.data[r.pos:r.pos + n].decode()
    r.pos += n
    return s


def _bool(r):
    return r.take(">b") != 0


# --------------------------------------------------------------------------------------------
# DeleteRecords v1 (not flexible).


def delete_records_request(correlation_id, offsets, timeout_ms=10000):
    """offsets: {(topic, partition): offset}; -1 = the high watermark."""
    by_topic = {}
    for (topic, partition), offset in sorted(offsets.items()):
        by_topic.setdefault(topic, []).append((partition, offset))
    body = i32(len(by_topic))
    for topic, partitions in by_topic.items():
        body += string(topic) + i32(len(partitions))
        for partition, offset in partitions:
            body += i32(partition) + i64(offset)
    body += i32(timeout_ms)
    return request(21, 1, correlation_id, body)


def parse_delete_records(payload):
    """Returns {(topic, partition): (low_watermark, error_code)}."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.i32()  # throttle
    out = {}
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition, low, error = r.take(">iqh")
            out[(topic, partition)] = (low, error)
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in DeleteRecords response"
    return out


# --------------------------------------------------------------------------------------------
# DescribeLogDirs v1 (not flexible).


def describe_log_dirs_request(correlation_id, partitions=None):
    """partitions: {topic: [partition...]} or None for every partition."""
    if partitions is None:
        body = i32(-1)
    else:
        body = i32(len(partitions))
        for topic, ps in partitions.items():
            body += string(topic) + i32(len(ps)) + b"".join(i32(p) for p in ps)
    return request(35, 1, correlation_id, body)


def parse_describe_log_dirs(payload):
    """Returns {log_dir: (error, {(topic, partition): (size, offset_lag, is_future)})}."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.i32()  # throttle
    out = {}
    for _ in range(r.i32()):
        error = r.i16()
        log_dir = r.string()
        parts = {}
        for _ in range(r.i32()):
            topic = r.string()
            for _ in range(r.i32()):
                partition, size, lag = r.take(">iqq")
                parts[(topic, partition)] = (size, lag, _bool(r))
        out[log_dir] = (error, parts)
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in DescribeLogDirs response"
    return out


# --------------------------------------------------------------------------------------------
# IncrementalAlterConfigs v0 (not flexible). Operations: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
TOPIC, BROKER = 2, 4


def incremental_alter_configs_request(correlation_id, resources, validate_only=False):
    """resources: [(resource_type, name, [(config, op, value)])]."""
    body = i32(len(resources))
    for rtype, name, configs in resources:
        body += i8(rtype) + string(name) + i32(len(configs))
        for key, op, value in configs:
            body += string(key) + i8(op) + string(value)
    body += i8(1 if validate_only else 0)
    return request(44, 0, correlation_id, body)


def parse_alter_configs(payload):
    """IncrementalAlterConfigs v0 / AlterConfigs v0-1: {(type, name): (error, message)}."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.i32()  # throttle
    out = {}
    for _ in range(r.i32()):
        error = r.i16()
        message = r.string()
        rtype = r.take(">b")
        name = r.string()
        out[(rtype, name)] = (error, message)
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in AlterConfigs response"
    return out


# --------------------------------------------------------------------------------------------
# DescribeConfigs v4 (flexible: request header v2, response header v1), to see the config
# types of v3+.


def describe_configs_request_v4(correlation_id, resources, include_synonyms=True):
    """resources: [(resource_type, name)], every key of each."""
    body = uvarint(len(resources) + 1)
    for rtype, name in resources:
        body += i8(rtype) + compact_string(name) + uvarint(0) + uvarint(0)  # null keys, tags
    body += i8(1 if include_synonyms else 0) + i8(0) + uvarint(0)
    return request(32, 4, correlation_id, body, flexible_header=True)


def parse_describe_configs_v4(payload):
    """Returns {(type, name): (error, {config: (value, source, sensitive, type, synonyms)})}."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.skip_tags()
    r.i32()  # throttle
    out = {}
    for _ in range(r.uvarint() - 1):
        error = r.i16()
        _compact_nullable_string(r)
        rtype = r.take(">b")
        name = _compact_nullable_string(r)
        configs = {}
        for _ in range(r.uvarint() - 1):
            key = _compact_nullable_string(r)
            value = _compact_nullable_string(r)
            _bool(r)  # read only
            source = r.take(">b")
            sensitive = _bool(r)
            synonyms = []
            for _ in range(r.uvarint() - 1):
                sname = _compact_nullable_string(r)
                svalue = _compact_nullable_string(r)
                synonyms.append((sname, svalue, r.take(">b")))
                r.skip_tags()
            ctype = r.take(">b")
            _compact_nullable_string(r)  # documentation
            r.skip_tags()
            configs[key] = (value, source, sensitive, ctype, synonyms)
        r.skip_tags()
        out[(rtype, name)] = (error, configs)
    r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in DescribeConfigs v4 response"
    return out


# --------------------------------------------------------------------------------------------
# DescribeCluster v0 (flexible).


def describe_cluster_request(correlation_id, include_authorized_operations=False):
    body = i8(1 if include_authorized_operations else 0) + uvarint(0)
    return request(60, 0, correlation_id, body, flexible_header=True)


def parse_describe_cluster(payload):
    """Returns (error, cluster_id, controller_id, {broker_id: (host, port, rack)},
    authorized_operations)."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.skip_tags()
    r.i32()  # throttle
    error = r.i16()
    _compact_nullable_string(r)
    cluster_id = _compact_nullable_string(r)
    controller = r.i32()
    brokers = {}
    for _ in range(r.uvarint() - 1):
        broker_id = r.i32()
        host = _compact_nullable_string(r)
        port = r.i32()
        rack = _compact_nullable_string(r)
        r.skip_tags()
        brokers[broker_id] = (host, port, rack)
    operations = r.i32()
    r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in DescribeCluster response"
    return error, cluster_id, controller, brokers, operations
