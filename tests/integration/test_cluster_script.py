"""scripts/samsa-cluster.sh as an operator uses it: `up --zk 3 --brokers 3` starts a real
ZooKeeper ensemble and three real brokers on loopback; kcat produces (acks=all) and consumes
across them; `status` shows what ZooKeeper holds (read back here with kazoo); after one broker
is stopped, `status` reports it down and lists exactly the partitions whose ISR lost it; `down`
leaves none of the processes `up` started (checked by pid), and a second `down` is harmless.

One cluster for the whole module (the tests run in the order of their names)."""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import KCAT, ROOT, run, wait_until

SCRIPT = os.path.join(ROOT, "scripts", "samsa-cluster.sh")
TOPIC = "cluster-script"


def ports_free(ports):
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def pick_ports():
    """A broker base port and a ZooKeeper base port whose whole layout is free: below Linux's
    ephemeral range (32768+), so no client connection takes one meanwhile."""
    for _ in range(50):
        base = random.randrange(20000, 27000)
        zk = base + 300
        layout = [base + i for i in range(3)] + [zk + off + i for off in (0, 707, 1707)
                                                  for i in range(3)]
        if ports_free(layout):
            return base, zk
    raise AssertionError("no free port layout found")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


class ClusterScriptTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="samsa-it-cluster-")
        cls.base, cls.zk_base = pick_ports()
        cls.env = dict(os.environ, ZOOKEEPER_HEAP_OPTS="-Xmx128M",
                       ZOOKEEPER_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        cls.pids = []
        try:
            cls.up = cls.script("up", "--zk", "3", "--brokers", "3", "--base-port", str(cls.base),
                                "--zk-base-port", str(cls.zk_base))
            cls.pids = cls.recorded_pids()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        # Whatever a failed test left: the script's own down first, then our recorded pids.
        subprocess.run([SCRIPT, "down", "--dir", cls.dir], env=cls.env, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid in cls.pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def script(cls, *args, check=True):
        p = run([SCRIPT, *args, "--dir", cls.dir], timeout=120, env=cls.env, check=check)
        return p.stdout.decode() + p.stderr.decode()

    @classmethod
    def recorded_pids(cls):
        pids = []
        for sub in sorted(os.listdir(os.path.join(cls.dir, "logs"))):
            for name in ("zookeeper.pid", "samsaServer.pid"):
                path = os.path.join(cls.dir, "logs", sub, name)
                if os.path.exists(path):
                    with open(path) as f:
                        pids.append(int(f.readline()))
        return pids

    def broker_pid(self, broker_id):
        with open(os.path.join(self.dir, "logs", f"broker-{broker_id}", "samsaServer.pid")) as f:
            return int(f.readline())

    @property
    def bootstrap(self):
        return ",".join(f"127.0.0.1:{self.base + i}" for i in range(3))

    @property
    def zk_connect(self):
        return ",".join(f"127.0.0.1:{self.zk_base + i}" for i in range(3))

    def zookeeper_view(self):
        """(registered broker id -> endpoints, controller id, partition -> (replicas, isr))."""
        zk = harness.kazoo_client(self.zk_connect)
        try:
            brokers = {int(b): json.loads(zk.get(f"/brokers/ids/{b}")[0])["endpoints"]
                       for b in zk.get_children("/brokers/ids")}
            controller = json.loads(zk.get("/controller")[0])["brokerid"]
            parts = {}
            for topic in zk.get_children("/brokers/topics"):
                assignment = json.loads(zk.get(f"/brokers/topics/{topic}")[0])["partitions"]
                for p, replicas in assignment.items():
                    state = json.loads(zk.get(f"/brokers/topics/{topic}/partitions/{p}/state")[0])
                    parts[f"{topic}-{p}"] = (replicas, state["isr"])
            return brokers, controller, parts
        finally:
            zk.stop()
            zk.close()

    def parse_status(self, out):
        brokers = {int(m.group(1)): (m.group(2), m.group(3).split(","))
                   for m in re.finditer(r"^  broker (\d+)  (up|down)\S*(?: \(not registered\))?"
                                        r"\s+(\S+)", out, re.M)}
        controller = int(re.search(r"^Controller: broker (\d+)", out, re.M).group(1))
        under = re.search(r"^Under-replicated partitions: (\d+)\n((?:  .*\n)*)", out + "\n", re.M)
        listed = set(re.findall(r"^  (\S+-\d+)  leader", under.group(2), re.M))
        offline = int(re.search(r"^Offline partitions \(no live leader\): (\d+)", out,
                                re.M).group(1))
        return brokers, controller, int(under.group(1)), listed, offline

    def test_1_up_prints_the_connection_strings_and_clients_work_across_brokers(self):
        self.assertIn(f"bootstrap.servers={self.bootstrap}", self.up)
        self.assertIn(f"zookeeper.connect={self.zk_connect}", self.up)
        values = [f"v{i}" for i in range(30)]
        run([KCAT, "-P", "-b", self.bootstrap, "-t", TOPIC, "-X", "acks=all"],
            input="\n".join(values).encode() + b"\n")
        out = run([KCAT, "-C", "-b", self.bootstrap, "-t", TOPIC, "-o", "beginning", "-e", "-q"],
                  timeout=60).stdout.decode().split()
        self.assertEqual(sorted(out), sorted(values))
        meta = run([KCAT, "-L", "-b", self.bootstrap, "-t", TOPIC]).stdout.decode()
        self.assertIn(" 3 brokers:", meta)
        # default.replication.factor and num.partitions follow the broker count.
        three_replicas = re.findall(r"partition \d+, leader \d+, replicas: \d+,\d+,\d+", meta)
        self.assertEqual(len(three_replicas), 3)

    def test_2_status_matches_zookeeper(self):
        out = self.script("status")
        brokers, controller, parts = self.zookeeper_view()
        shown, shown_controller, under, _, offline = self.parse_status(out)
        self.assertEqual({b: ("up", ends) for b, ends in brokers.items()}, shown)
        self.assertEqual(controller, shown_controller)
        self.assertEqual(sum(len(isr) < len(r) for r, isr in parts.values()), under)
        self.assertEqual(0, offline)
        self.assertEqual(len(re.findall(r"running \(pid \d+\)", out)), 6, out)

    def test_3_a_stopped_broker_shows_down_with_under_replicated_partitions(self):
        _, controller, _ = self.zookeeper_view()
        victim = next(b for b in (3, 2, 1) if b != controller)
        pid = self.broker_pid(victim)
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not pid_alive(pid), 40, f"broker {victim} (pid {pid}) to exit")
        # The controller shrinks the ISRs as the broker leaves; wait for ZooKeeper to show all.
        wait_until(lambda: all(victim not in isr for _, isr in self.zookeeper_view()[2].values()),
                   20, f"broker {victim} out of every ISR")
        out = self.script("status")
        brokers, controller, parts = self.zookeeper_view()
        shown, shown_controller, under, listed, offline = self.parse_status(out)
        self.assertEqual("down", shown[victim][0], out)
        self.assertNotIn(victim, brokers)
        self.assertEqual(controller, shown_controller)
        expected = {p for p, (replicas, isr) in parts.items() if len(isr) < len(replicas)}
        self.assertTrue(expected, "some partition has the stopped broker as a replica")
        self.assertEqual(expected, listed, out)
        self.assertEqual(len(expected), under)
        self.assertEqual(0, offline)
        self.assertRegex(out, rf"broker {victim}\s+not running")

    def test_4_down_stops_every_process_it_started(self):
        self.assertEqual(len(self.pids), 6)
        started = time.monotonic()
        self.script("down")
        alive = [p for p in self.pids if pid_alive(p)]
        self.assertEqual([], alive, "processes left behind by down")
        self.assertEqual([], self.recorded_pids(), "pid files left behind")
        again = self.script("down")  # idempotent: nothing left to stop is not an error
        self.assertIn("no ZooKeeper members running", again)
        self.assertLess(time.monotonic() - started, 60)


if __name__ == "__main__":
    unittest.main()
