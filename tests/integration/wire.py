"""Hand-built Kafka wire frames for the raw-socket tests: request framing, ApiVersions and
Produce requests/responses, RecordBatch v2 with its CRC-32C (Castagnoli). Written from the
protocol spec (kafka.apache.org/protocol) and ZK-MODE.md §e, independently of the broker's code.
"""

import socket
import struct
import time

# --------------------------------------------------------------------------------------------
# CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.

_CRC32C_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value

# --------------------------------------------------------------------------------------------
# xxHash32 (the LZ4 frame header checksum) and an LZ4 frame of uncompressed blocks: valid LZ4
# that any decoder accepts, without an LZ4 compressor in the test environment.

_P1, _P2, _P3, _P4, _P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
_M32 = 0xFFFFFFFF


def _rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & _M32


def xxh32(data, seed=0):
    n, i = len(data), 0
    if n >= 16:
        acc = [(seed + _P1 + _P2) & _M32, (seed + _P2) & _M32, seed & _M32, (seed - _P1) & _M32]
        while i + 16 <= n:
            for k in range(4):
                lane = int.from_bytes(data[i:i + 4], "little")
                acc[k] = (_rotl((acc[k] + lane * _P2) & _M32, 13) * _P1) & _M32
                i += 4
        h = (_rotl(acc[0], 1) + _rotl(acc[1], 7) + _rotl(acc[2], 12) + _rotl(acc[3], 18)) & _M32
    else:
        h = (seed + _P5) & _M32
    h = (h + n) & _M32
    while i + 4 <= n:
        h = (h + int.from_bytes(data[i:i + 4], "little") * _P3) & _M32
        h = (_rotl(h, 17) * _P4) & _M32
        i += 4
    while i < n:
        h = (h + data[i] * _P5) & _M32
        h = (_rotl(h, 11) * _P1) & _M32
        i += 1
    h ^= h >> 15
    h = (h * _P2) & _M32
    h ^= h >> 13
    h = (h * _P3) & _M32
    h ^= h >> 16
    return h


assert xxh32(b"") == 0x02CC5D05 and xxh32(b"abc") == 0x32D153FF


def lz4_frame_stored(data):
    """An LZ4 frame (independent 64 KiB blocks, no checksums) holding `data` in uncompressed
    blocks."""
    descriptor = bytes([0x60, 0x40])  # FLG: version 01, block independence; BD: 64 KiB blocks
    out = bytearray(b"\x04\x22\x4d\x18" + descriptor + bytes([(xxh32(descriptor) >> 8) & 0xFF]))
    for i in range(0, len(data), 65536):
        block = data[i:i + 65536]
        out += (len(block) | 0x80000000).to_bytes(4, "little") + block
    out += b"\x00\x00\x00\x00"
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Primitive encoders


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def nbytes(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def varint(v):
    # zig-zag
    return uvarint((v << 1) ^ (v >> 63))


def compact_string(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


# --------------------------------------------------------------------------------------------
# Requests


def request(api_key, api_version, correlation_id, body, client_id="samsa-it",
            flexible_header=False):
    """A framed request: int32 size, header v1 (v2 if flexible_header), body."""
    header = i16(api_key) + i16(api_version) + i32(correlation_id) + string(client_id)
    if flexible_header:
        header += uvarint(0)  # no tagged fields
    payload = header + body
    return i32(len(payload)) + payload


def api_versions_request(correlation_id, version=0):
    if version >= 3:
        body = compact_string("samsa-it") + compact_string("1.0") + uvarint(0)
        return request(18, version, correlation_id, body, flexible_header=True)
    return request(18, version, correlation_id, b"")


def produce_request(correlation_id, topic, partition, records, version=7, acks=1,
                    timeout_ms=10000, transactional_id=None):
    body = b""
    if version >= 3:
        body += string(transactional_id)
    body += i16(acks) + i32(timeout_ms)
    body += i32(1) + string(topic) + i32(1) + i32(partition) + nbytes(records)
    return request(0, version, correlation_id, body)


# --------------------------------------------------------------------------------------------
# RecordBatch v2


def record(offset_delta, key, value, headers=(), timestamp_delta=0):
    body = i8(0) + varint(timestamp_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for hk, hv in headers:
        hk = hk.encode()
        body += varint(len(hk)) + hk
        body += varint(-1) if hv is None else varint(len(hv)) + hv
    return varint(len(body)) + body


def record_batch(records, base_timestamp=None, lz4=False):
    """A magic-2 batch of (key, value, headers) tuples, baseOffset 0; uncompressed, or with lz4
    the records in an LZ4 frame (codec 3)."""
    ts = int(time.time() * 1000) if base_timestamp is None else base_timestamp
    recs = b"".join(record(i, k, v, h) for i, (k, v, h) in enumerate(records))
    if lz4:
        recs = lz4_frame_stored(recs)
    attributes = 3 if lz4 else 0
    after_crc = (i16(attributes) + i32(len(records) - 1) + i64(ts) + i64(ts) + i64(-1)
                 + i16(-1) + i32(-1) + i32(len(records)) + recs)
    crc = crc32c(after_crc)
    # batchLength counts from partitionLeaderEpoch to the end.
    batch_length = 4 + 1 + 4 + len(after_crc)
    return i64(0) + i32(batch_length) + i32(-1) + i8(2) + struct.pack(">I", crc) + after_crc


def _complete_batches(data):
    """Yields (position, end, base_offset) of each complete magic-2 batch in `data` (a log
    segment or fetch payload); stops at a trailing partial batch."""
    pos = 0
    while pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        end = pos + 12 + length
        if length <= 0 or end > len(data):
            return
        magic = data[pos + 16]
        if magic != 2:
            raise ValueError(f"magic {magic} at position {pos}")
        yield pos, end, base
        pos = end


def parse_batches(data):
    """Yields (base_offset, last_offset, attributes, record_count, max_timestamp) of each complete
    batch header in a log segment or fetch payload."""
    for pos, _, base in _complete_batches(data):
        attributes, last_delta, _, max_ts = struct.unpack_from(">hiqq", data, pos + 21)
        count = struct.unpack_from(">i", data, pos + 57)[0]
        yield base, base + last_delta, attributes, count, max_ts


# --------------------------------------------------------------------------------------------
# Responses


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def i16(self):
        return self.take(">h")

    def i32(self):
        return self.take(">i")

    def i64(self):
        return self.take(">q")

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()

    def remaining(self):
        return len(self.data) - self.pos


def parse_api_versions(payload, version):
    """payload = response after the size prefix. Returns (correlation_id, error_code,
    {api_key: (min, max)}); ApiVersions responses always use header v0."""
    r = Reader(payload)
    correlation_id = r.i32()
    error = r.i16()
    apis = {}
    if version >= 3:
        n = r.uvarint() - 1
        for _ in range(n):
            key, lo, hi = r.take(">hhh")
            r.skip_tags()
            apis[key] = (lo, hi)
    else:
        for _ in range(r.i32()):
            key, lo, hi = r.take(">hhh")
            apis[key] = (lo, hi)
    return correlation_id, error, apis


def parse_produce(payload, version):
    """Returns (correlation_id, [(topic, partition, error, base_offset)])."""
    r = Reader(payload)
    correlation_id = r.i32()
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition, error, base = r.take(">ihq")
            if version >= 2:
                r.i64()  # log_append_time
            if version >= 5:
                r.i64()  # log_start_offset
            out.append((topic, partition, error, base))
    if version >= 1:
        r.i32()  # throttle_time_ms
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in Produce v{version} response"
    return correlation_id, out


# --------------------------------------------------------------------------------------------
# Sockets


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def recv_frame(s):
    size = struct.unpack(">i", recv_exact(s, 4))[0]
    return recv_exact(s, size)


def roundtrip(port, frame, timeout=10):
    with connect(port, timeout) as s:
        s.sendall(frame)
        return recv_frame(s)


def wait_closed(s, timeout=10):
    """Returns how the peer ended the connection ('eof' or 'reset') within `timeout` s; raises
    AssertionError if it stays open or sends data instead."""
    s.settimeout(timeout)
    try:
        data = s.recv(65536)
    except socket.timeout:
        raise AssertionError(f"connection still open after {timeout}s") from None
    except ConnectionResetError:
        return "reset"
    if data:
        raise AssertionError(f"expected the broker to close the connection, got {data[:200]!r}")
    return "eof"


def fetch_request(correlation_id, topic, partition, offset, max_wait_ms, min_bytes=1,
                  max_bytes=1 << 20, version=4):
    """Fetch v4 (the version kafka-python uses): replica_id -1, read_uncommitted."""
    assert version == 4
    body = (i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0)
            + i32(1) + string(topic) + i32(1) + i32(partition) + i64(offset) + i32(max_bytes))
    return request(1, version, correlation_id, body)


def parse_fetch_v4(payload):
    """Returns (correlation_id, [(topic, partition, error, high_watermark, records bytes)])."""
    r = Reader(payload)
    correlation_id = r.i32()
    r.i32()  # throttle_time_ms
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition, error, hw, _lso = r.take(">ihqq")
            aborted = r.i32()
            for _ in range(max(aborted, 0)):
                r.take(">qq")
            n = r.i32()
            records = b"" if n < 0 else r.data[r.pos:r.pos + n]
            r.pos += max(n, 0)
            out.append((topic, partition, error, hw, records))
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in Fetch v4 response"
    return correlation_id, out


# --------------------------------------------------------------------------------------------
# More requests and responses (test_request_path.py): Fetch v11, ListOffsets v1-v3, Metadata
# v1-v8 (all non-flexible), and the records inside RecordBatch v2.


def fetch_request_v11(correlation_id, partitions, max_wait_ms, min_bytes=1, max_bytes=1 << 20,
                      session_id=0, session_epoch=-1, forgotten=()):
    """Fetch v11 (replica_id -1, read_uncommitted, rack ""); by default without a fetch session.
    `partitions` is a list of (topic, partition, fetch_offset, partition_max_bytes); consecutive
    entries of the same topic share one topic entry. `forgotten`: (topic, partition) pairs to
    drop from the session."""
    topics = []
    for topic, partition, offset, part_max in partitions:
        if not topics or topics[-1][0] != topic:
            topics.append((topic, []))
        topics[-1][1].append((partition, offset, part_max))
    body = (i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0)
            + i32(session_id) + i32(session_epoch) + i32(len(topics)))
    for topic, parts in topics:
        body += string(topic) + i32(len(parts))
        for partition, offset, part_max in parts:
            # partition, current_leader_epoch, fetch_offset, log_start_offset, partition_max
            body += i32(partition) + i32(-1) + i64(offset) + i64(-1) + i32(part_max)
    body += i32(len(forgotten))
    for topic, partition in forgotten:
        body += string(topic) + i32(1) + i32(partition)
    body += string("")  # rack_id
    return request(1, 11, correlation_id, body)


def parse_fetch_v11(payload, with_session_id=False):
    """Returns (correlation_id, error_code, [(topic, partition, error, high_watermark,
    records bytes)]), and the session id last if `with_session_id`; records is b"" when the
    broker sent a null record set."""
    r = Reader(payload)
    correlation_id = r.i32()
    r.i32()  # throttle_time_ms
    error = r.i16()
    session_id = r.i32()
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition, perr, hw, _lso, _log_start = r.take(">ihqqq")
            aborted = r.i32()
            for _ in range(max(aborted, 0)):
                r.take(">qq")
            r.i32()  # preferred_read_replica
            n = r.i32()
            records = b"" if n < 0 else r.data[r.pos:r.pos + n]
            if n > 0 and len(records) != n:
                raise ValueError(f"record set of {n} bytes truncated to {len(records)}")
            r.pos += max(n, 0)
            out.append((topic, partition, perr, hw, records))
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in Fetch v11 response"
    if with_session_id:
        return correlation_id, error, out, session_id
    return correlation_id, error, out


def fetch_request_v12(correlation_id, partitions, max_wait_ms=0, replica_id=-1):
    """Fetch v12 (flexible, KIP-595), sessionless. `partitions`: (topic, partition,
    current_leader_epoch, fetch_offset, last_fetched_epoch) with 1 MiB per partition."""
    topics = []
    for topic, *part in partitions:
        if not topics or topics[-1][0] != topic:
            topics.append((topic, []))
        topics[-1][1].append(part)
    body = (i32(replica_id) + i32(max_wait_ms) + i32(1) + i32(1 << 20) + i8(0) + i32(0)
            + i32(-1) + uvarint(len(topics) + 1))
    for topic, parts in topics:
        body += compact_string(topic) + uvarint(len(parts) + 1)
        for partition, current_epoch, offset, last_epoch in parts:
            body += (i32(partition) + i32(current_epoch) + i64(offset) + i32(last_epoch)
                     + i64(-1) + i32(1 << 20) + uvarint(0))
        body += uvarint(0)
    body += uvarint(1) + compact_string("") + uvarint(0)  # no forgotten topics, rack "", tags
    return request(1, 12, correlation_id, body, flexible_header=True)


def parse_fetch_v12(payload):
    """Returns (correlation_id, error_code, [(topic, partition, error, high_watermark,
    diverging (epoch, end_offset) or None, records bytes)])."""
    r = Reader(payload)
    correlation_id = r.i32()
    r.skip_tags()  # response header v1
    r.i32()  # throttle_time_ms
    error = r.i16()
    r.i32()  # session_id
    out = []
    for _ in range(r.uvarint() - 1):
        n = r.uvarint() - 1
        topic = r.data[r.pos:r.pos + n].decode()
        r.pos += n
        for _ in range(r.uvarint() - 1):
            partition, perr, hw, _lso, _log_start = r.take(">ihqqq")
            for _ in range(max(r.uvarint() - 1, 0)):  # aborted transactions
                r.take(">qq")
                r.skip_tags()
            r.i32()  # preferred_read_replica
            size = r.uvarint() - 1
            records = b"" if size < 0 else r.data[r.pos:r.pos + size]
            r.pos += max(size, 0)
            diverging = None
            for _ in range(r.uvarint()):
                tag, tag_size = r.uvarint(), r.uvarint()
                if tag == 0:
                    diverging = (r.i32(), r.i64())
                    r.skip_tags()
                else:
                    r.pos += tag_size
            out.append((topic, partition, perr, hw, diverging, records))
        r.skip_tags()
    r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in Fetch v12 response"
    return correlation_id, error, out


def list_offsets_request(correlation_id, topic, partition, timestamp, version=2):
    """ListOffsets v1-v3 for one partition: timestamp -1 = latest, -2 = earliest."""
    assert 1 <= version <= 3
    body = i32(-1)
    if version >= 2:
        body += i8(0)  # read_uncommitted
    body += i32(1) + string(topic) + i32(1) + i32(partition) + i64(timestamp)
    return request(2, version, correlation_id, body)


def parse_list_offsets(payload, version=2):
    """Returns (correlation_id, [(topic, partition, error, timestamp, offset)]) for v1-v3."""
    assert 1 <= version <= 3
    r = Reader(payload)
    correlation_id = r.i32()
    if version >= 2:
        r.i32()  # throttle_time_ms
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition, error, ts, offset = r.take(">ihqq")
            out.append((topic, partition, error, ts, offset))
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in ListOffsets v{version} response"
    return correlation_id, out


def offset_for_leader_epoch_request(correlation_id, topics, version=3, replica_id=-1):
    """OffsetForLeaderEpoch v0-v4. topics: [(topic, [(partition, current_leader_epoch,
    leader_epoch)])]; current_leader_epoch goes out from v2, replica_id from v3; v4 is
    flexible (compact encodings, tagged fields, request header v2)."""
    assert 0 <= version <= 4
    flexible = version >= 4

    def array(n):
        return uvarint(n + 1) if flexible else i32(n)

    body = i32(replica_id) if version >= 3 else b""
    body += array(len(topics))
    for topic, partitions in topics:
        body += (compact_string(topic) if flexible else string(topic)) + array(len(partitions))
        for partition, current_leader_epoch, leader_epoch in partitions:
            body += i32(partition)
            if version >= 2:
                body += i32(current_leader_epoch)
            body += i32(leader_epoch)
            if flexible:
                body += uvarint(0)
        if flexible:
            body += uvarint(0)
    if flexible:
        body += uvarint(0)
    return request(23, version, correlation_id, body, flexible_header=flexible)


def parse_offset_for_leader_epoch(payload, version=3):
    """Returns (correlation_id, [(topic, partition, error, leader_epoch, end_offset)]) for
    v0-v4; leader_epoch is None in v0, which does not carry it."""
    assert 0 <= version <= 4
    flexible = version >= 4
    r = Reader(payload)
    correlation_id = r.i32()
    if flexible:
        r.skip_tags()  # response header v1
    if version >= 2:
        r.i32()  # throttle_time_ms

    def array():
        return r.uvarint() - 1 if flexible else r.i32()

    def name():
        if not flexible:
            return r.string()
        n = r.uvarint() - 1
        s = r.data[r.pos:r.pos + n].decode()
        r.pos += n
        return s

    out = []
    for _ in range(array()):
        topic = name()
        for _ in range(array()):
            error, partition = r.take(">hi")
            leader_epoch = r.i32() if version >= 1 else None
            end_offset = r.i64()
            if flexible:
                r.skip_tags()
            out.append((topic, partition, error, leader_epoch, end_offset))
        if flexible:
            r.skip_tags()
    if flexible:
        r.skip_tags()
    assert r.remaining() == 0, \
        f"{r.remaining()} trailing bytes in OffsetForLeaderEpoch v{version} response"
    return correlation_id, out

def metadata_request(correlation_id, topics, version=5, allow_auto_topic_creation=False):
    """Metadata v1-v8 (non-flexible). topics: a list of names, or None for all topics."""
    assert 1 <= version <= 8
    body = i32(-1) if topics is None else i32(len(topics)) + b"".join(string(t) for t in topics)
    if version >= 4:
        body += i8(1 if allow_auto_topic_creation else 0)
    if version >= 8:
        body += i8(0) + i8(0)  # include cluster / topic authorized operations
    return request(3, version, correlation_id, body)


def parse_metadata(payload, version=5):
    """Returns (correlation_id, {"brokers": [(node_id, host, port)], "controller_id": int,
    "topics": {name: (error, {partition: (error, leader, replicas, isr)})}}) for v1-v8."""
    assert 1 <= version <= 8
    r = Reader(payload)
    correlation_id = r.i32()
    if version >= 3:
        r.i32()  # throttle_time_ms

    def int_array():
        return [r.i32() for _ in range(r.i32())]

    brokers = []
    for _ in range(r.i32()):
        node_id = r.i32()
        host = r.string()
        port = r.i32()
        r.string()  # rack
        brokers.append((node_id, host, port))
    if version >= 2:
        r.string()  # cluster_id
    controller_id = r.i32()
    topics = {}
    for _ in range(r.i32()):
        error = r.i16()
        name = r.string()
        r.take(">b")  # is_internal
        parts = {}
        for _ in range(r.i32()):
            perr, index, leader = r.take(">hii")
            if version >= 7:
                r.i32()  # leader_epoch
            replicas = int_array()
            isr = int_array()
            if version >= 5:
                int_array()  # offline_replicas
            parts[index] = (perr, leader, replicas, isr)
        if version >= 8:
            r.i32()  # topic_authorized_operations
        topics[name] = (error, parts)
    if version >= 8:
        r.i32()  # cluster_authorized_operations
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in Metadata v{version} response"
    return correlation_id, {"brokers": brokers, "controller_id": controller_id, "topics": topics}


def parse_records(data, check_crc=True):
    """Yields (offset, key, value, headers) of every record of every complete, uncompressed
    magic-2 batch in `data` (a fetch payload or a segment file); a trailing partial batch is
    skipped, as clients do. check_crc: verify each batch's CRC-32C."""
    for pos, end, base in _complete_batches(data):
        crc = struct.unpack_from(">I", data, pos + 17)[0]
        if check_crc and crc32c(data[pos + 21:end]) != crc:
            raise ValueError(f"CRC mismatch in the batch at offset {base} (position {pos})")
        attributes = struct.unpack_from(">h", data, pos + 21)[0]
        if attributes & 0x07:
            raise ValueError(f"compressed batch at offset {base} (attributes {attributes})")
        count = struct.unpack_from(">i", data, pos + 57)[0]
        r = Reader(data[pos + 61:end])

        def svarint():
            v = r.uvarint()
            return (v >> 1) ^ -(v & 1)

        def blob():
            n = svarint()
            if n < 0:
                return None
            b = r.data[r.pos:r.pos + n]
            r.pos += n
            return b

        for _ in range(count):
            rec_len = svarint()
            rec_end = r.pos + rec_len
            r.pos += 1  # attributes
            svarint()  # timestamp delta
            offset_delta = svarint()
            key = blob()
            value = blob()
            headers = []
            for _ in range(svarint()):
                hk = blob()
                headers.append((hk.decode() if hk is not None else None, blob()))
            if r.pos != rec_end:
                raise ValueError(f"record at offset {base + offset_delta}: length {rec_len} "
                                 f"does not match its fields")
            yield base + offset_delta, key, value, headers
        if r.remaining() != 0:
            raise ValueError(f"{r.remaining()} bytes after the {count} records of the batch at "
                             f"offset {base}")


def bytes_readable(s):
    """How many bytes wait in the socket's receive queue (FIONREAD), without reading them."""
    import array
    import fcntl
    import termios
    buf = array.array("i", [0])
    fcntl.ioctl(s.fileno(), termios.FIONREAD, buf)
    return buf[0]


# --------------------------------------------------------------------------------------------
# ControlledShutdown (key 7): a broker asks the controller to move leadership before stopping.


def controlled_shutdown_request(correlation_id, broker_id, broker_epoch=-1, version=3):
    """v0 travels under request header v0 (no client id), v1-v2 under v1, v3 (flexible) under
    v2. BrokerEpoch is in v2+."""
    body = i32(broker_id)
    if version >= 2:
        body += i64(broker_epoch)
    if version >= 3:
        body += uvarint(0)  # no tagged fields
    if version == 0:
        payload = i16(7) + i16(0) + i32(correlation_id) + body
        return i32(len(payload)) + payload
    return request(7, version, correlation_id, body, client_id="samsa-it-broker",
                   flexible_header=version >= 3)


def parse_controlled_shutdown(payload, version=3):
    """Returns (correlation_id, error_code, [(topic, partition)])."""
    r = Reader(payload)
    correlation_id = r.i32()
    if version >= 3:
        r.skip_tags()  # response header v1
    error = r.i16()
    remaining = []
    count = r.uvarint() - 1 if version >= 3 else r.i32()
    for _ in range(count):
        if version >= 3:
            n = r.uvarint() - 1
            topic = r.data[r.pos:r.pos + n].decode()
            r.pos += n
        else:
            topic = r.string()
        remaining.append((topic, r.i32()))
        if version >= 3:
            r.skip_tags()
    if version >= 3:
        r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in ControlledShutdown v{version}"
    return correlation_id, error, remaining


# --------------------------------------------------------------------------------------------
# ElectLeaders (key 43): elect preferred (0) or, unclean (1), any live replicas.


def elect_leaders_request(correlation_id, partitions, election_type=0, timeout_ms=30000,
                          version=2):
    """partitions: {topic: [partition, ...]} or None (every partition). v0 has no
    ElectionType; v2 is flexible (request header v2)."""
    flexible = version >= 2

    def array_len(n):
        return uvarint(n + 1) if flexible else i32(n)

    def name(s):
        return compact_string(s) if flexible else string(s)

    body = b""
    if version >= 1:
        body += i8(election_type)
    if partitions is None:
        body += uvarint(0) if flexible else i32(-1)
    else:
        body += array_len(len(partitions))
        for topic, ids in partitions.items():
            body += name(topic) + array_len(len(ids)) + b"".join(i32(p) for p in ids)
            if flexible:
                body += uvarint(0)
    body += i32(timeout_ms)
    if flexible:
        body += uvarint(0)
    return request(43, version, correlation_id, body, flexible_header=flexible)


def parse_elect_leaders(payload, version=2):
    """Returns (correlation_id, error_code, {(topic, partition): (error, message)}); the
    top-level error is None in v0, which has none."""
    r = Reader(payload)
    flexible = version >= 2
    correlation_id = r.i32()
    if flexible:
        r.skip_tags()  # response header v1

    def count():
        return r.uvarint() - 1 if flexible else r.i32()

    def text():
        if not flexible:
            return r.string()
        n = r.uvarint() - 1
        if n < 0:
            return None
        s = r.data[r.pos:r.pos + n].decode()
        r.pos += n
        return s

    r.i32()  # throttle time
    error = r.i16() if version >= 1 else None
    results = {}
    for _ in range(count()):
        topic = text()
        for _ in range(count()):
            partition, perr = r.i32(), r.i16()
            results[(topic, partition)] = (perr, text())
            if flexible:
                r.skip_tags()
        if flexible:
            r.skip_tags()
    if flexible:
        r.skip_tags()
    assert r.remaining() == 0, f"{r.remaining()} trailing bytes in ElectLeaders v{version}"
    return correlation_id, error, results
