"""Connection set-up over SASL_SSL (TCP + TLS + SCRAM-SHA-512), for bench/run.sh --security
sasl_ssl. Prints:
  - one connection's set-up on an idle broker (20 in a row: p50, max);
  - 100 clients connecting at once: the time until the last is authenticated;
  - a paced producer's latency (one 100 B record every 10 ms, acks=1, over the same listener)
    before and while the 100 connect, p50 and p99.
Not a test: it prints figures. Uses tests/integration/wire_sasl.py for the SCRAM exchange."""

import argparse
import os
import socket
import ssl
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import wire_sasl  # noqa: E402


def connect(host, port, ctx, user, password):
    raw = socket.create_connection((host, port), timeout=30)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    error, message, _ = wire_sasl.authenticate(s, "SCRAM-SHA-512", user, password)
    if error:
        raise RuntimeError(f"authentication failed: {error} {message}")
    return s


class PacedProducer(threading.Thread):
    def __init__(self, conf, topic):
        super().__init__(daemon=True)
        from confluent_kafka import Producer
        self.p = Producer({**conf, "acks": "1", "linger.ms": 0})
        self.topic = topic
        self.latencies = []  # (send time, latency s)
        self.stop = threading.Event()

    def run(self):
        nxt = time.monotonic()
        while not self.stop.is_set():
            t0 = time.monotonic()
            self.p.produce(self.topic, value=b"x" * 100,
                           on_delivery=lambda err, msg, t0=t0: self.latencies.append(
                               (t0, time.monotonic() - t0)))
            self.p.poll(0)
            nxt += 0.01
            time.sleep(max(0, nxt - time.monotonic()))
            self.p.poll(0)
        self.p.flush(10)

    def window(self, start, end):
        return sorted(lat for t, lat in self.latencies if start <= t < end)


def pct(values, q):
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--clients", type=int, default=100)
    a = ap.parse_args()
    host, port = a.bootstrap.rsplit(":", 1)
    port = int(port)
    ctx = ssl.create_default_context(cafile=a.ca)

    single = []
    for _ in range(20):
        t0 = time.monotonic()
        connect(host, port, ctx, a.user, a.password).close()
        single.append(time.monotonic() - t0)
    single.sort()

    conf = {"bootstrap.servers": a.bootstrap, "security.protocol": "SASL_SSL",
            "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": a.user,
            "sasl.password": a.password, "ssl.ca.location": a.ca}
    producer = PacedProducer(conf, "bench-storm")
    producer.start()
    time.sleep(3)  # warm-up: the topic is auto-created, metadata settles
    base_start = time.monotonic()
    time.sleep(5)
    base_end = time.monotonic()

    barrier = threading.Barrier(a.clients + 1)
    done = []
    socks = []
    lock = threading.Lock()

    def client():
        barrier.wait()
        s = connect(host, port, ctx, a.user, a.password)
        with lock:
            done.append(time.monotonic())
            socks.append(s)

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    storm_start = time.monotonic()
    barrier.wait()
    for t in threads:
        t.join()
    storm_end = max(done)
    time.sleep(0.5)
    producer.stop.set()
    producer.join()
    for s in socks:
        s.close()

    base = producer.window(base_start, base_end)
    during = producer.window(storm_start, max(storm_end, storm_start + 0.5))
    print(f"connection set-up (TCP+TLS 1.3+SCRAM-SHA-512), idle broker: "
          f"p50 {statistics.median(single) * 1000:.2f} ms, max {single[-1] * 1000:.2f} ms")
    print(f"{a.clients} clients at once: all authenticated after "
          f"{(storm_end - storm_start) * 1000:.0f} ms")
    print(f"paced producer (100/s, acks=1): baseline p50 {pct(base, 0.5):.2f} ms "
          f"p99 {pct(base, 0.99):.2f} ms ({len(base)} records); during the storm "
          f"p50 {pct(during, 0.5):.2f} ms p99 {pct(during, 0.99):.2f} ms ({len(during)} records)")


if __name__ == "__main__":
    main()
