#!/usr/bin/python3
"""What ZooKeeper says about a Samsa (Kafka ZK-mode) cluster, for scripts/samsa-cluster.sh.

Reads, never writes: the registered brokers (/brokers/ids/<id>), the controller (/controller),
and every partition's replicas (/brokers/topics/<t>) against its leader and ISR
(/brokers/topics/<t>/partitions/<p>/state), which gives what kafka-topics.sh --describe calls
under-replicated (ISR smaller than the replica list) and unavailable (no leader, or a leader
that is not registered) partitions.

Only the Python standard library: this runs on operator machines where the test-only kazoo
is not installed. ZooKeeper's wire protocol is small enough for the three reads needed
(connect, getChildren, getData), all in ZooKeeper's jute encoding: big-endian ints and longs,
strings and buffers as a 4-byte length then the bytes, every packet preceded by its length.

  cluster_state.py status --zookeeper CONNECT --expect 1,2,3 [--json]
  cluster_state.py wait   --zookeeper CONNECT --expect 1,2,3 --timeout SECONDS
  cluster_state.py controller --zookeeper CONNECT      (the controller's id; fails if none)
"""

import argparse
import json
import socket
import struct
import sys
import time

OP_GET_DATA = 4
OP_GET_CHILDREN = 8
OP_CLOSE = -11
ERR_NO_NODE = -101


class ZooKeeperError(Exception):
    pass


class NoNode(ZooKeeperError):
    pass


def _string(s):
    b = s.encode()
    return struct.pack(">i", len(b)) + b


class ZooKeeperReader:
    """One session against the first member of CONNECT (host:port,...[/chroot]) that accepts it."""

    def __init__(self, connect, timeout=5.0):
        hosts, _, chroot = connect.partition("/")
        self.chroot = "/" + chroot.rstrip("/") if chroot else ""
        self.xid = 0
        errors = []
        for host in hosts.split(","):
            name, _, port = host.rpartition(":")
            try:
                self.sock = socket.create_connection((name, int(port)), timeout=timeout)
                self._handshake()
                return
            except (OSError, ValueError, ZooKeeperError) as e:
                errors.append(f"{host}: {e}")
        raise ZooKeeperError("no ZooKeeper member accepted a session (" + "; ".join(errors) + ")")

    def _handshake(self):
        # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
        # A member that is not part of a quorum closes the connection instead of answering.
        self._send(struct.pack(">iqiq", 0, 0, 10000, 0) + struct.pack(">i", 16) + bytes(16) +
                   b"\x00")
        reply = self._receive()
        if len(reply) < 16:
            raise ZooKeeperError("short connect response")

    def _send(self, payload):
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ZooKeeperError("connection closed (the member may not be in a quorum)")
            data += chunk
        return data

    def _receive(self):
        (length,) = struct.unpack(">i", self._read_exactly(4))
        return self._read_exactly(length)

    def _call(self, op, path):
        """Sends request `op` on `path` (with watch=false, the only form used); returns the body."""
        self.xid += 1
        self._send(struct.pack(">ii", self.xid, op) + _string(self.chroot + path) + b"\x00")
        while True:
            reply = self._receive()
            xid, _zxid, err = struct.unpack(">iqi", reply[:16])
            if xid == self.xid:
                break  # anything else is a watch event or ping answer: none are asked for
        if err == ERR_NO_NODE:
            raise NoNode(self.chroot + path)
        if err != 0:
            raise ZooKeeperError(f"error {err}")
        return reply[16:]

    def children(self, path):
        body = self._call(OP_GET_CHILDREN, path)
        (count,) = struct.unpack(">i", body[:4])
        names, pos = [], 4
        for _ in range(max(count, 0)):
            (n,) = struct.unpack(">i", body[pos:pos + 4])
            names.append(body[pos + 4:pos + 4 + n].decode())
            pos += 4 + n
        return names

    def data(self, path):
        body = self._call(OP_GET_DATA, path)
        (n,) = struct.unpack(">i", body[:4])
        return body[4:4 + n] if n > 0 else b""

    def json(self, path):
        return json.loads(self.data(path) or b"null")

    def close(self):
        try:
            self._send(struct.pack(">ii", self.xid + 1, OP_CLOSE))
        except OSError:
            pass
        self.sock.close()


def read_state(zk, expected):
    """The cluster as ZooKeeper records it, as a plain dict (also the --json output)."""
    brokers = {}
    for bid in sorted(zk.children("/brokers/ids"), key=int):
        try:
            reg = zk.json(f"/brokers/ids/{bid}")
        except NoNode:
            continue  # went away between the two reads
        brokers[int(bid)] = reg.get("endpoints", [])
    try:
        controller = zk.json("/controller").get("brokerid")
    except NoNode:
        controller = None
    partitions = []
    try:
        topics = sorted(zk.children("/brokers/topics"))
    except NoNode:
        topics = []
    for topic in topics:
        try:
            assignment = zk.json(f"/brokers/topics/{topic}").get("partitions", {})
        except NoNode:
            continue
        for p in sorted(assignment, key=int):
            try:
                state = zk.json(f"/brokers/topics/{topic}/partitions/{p}/state")
            except NoNode:
                state = {"leader": -1, "isr": []}
            partitions.append({"topic": topic, "partition": int(p), "replicas": assignment[p],
                               "leader": state.get("leader", -1), "isr": state.get("isr", [])})
    ids = sorted(set(expected) | set(brokers))
    return {
        "brokers": [{"id": i, "registered": i in brokers, "endpoints": brokers.get(i, [])}
                    for i in ids],
        "controller": controller,
        "under_replicated": [p for p in partitions if len(p["isr"]) < len(p["replicas"])],
        "offline": [p for p in partitions if p["leader"] not in brokers],
        "partitions": len(partitions),
    }


def print_state(state):
    print("Brokers (from /brokers/ids):")
    for b in state["brokers"]:
        up = "up" if b["registered"] else "down (not registered)"
        ends = ",".join(b["endpoints"]) or "-"
        mark = "  (controller)" if b["id"] == state["controller"] else ""
        print(f"  broker {b['id']}  {up:<22} {ends}{mark}")
    controller = state["controller"]
    print(f"Controller: {'none elected' if controller is None else f'broker {controller}'}")
    print(f"Partitions: {state['partitions']}")
    for key, title in (("under_replicated", "Under-replicated partitions"),
                       ("offline", "Offline partitions (no live leader)")):
        rows = state[key]
        print(f"{title}: {len(rows)}")
        for p in rows:
            print(f"  {p['topic']}-{p['partition']}  leader {p['leader']}  "
                  f"replicas {p['replicas']}  isr {p['isr']}")


def ready(connect, expected):
    """Every expected broker registered and a controller elected: (bool, what is missing)."""
    try:
        zk = ZooKeeperReader(connect, timeout=2)
    except ZooKeeperError as e:
        return False, str(e)
    try:
        state = read_state(zk, expected)
    except (ZooKeeperError, OSError) as e:
        return False, str(e)
    finally:
        zk.close()
    missing = [b["id"] for b in state["brokers"] if not b["registered"]]
    if missing:
        return False, "brokers not registered yet: " + " ".join(map(str, missing))
    if state["controller"] is None:
        return False, "no controller elected yet"
    return True, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["status", "wait", "controller"])
    parser.add_argument("--zookeeper", required=True, help="host:port,...[/chroot]")
    parser.add_argument("--expect", default="", help="broker ids that should be registered")
    parser.add_argument("--json", action="store_true", help="status: machine-readable output")
    parser.add_argument("--timeout", type=float, default=60, help="wait: seconds")
    args = parser.parse_args()
    expected = [int(i) for i in args.expect.split(",") if i]
    if args.command == "wait":
        deadline = time.monotonic() + args.timeout
        while True:
            ok, why = ready(args.zookeeper, expected)
            if ok:
                return 0
            if time.monotonic() >= deadline:
                print(f"cluster not ready after {args.timeout:g}s: {why}", file=sys.stderr)
                return 1
            time.sleep(0.3)
    try:
        zk = ZooKeeperReader(args.zookeeper)
        try:
            state = read_state(zk, expected)
        finally:
            zk.close()
    except (ZooKeeperError, OSError) as e:
        print(f"cannot read the cluster from ZooKeeper {args.zookeeper}: {e}", file=sys.stderr)
        return 1
    if args.command == "controller":
        if state["controller"] is None:
            return 1
        print(state["controller"])
    elif args.json:
        print(json.dumps(state, indent=1))
    else:
        print_state(state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
