"""Integration-test harness: a real ZooKeeper, real samsa-broker processes, real clients.

Everything binds to 127.0.0.1 on free ports; every process started here is a child of the test
process (with PR_SET_PDEATHSIG, so a crashed test leaves nothing behind), is stopped by PID and
has its temporary directory removed. Waits poll a condition against a deadline and fail with what
was last seen (`wait_until`); nothing sleeps and hopes.

Environment: SAMSA_BROKER_BIN (the samsa-broker binary; CTest passes $<TARGET_FILE:samsa-broker>)
and SAMSA_ROOT (the source tree). Run with Debian's /usr/bin/python3, which has confluent_kafka,
kafka-python and kazoo.
"""

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.environ.get("SAMSA_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BROKER_BIN = os.environ.get("SAMSA_BROKER_BIN") or os.path.join(
    ROOT, "build-it", "broker", "samsa-broker")
KCAT = shutil.which("kcat") or "/usr/bin/kcat"
NODE = shutil.which("node") or "/usr/bin/node"
JS_DIR = os.path.join(ROOT, "tests", "js")
JAVA = shutil.which("java") or "/usr/bin/java"
ZK_CLASSPATH = ":".join([
    "/etc/zookeeper/conf", "/usr/share/java/zookeeper.jar",
    "/usr/share/java/slf4j-log4j12.jar", "/usr/share/java/log4j-1.2.jar"])

# Broker ZooKeeper session timeout used by the tests; ZooKeeper's minimum is 2 ticks (4 s).
SESSION_TIMEOUT_MS = 6000

logging.getLogger("kazoo").setLevel(logging.CRITICAL)
logging.getLogger("kafka").setLevel(logging.CRITICAL)

# --------------------------------------------------------------------------------------------
# Small helpers


def free_port():
    """A free TCP port on 127.0.0.1 (bind to port 0, read it back, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Abort(AssertionError):
    """Raised by a wait_until predicate to stop waiting at once (e.g. the process died)."""


def wait_until(pred, timeout, what, interval=0.05):
    """Polls pred() until it returns something truthy (returned) or `timeout` seconds pass
    (AssertionError naming `what` and the last value or exception pred produced). An Abort
    raised by pred ends the wait immediately."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = pred()
            if value:
                return value
            last = value
        except Abort:
            raise
        except Exception as e:  # noqa: BLE001 - the last failure is reported on timeout
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}; "
                                 f"last seen: {last!r}")
        time.sleep(interval)



def brokers_known_to(broker):
    """How many brokers `broker`'s Metadata (over its PLAINTEXT port) lists; 0 if it cannot
    answer yet."""
    import wire  # wire imports nothing of ours; imported here to keep harness light
    try:
        payload = wire.roundtrip(broker.port, wire.metadata_request(1, [], version=5), timeout=5)
    except (OSError, ConnectionError):
        return 0
    return len(wire.parse_metadata(payload, version=5)[1]["brokers"])


def wait_until_brokers_know_each_other(brokers, timeout=60):
    """Registered is not yet known: each broker learns the others from the controller's
    UpdateMetadata, and until then refuses a replication factor above what it knows
    (INVALID_REPLICATION_FACTOR, as Kafka's brokers do). Returns once every one lists all."""
    wait_until(lambda: all(brokers_known_to(b) == len(brokers) for b in brokers), timeout,
               f"every broker's metadata listing {len(brokers)} brokers")

def _tail(data, limit):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return data if len(data) <= limit else "..." + data[-limit:]


def run(cmd, timeout=60, input=None, check=True, env=None, cwd=None):
    """Runs a client command (kcat, node); returns the CompletedProcess (bytes output). A non-zero
    exit (with check) or a timeout raises AssertionError with the command's output."""
    try:
        p = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{cmd[0]} timed out after {timeout}s: {cmd!r}\n"
                             f"stdout: {_tail(e.stdout or b'', 2000)}\n"
                             f"stderr: {_tail(e.stderr or b'', 2000)}") from None
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd!r} exited with {p.returncode}\n"
                             f"stdout: {_tail(p.stdout, 2000)}\nstderr: {_tail(p.stderr, 3000)}")
    return p


# Children get PR_SET_PDEATHSIG=SIGKILL (set by util-linux's setpriv, which then execs the
# command under the same PID), so a crashed or killed test run leaves no process behind. This
# avoids a preexec_fn, which is unsafe while client library threads are running.
SETPRIV = shutil.which("setpriv")
_PDEATHSIG = [SETPRIV, "--pdeathsig", "SIGKILL", "--"] if SETPRIV else []
# util-linux's prlimit sets a resource limit and execs the command under the same PID (used for
# Broker(nofile_soft=...), again without a preexec_fn).
PRLIMIT = shutil.which("prlimit") or "/usr/bin/prlimit"


# Every ZooKeeper/Broker created, so a failing test can print the logs of those involved.
REGISTRY = []


class _Process:
    """A child process with its output in a log file inside a temporary directory."""

    name = "process"

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.log_path = os.path.join(self.dir, "output.log")
        self.proc = None
        self.exit_code = None
        self._log_start = 0
        self._final_tail = None
        REGISTRY.append(self)

    def _spawn(self, args):
        with open(self.log_path, "ab") as log:
            self._log_start = log.tell()
            log.write(f"=== {time.strftime('%H:%M:%S')} starting: {' '.join(args)}\n".encode())
            log.flush()
            # In a session of its own: a test that freezes it with SIGSTOP decides alone when
            # it resumes. In the shell's process group, the kernel sends SIGHUP and SIGCONT to
            # a stopped member once the group is orphaned (the shell that started the test in
            # the background exits), and a broker frozen past its session would wake inside it.
            self.proc = subprocess.Popen(_PDEATHSIG + args, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, close_fds=True,
                                         start_new_session=True)
        self.exit_code = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """Waits for the process to exit by itself; returns its exit code."""
        try:
            self.exit_code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} (pid {self.pid}) still running after {timeout}s; "
                                 f"log tail:\n{self.log_tail()}") from None
        return self.exit_code

    def stop(self, timeout=20):
        """SIGTERM by PID, then SIGKILL after `timeout` s. Returns the exit code (negative =
        signal, as subprocess reports it)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.exit_code = self.proc.returncode
        return self.exit_code

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.exit_code = self.proc.returncode if self.proc else None
        return self.exit_code

    def log_text(self, since_start=False):
        """The process's output; since_start: only what its latest start wrote."""
        if self._final_tail is not None:
            return self._final_tail
        try:
            with open(self.log_path, "rb") as f:
                if since_start:
                    f.seek(self._log_start)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars=4000):
        return _tail(self.log_text(), chars)

    def cleanup(self):
        """Stops the process (SIGKILL if SIGTERM does not do it) and removes its directory,
        keeping the log tail in memory for failure reports."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop(timeout=10)
        if os.path.isdir(self.dir):
            self._final_tail = self.log_tail(6000)
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# ZooKeeper


def kazoo_client(hosts, connect_timeout=15):
    """A started kazoo client of `hosts` (host:port list, optionally with a chroot); the caller
    stops it."""
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=hosts, timeout=10,
                     connection_retry={"max_tries": 3, "delay": 0.1, "max_delay": 0.5})
    try:
        zk.start(timeout=connect_timeout)
    except Exception:
        zk.stop()
        zk.close()
        raise
    return zk


class ZooKeeper(_Process):
    """Debian's ZooKeeper (QuorumPeerMain, standalone) in the foreground, on a free loopback port,
    with a temporary dataDir. Ready once a kazoo connection succeeds."""

    name = "zookeeper"

    def __init__(self, tick_ms=2000):
        super().__init__("samsa-it-zk-")
        self.tick_ms = tick_ms
        self.port = None

    @property
    def connect(self):
        return f"127.0.0.1:{self.port}"

    def start(self, timeout=90):
        self.port = free_port()
        cfg = os.path.join(self.dir, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write(f"tickTime={self.tick_ms}\n"
                    f"dataDir={os.path.join(self.dir, 'data')}\n"
                    f"clientPort={self.port}\nclientPortAddress=127.0.0.1\n"
                    "admin.enableServer=false\n4lw.commands.whitelist=*\n"
                    "maxClientCnxns=0\nforceSync=no\npreAllocSize=1024\n")
        self._spawn([JAVA, "-Xmx256M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                     "-Djava.awt.headless=true", f"-Dzookeeper.log.dir={self.dir}",
                     "-Dzookeeper.root.logger=INFO,CONSOLE", "-cp", ZK_CLASSPATH,
                     "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg])

        def connected():
            if not self.alive():
                raise Abort(f"ZooKeeper exited with {self.proc.returncode}:\n"
                                     f"{self.log_tail()}")
            zk = self.client(connect_timeout=2)
            zk.stop()
            zk.close()
            return True

        try:
            wait_until(connected, timeout, f"ZooKeeper on {self.connect}", interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}\nZooKeeper log:\n{self.log_tail()}") from None
        return self

    def client(self, chroot="", connect_timeout=15):
        """A started kazoo client (caller stops it), optionally under a chroot."""
        return kazoo_client(self.connect + chroot, connect_timeout)

    def four_letter(self, word):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(word.encode())
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out.decode()
                out += chunk


# --------------------------------------------------------------------------------------------
# Broker

_chroot_counter = 0


def unique_chroot(prefix="samsa"):
    global _chroot_counter
    _chroot_counter += 1
    return f"/{prefix}-{os.getpid()}-{_chroot_counter}"


class Broker(_Process):
    """One samsa-broker process: a server.properties in a temp dir, log dir(s) inside it, a free
    loopback port (kept across restarts), output to <dir>/output.log."""

    name = "broker"

    def __init__(self, zk, broker_id=1, chroot=None, props=None, cli_overrides=None,
                 log_dirs=None, port=None, zk_connect=None, nofile_soft=None):
        """nofile_soft: None = the broker inherits the test process's RLIMIT_NOFILE; an int =
        start it with that soft limit (capped at the hard limit); "hard" = soft limit raised to
        the hard limit (for tests that open thousands of connections to a broker that does not
        raise its own limit)."""
        super().__init__(f"samsa-it-broker{broker_id}-")
        self.nofile_soft = nofile_soft
        self.name = f"broker {broker_id}"
        self.zk = zk
        self.broker_id = broker_id
        self.chroot = chroot if chroot is not None else unique_chroot()
        self.port = port or free_port()
        self.log_dirs = log_dirs or [os.path.join(self.dir, "data")]
        self.cli_overrides = dict(cli_overrides or {})
        self.zk_connect = zk_connect or f"{zk.connect}{self.chroot}"
        self.props = {
            "broker.id": str(broker_id),
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "log.dirs": ",".join(self.log_dirs),
            "zookeeper.connect": self.zk_connect,
            "zookeeper.session.timeout.ms": str(SESSION_TIMEOUT_MS),
            "zookeeper.connection.timeout.ms": "15000",
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            # Any client with a group.id creates __consumer_offsets: few partitions keep
            # that cheap (Kafka's default is 50).
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        self.props.update({k: str(v) for k, v in (props or {}).items()})
        self.config_path = os.path.join(self.dir, "server.properties")

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def data_dir(self):
        return self.log_dirs[0]

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write("# written by tests/integration/harness.py\n")
            for k, v in self.props.items():
                f.write(f"{k}={v}\n")

    def command(self):
        args = [BROKER_BIN, self.config_path]
        if self.nofile_soft is not None:
            import resource
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            hard_text = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
            if self.nofile_soft == "hard":
                soft_text = hard_text
            elif hard == resource.RLIM_INFINITY:
                soft_text = str(self.nofile_soft)
            else:
                soft_text = str(min(int(self.nofile_soft), hard))
            args = [PRLIMIT, f"--nofile={soft_text}:{hard_text}", "--"] + args
        for k, v in self.cli_overrides.items():
            args += ["--override", f"{k}={v}"]
        return args

    def start(self, wait=True, timeout=60):
        if not os.path.exists(BROKER_BIN):
            raise AssertionError(f"samsa-broker binary not found at {BROKER_BIN} "
                                 "(set SAMSA_BROKER_BIN)")
        self.write_config()
        self._spawn(self.command())
        if wait:
            self.wait_ready(timeout)
        return self

    def restart(self, wait=True, timeout=60):
        """Starts again with the same config, port and log dirs (the old process must be gone)."""
        assert not self.alive(), "restart() of a running broker"
        return self.start(wait=wait, timeout=timeout)

    def registration(self, zk_client):
        """The parsed /brokers/ids/<id> JSON (under this broker's chroot) or None."""
        from kazoo.exceptions import NoNodeError
        try:
            data, _ = zk_client.get(f"{self.chroot}/brokers/ids/{self.broker_id}")
        except NoNodeError:
            return None
        return json.loads(data)

    def metadata_listing(self):
        p = run([KCAT, "-b", self.bootstrap, "-L", "-m", "2", "-X", "socket.timeout.ms=2000"],
                timeout=10, check=False)
        return p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")

    def wait_ready(self, timeout=60):
        """Ready = /brokers/ids/<id> names our port AND a Metadata request over the wire (kcat -L)
        shows this broker as the controller."""
        zk = self.zk.client()
        want = f"broker {self.broker_id} at 127.0.0.1:{self.port} (controller)"
        try:
            def ready():
                if not self.alive():
                    raise Abort(f"{self.name} exited with {self.proc.returncode}")
                reg = self.registration(zk)
                if not reg or reg.get("port") != self.port:
                    return f"registration: {reg}"
                listing = self.metadata_listing()
                return want in listing or f"kcat -L: {listing[-400:]}"

            last = []

            def probe():
                r = ready()
                last.append(r)
                return r is True

            try:
                wait_until(probe, timeout, f"{self.name} on {self.bootstrap} ready",
                           interval=0.1)
            except AssertionError as e:
                raise AssertionError(f"{e}\nlast probe: {last[-1] if last else None}\n"
                                     f"{self.name} log:\n{self.log_tail()}") from None
        finally:
            zk.stop()
            zk.close()
        return self


# --------------------------------------------------------------------------------------------
# Test base class


class IntegrationTestCase(unittest.TestCase):
    """Base class: on a failed test, prints the tail of every ZooKeeper/broker log involved
    (the class's and the test's own)."""

    maxDiff = 4000
    _class_registry_start = 0

    @classmethod
    def setUpClass(cls):
        cls._class_registry_start = len(REGISTRY)

    def run(self, result=None):
        if result is None:
            return super().run(result)
        cls = type(self)
        if "_class_procs" not in cls.__dict__:
            # First test of the class: what setUpClass started.
            cls._class_procs = REGISTRY[cls._class_registry_start:]
        start = len(REGISTRY)
        before = (len(result.failures), len(result.errors))
        t0 = time.monotonic()
        out = super().run(result)
        print(f"    [{self.id()} took {time.monotonic() - t0:.1f}s]", file=sys.stderr)
        new = result.failures[before[0]:] + result.errors[before[1]:]
        if new:
            # The traceback first: unittest prints it only at the end of the module, after
            # every log tail, where a truncated CI record loses it.
            for _, trace in new:
                print(f"\n----- {self.id()} -----\n{trace}", file=sys.stderr)
            dump_logs(cls._class_procs + REGISTRY[start:])
        return out

    # Convenience for subclasses.
    def start_broker(self, zk, **kwargs):
        wait = kwargs.pop("wait", True)
        b = Broker(zk, **kwargs)
        self.addCleanup(b.cleanup)
        b.start(wait=wait)
        return b


def dump_logs(processes):
    for p in processes:
        chars = 1500 if isinstance(p, ZooKeeper) else 6000
        print(f"\n----- {p.name} (pid {p.pid}, dir {p.dir}) log tail -----\n{p.log_tail(chars)}\n"
              f"----- end of {p.name} log -----", file=sys.stderr)


class ClusterTestCase(IntegrationTestCase):
    """One ZooKeeper and one broker shared by the tests of the class (started in setUpClass).
    Subclasses set broker_props / broker_cli_overrides / broker_id."""

    broker_id = 1
    broker_props = {}
    broker_cli_overrides = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.zk = ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            cls.broker = Broker(cls.zk, broker_id=cls.broker_id, props=cls.broker_props,
                                cli_overrides=cls.broker_cli_overrides)
            cls.addClassCleanup(cls.broker.cleanup)
            cls.broker.start()
            cls.zkc = cls.zk.client(chroot=cls.broker.chroot)
            cls.addClassCleanup(cls._stop_zkc)
        except Exception:
            dump_logs(REGISTRY[cls._class_registry_start:])
            raise

    @classmethod
    def _stop_zkc(cls):
        cls.zkc.stop()
        cls.zkc.close()


# --------------------------------------------------------------------------------------------
# Client helpers


def unique_topic(prefix):
    unique_topic.n = getattr(unique_topic, "n", 0) + 1
    return f"{prefix}-{unique_topic.n}-{int(time.time() * 1000) % 100000}"


def confluent_admin(broker):
    from confluent_kafka.admin import AdminClient
    return AdminClient({"bootstrap.servers": broker.bootstrap})


def create_topic(broker, name, partitions=1, config=None, timeout=30):
    """Creates a topic with confluent's AdminClient and waits until every partition has a leader
    in Metadata."""
    from confluent_kafka.admin import NewTopic
    admin = confluent_admin(broker)
    futures = admin.create_topics([NewTopic(name, partitions, 1, config=config or {})],
                                  operation_timeout=timeout)
    futures[name].result(timeout=timeout)
    wait_for_leaders(broker, name, partitions, timeout)


def wait_for_leaders(broker, name, partitions, timeout=30):
    admin = confluent_admin(broker)

    def leaders():
        md = admin.list_topics(topic=name, timeout=5)
        t = md.topics.get(name)
        if t is None or t.error is not None:
            return None
        ok = len(t.partitions) == partitions and all(
            p.leader == broker.broker_id and p.error is None for p in t.partitions.values())
        return ok or {p: (v.leader, v.error) for p, v in t.partitions.items()}

    result = wait_until(lambda: leaders() is True, timeout,
                        f"leaders for {partitions} partition(s) of {name}")
    return result


class HealthyProducer(threading.Thread):
    """A well-behaved client producing all the time on its own connection."""

    def __init__(self, bootstrap, topic):
        from confluent_kafka import Producer
        super().__init__(daemon=True)
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 1,
                                  "message.timeout.ms": 20000})
        self.topic = topic
        self.acks = 0
        self.errors = []
        self.stopping = threading.Event()

    def on_delivery(self, err, msg):
        if err is None:
            self.acks += 1
        else:
            self.errors.append(str(err))

    def run(self):
        i = 0
        while not self.stopping.is_set():
            self.producer.produce(self.topic, value=f"healthy-{i}".encode(),
                                  on_delivery=self.on_delivery)
            i += 1
            self.producer.poll(0.002)
        self.producer.flush(30)


def confluent_consumer(broker, **extra):
    """An assign-only confluent consumer (no group coordination, no commits)."""
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": broker.bootstrap, "group.id": "samsa-it-unused",
            "enable.auto.commit": False, "enable.auto.offset.store": False,
            "enable.partition.eof": True, "auto.offset.reset": "error"}
    conf.update(extra)
    return Consumer(conf)


def consume_partitions(broker, topic, partitions, start=0, timeout=60, **extra):
    """Reads every record of the given partitions from `start` up to the high watermark (queried
    first) with an assigned confluent consumer. Returns {partition: [Message...]}."""
    from confluent_kafka import TopicPartition
    c = confluent_consumer(broker, **extra)
    try:
        ends = {}
        for p in partitions:
            lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            ends[p] = hi
        out = {p: [] for p in partitions}
        todo = {p for p in partitions if ends[p] > start}
        if not todo:
            return out
        c.assign([TopicPartition(topic, p, start) for p in sorted(todo)])
        deadline = time.monotonic() + timeout
        while todo:
            if time.monotonic() > deadline:
                raise AssertionError(f"consuming {topic}: still waiting for partitions {todo}; "
                                     f"got {({p: len(v) for p, v in out.items()})}, "
                                     f"high watermarks {ends}")
            for m in c.consume(num_messages=10000, timeout=0.5):
                if m.error():
                    if m.error().code() == -191:  # _PARTITION_EOF
                        continue
                    raise AssertionError(f"consume error on {topic}: {m.error()}")
                out[m.partition()].append(m)
                if m.offset() + 1 >= ends[m.partition()]:
                    todo.discard(m.partition())
        return out
    finally:
        c.close()


def watermarks(broker, topic, partition=0):
    from confluent_kafka import TopicPartition
    c = confluent_consumer(broker)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
    finally:
        c.close()
