"""Many clients at once: 200 connections open together, each sending ApiVersions (v0 and the
flexible v3 alternately), all answered with their own correlation ids; and requests pipelined on
one connection are answered in order."""

import selectors
import time

import harness
import wire

CONNECTIONS = 200


class ManyConnectionsTest(harness.ClusterTestCase):
    broker_id = 13

    def test_200_concurrent_connections_all_answered(self):
        socks = []
        try:
            for i in range(CONNECTIONS):
                socks.append(wire.connect(self.broker.port, timeout=20))
            # All 200 are open before any request is sent.
            for i, s in enumerate(socks):
                s.sendall(wire.api_versions_request(10000 + i, 0 if i % 2 == 0 else 3))

            sel = selectors.DefaultSelector()
            buffers = {}
            for i, s in enumerate(socks):
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, i)
                buffers[i] = b""
            answers = {}
            deadline = time.monotonic() + 30
            while len(answers) < CONNECTIONS and time.monotonic() < deadline:
                for key, _ in sel.select(timeout=1):
                    i = key.data
                    chunk = key.fileobj.recv(65536)
                    if not chunk:
                        self.fail(f"connection {i} closed by the broker without an answer")
                    buffers[i] += chunk
                    buf = buffers[i]
                    if len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], "big"):
                        answers[i] = buf[4:]
                        sel.unregister(key.fileobj)
            sel.close()
            self.assertEqual(len(answers), CONNECTIONS,
                             f"answered {len(answers)} of {CONNECTIONS}; missing "
                             f"{sorted(set(range(CONNECTIONS)) - set(answers))[:20]}")
            for i, payload in answers.items():
                version = 0 if i % 2 == 0 else 3
                cid, err, apis = wire.parse_api_versions(payload, version)
                self.assertEqual((cid, err), (10000 + i, 0), f"connection {i}")
                self.assertEqual(apis[0], (0, 7))
                self.assertEqual(apis[1], (0, 12))
                self.assertEqual(apis[18], (0, 3))
        finally:
            for s in socks:
                s.close()
        # Still serving normal clients afterwards.
        self.broker.wait_ready(timeout=10)

    def test_pipelined_requests_answered_in_order(self):
        with wire.connect(self.broker.port) as s:
            s.sendall(b"".join(wire.api_versions_request(500 + i, i % 4) for i in range(20)))
            for i in range(20):
                cid, err, _ = wire.parse_api_versions(wire.recv_frame(s), i % 4)
                self.assertEqual((cid, err), (500 + i, 0))


if __name__ == "__main__":
    import unittest
    unittest.main()
