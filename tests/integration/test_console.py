"""The cluster console (issue 10): the page and JSON API each broker serves on its metrics
listener, checked against what the cluster holds.

ConsoleTest: three brokers, each with metrics.listener; an RF=3 topic with records produced
and a consumer group with committed offsets behind the end (lag > 0).
- /api/state names the three brokers, ZooKeeper's controller, every partition's leader, replicas
  and ISR as ZooKeeper has them, end offsets equal to the records produced per partition, sizes,
  and the group's committed offsets and lag;
- headless Chromium (Debian's `chromium`) opens the page and its DOM shows the brokers, the
  partitions and the group's lag (screenshot saved as an artifact);
- a broker killed by PID: the page marks the topic's partitions "under-replicated"; after a
  restart they are "ok" again (screenshots of both).

SecuredConsoleTest: one broker whose inter-broker listener is SASL_PLAINTEXT (SCRAM): the page
and API answer 401 with WWW-Authenticate without credentials or with a wrong password, 200 with
the admin's (verified by the broker over SASL), and no password appears in any response; with
an ACL authorizer, alice (no ACL) sees no topic where the admin (a super user) sees it; Chromium
opens the page with the admin's credential and shows the broker and the topic."""

import base64
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request

import harness
from harness import ROOT, run, wait_until
from replication_verifier import Cluster

CHROMIUM = shutil.which("chromium")
CONFIGS = os.path.join(ROOT, "scripts", "samsa-configs.sh")
TOPIC = "console-orders"
PARTITIONS = 3
GROUP = "console-readers"
# records produced to each partition, and the offsets the group commits (lag = the difference)
PRODUCED = {0: 30, 1: 20, 2: 10}
COMMITTED = {0: 25, 1: 5, 2: 10}


def artifact_dir():
    """$SAMSA_ARTIFACT_DIR/console, else <build dir>/test-artifacts/console."""
    base = os.environ.get("SAMSA_ARTIFACT_DIR")
    if not base:
        base = os.path.join(os.path.dirname(os.path.dirname(harness.BROKER_BIN)),
                            "test-artifacts")
    path = os.path.join(base, "console")
    os.makedirs(path, exist_ok=True)
    return path


def http_get(url, auth=None, timeout=20):
    """(status, headers, body text) of a GET; auth = (user, password) for Basic."""
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def chromium(url, extra_args, timeout=60):
    """Runs headless Chromium once with a fresh profile (its own HOME) and returns stdout;
    killed (its process group, by PID) if it outlives `timeout`."""
    home = tempfile.mkdtemp(prefix="samsa-it-chromium-")
    args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
            f"--user-data-dir={home}/profile", *extra_args, url]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "HOME": home}, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"chromium did not finish within {timeout}s: {url}") from None
    finally:
        # Chromium's helpers share its process group: none may outlive the run.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def dump_dom(url):
    # The page polls every 2 s; 5 s of virtual time lets the first polls land.
    return chromium(url, ["--virtual-time-budget=5000", "--dump-dom"])


def screenshot(url, name, size="1280,900"):
    path = os.path.join(artifact_dir(), name)
    if os.path.exists(path):
        os.remove(path)
    chromium(url, ["--virtual-time-budget=5000", f"--screenshot={path}",
                   f"--window-size={size}"])
    return path


class Rows(html.parser.HTMLParser):
    """The <tr> rows of a DOM that carry data-* attributes, each with its text."""

    def __init__(self):
        super().__init__()
        self.rows = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            a = dict(attrs)
            self._open = {"attrs": a, "text": ""} if any(k.startswith("data-") for k in a) \
                else None
            if self._open is not None:
                self.rows.append(self._open)

    def handle_endtag(self, tag):
        if tag == "tr":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data + " "


def page_rows(dom):
    parser = Rows()
    parser.feed(dom)
    return parser.rows


def brokers_shown(rows):
    return sorted(int(r["attrs"]["data-broker"]) for r in rows if "data-broker" in r["attrs"])


def partitions_shown(rows, topic):
    """{partition: (status attribute, class, row text)} of `topic`'s rows."""
    return {int(r["attrs"]["data-partition"]): (r["attrs"].get("data-status"),
                                                r["attrs"].get("class", ""), r["text"])
            for r in rows if r["attrs"].get("data-topic") == topic
            and "data-status" in r["attrs"]}


def lag_shown(rows, group):
    return {int(r["attrs"]["data-partition"]): r["attrs"].get("data-lag")
            for r in rows if r["attrs"].get("data-group") == group and "data-lag" in r["attrs"]}


class ConsoleTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.metrics_ports = {i: harness.free_port() for i in (1, 2, 3)}
            cls.cluster = Cluster(3, props={
                "offsets.topic.replication.factor": "3",
                "replica.lag.time.max.ms": "5000",
            }, broker_props={i: {"metrics.listener": f"http://127.0.0.1:{p}"}
                             for i, p in cls.metrics_ports.items()})
            cls.addClassCleanup(cls.cluster.cleanup)
            cls.cluster.create_topic(TOPIC, PARTITIONS, 3)
            cls.produce()
            cls.commit_offsets()
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    @classmethod
    def produce(cls):
        from confluent_kafka import Producer
        producer = Producer({"bootstrap.servers": cls.cluster.bootstrap, "acks": "all"})
        errors = []
        for partition, count in PRODUCED.items():
            for i in range(count):
                producer.produce(TOPIC, value=f"order-{partition}-{i}".encode(),
                                 partition=partition,
                                 on_delivery=lambda err, _m: err and errors.append(err))
        assert producer.flush(60) == 0 and not errors, errors

    @classmethod
    def commit_offsets(cls):
        from confluent_kafka import Consumer, TopicPartition
        consumer = Consumer({"bootstrap.servers": cls.cluster.bootstrap, "group.id": GROUP,
                             "enable.auto.commit": False})
        try:
            consumer.commit(offsets=[TopicPartition(TOPIC, p, o) for p, o in COMMITTED.items()],
                            asynchronous=False)
        finally:
            consumer.close()

    def url(self, broker_id, path="/"):
        return f"http://127.0.0.1:{self.metrics_ports[broker_id]}{path}"

    def api_state(self, broker_id=1):
        status, headers, body = http_get(self.url(broker_id, "/api/state"))
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get("Content-Type"), "application/json")
        return json.loads(body)

    def controller_in_zk(self):
        zkc = self.cluster.zk_client()
        try:
            return json.loads(zkc.get("/controller")[0])["brokerid"]
        finally:
            zkc.stop()
            zkc.close()

    def registrations_in_zk(self):
        """Broker id -> the timestamp its /brokers/ids/<id> registration carries."""
        zkc = self.cluster.zk_client()
        try:
            return {int(i): int(json.loads(zkc.get(f"/brokers/ids/{i}")[0])["timestamp"])
                    for i in zkc.get_children("/brokers/ids")}
        finally:
            zkc.stop()
            zkc.close()

    def test_api_state_matches_the_cluster(self):
        want_states = self.cluster.partition_states(TOPIC, PARTITIONS)
        for broker_id in (1, 2, 3):
            state = wait_until(
                lambda b=broker_id: (lambda s: s if any(
                    g["group"] == GROUP for g in s["groups"]) else None)(self.api_state(b)),
                30, f"broker {broker_id}'s console lists {GROUP}")
            cluster = state["cluster"]
            self.assertEqual([b["id"] for b in cluster["brokers"]], [1, 2, 3])
            self.assertEqual(cluster["servedBy"], broker_id)
            self.assertEqual(cluster["controller"], self.controller_in_zk())
            self.assertEqual([b["id"] for b in cluster["brokers"] if b["controller"]],
                             [cluster["controller"]])
            ports = {b.broker_id: b.port for b in self.cluster.brokers}
            for b in cluster["brokers"]:
                self.assertEqual(b["port"], ports[b["id"]])
                self.assertIn(f"PLAINTEXT://127.0.0.1:{ports[b['id']]}", b["endpoints"])
            served = [b for b in cluster["brokers"] if b["id"] == broker_id][0]
            self.assertLessEqual(served["upSince"], cluster["generatedAt"])
            # Every broker is up since its registration, as ZooKeeper holds it.
            self.assertEqual({b["id"]: b["upSince"] for b in cluster["brokers"]},
                             self.registrations_in_zk())

            topic = [t for t in state["topics"] if t["name"] == TOPIC][0]
            self.assertFalse(topic["internal"])
            self.assertEqual([p["partition"] for p in topic["partitions"]],
                             list(range(PARTITIONS)))
            for p in topic["partitions"]:
                zk_state = want_states[p["partition"]]
                self.assertEqual(p["leader"], zk_state["leader"])
                self.assertEqual(sorted(p["isr"]), sorted(zk_state["isr"]))
                self.assertEqual(sorted(p["replicas"]), [1, 2, 3])
                self.assertEqual(p["status"], "ok")
                self.assertEqual(p["endOffset"], PRODUCED[p["partition"]])
                self.assertGreater(p["size"], 0)
            self.assertEqual(topic["size"], sum(p["size"] for p in topic["partitions"]))
            self.assertEqual(topic["underReplicated"], 0)

            group = [g for g in state["groups"] if g["group"] == GROUP][0]
            self.assertEqual(group["state"], "Empty")
            self.assertIsNone(group["error"])
            offsets = {o["partition"]: o for o in group["offsets"] if o["topic"] == TOPIC}
            self.assertEqual({p: o["committed"] for p, o in offsets.items()}, COMMITTED)
            self.assertEqual({p: o["lag"] for p, o in offsets.items()},
                             {p: PRODUCED[p] - COMMITTED[p] for p in PRODUCED})
            self.assertEqual(group["totalLag"], sum(PRODUCED.values()) - sum(COMMITTED.values()))

        # The parts agree with the whole.
        for part in ("cluster", "topics", "groups"):
            status, _, body = http_get(self.url(1, f"/api/{part}"))
            self.assertEqual(status, 200, body)
            self.assertIn(part if part != "cluster" else "brokers", json.loads(body))

    def test_page_assets_and_unknown_paths(self):
        status, headers, body = http_get(self.url(2, "/"))
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("Content-Type").startswith("text/html"))
        self.assertIn('name="viewport"', body)
        # Self-contained: every script and stylesheet is same-origin.
        self.assertEqual(re.findall(r'(?:src|href)="(https?:)?//', body), [])
        for asset, kind in (("/console/console.js", "text/javascript"),
                            ("/console/console.css", "text/css")):
            status, headers, body = http_get(self.url(2, asset))
            self.assertEqual(status, 200, asset)
            self.assertTrue(headers.get("Content-Type").startswith(kind), asset)
            self.assertNotIn("http://", body.replace("http://127", ""))
        self.assertEqual(http_get(self.url(2, "/console/"))[0], 200)
        self.assertEqual(http_get(self.url(2, "/console/nothing.js"))[0], 404)
        self.assertEqual(http_get(self.url(2, "/api/nothing"))[0], 404)
        # /metrics is still served on the same listener.
        status, _, body = http_get(self.url(2, "/metrics"))
        self.assertEqual(status, 200)

    def wait_for_page(self, broker_id, what, check, timeout=60):
        """Loads the page in Chromium until `check(rows)` is true; returns the rows."""
        last = {}

        def loaded():
            dom = dump_dom(self.url(broker_id))
            last["dom"] = dom
            rows = page_rows(dom)
            return rows if check(rows) else None
        try:
            return wait_until(loaded, timeout, what, interval=0.5)
        except AssertionError as e:
            raise AssertionError(f"{e}\nlast DOM:\n{last.get('dom', '')[-3000:]}") from None

    @harness.unittest.skipUnless(CHROMIUM, "chromium is not installed")
    def test_z_page_in_chromium_marks_a_dead_brokers_partitions(self):
        served = 1
        def healthy(rows):
            shown = partitions_shown(rows, TOPIC)
            return (brokers_shown(rows) == [1, 2, 3]
                    and sorted(shown) == list(range(PARTITIONS))
                    and all(s == "ok" and "status-ok" in c for s, c, _ in shown.values())
                    and lag_shown(rows, GROUP) == {p: str(PRODUCED[p] - COMMITTED[p])
                                                    for p in PRODUCED})
        rows = self.wait_for_page(served, "the page shows 3 brokers, the partitions and the lag",
                                  healthy)
        controller = [r for r in rows if r["attrs"].get("data-broker") ==
                      str(self.controller_in_zk())][0]
        self.assertIn("controller", controller["text"])
        self.assertTrue(os.path.getsize(screenshot(self.url(served), "healthy.png")) > 0)
        # A phone's width (the page is one column there).
        self.assertTrue(os.path.getsize(
            screenshot(self.url(served), "healthy-phone.png", size="390,844")) > 0)

        victim = self.cluster.brokers[2]  # broker 3, not the one serving the page
        os.kill(victim.pid, signal.SIGKILL)
        victim.proc.wait(timeout=30)

        def degraded(rows):
            shown = partitions_shown(rows, TOPIC)
            return (brokers_shown(rows) == [1, 2]
                    and sorted(shown) == list(range(PARTITIONS))
                    and all(s == "under-replicated" and "under-replicated" in c
                            and "under-replicated" in text for s, c, text in shown.values()))
        self.wait_for_page(served, "the page marks every partition under-replicated", degraded)
        self.assertTrue(os.path.getsize(screenshot(self.url(served), "broker3-killed.png")) > 0)
        state = self.api_state(served)
        topic = [t for t in state["topics"] if t["name"] == TOPIC][0]
        self.assertEqual(topic["underReplicated"], PARTITIONS)
        for p in topic["partitions"]:
            self.assertNotIn(3, p["isr"])

        victim.restart(wait=False)
        self.wait_for_page(served, "the page shows every partition ok again", healthy,
                           timeout=90)
        self.assertTrue(os.path.getsize(screenshot(self.url(served), "broker3-back.png")) > 0)


SECURED_TOPIC = "console-secured"
ADMIN_JAAS = ('org.apache.kafka.common.security.scram.ScramLoginModule required '
              'username="admin" password="admin-secret";')


class SecuredConsoleTest(harness.IntegrationTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.zk = harness.ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            chroot = harness.unique_chroot()
            for user, password in (("admin", "admin-secret"), ("alice", "alice-secret")):
                run([CONFIGS, "--zookeeper", f"{cls.zk.connect}{chroot}", "--alter",
                     "--entity-type", "users", "--entity-name", user, "--add-config",
                     f"SCRAM-SHA-512=[password={password}]"], timeout=60)
            port, internal = harness.free_port(), harness.free_port()
            cls.metrics_port = harness.free_port()
            cls.broker = harness.Broker(cls.zk, broker_id=1, chroot=chroot, port=port, props={
                "listeners": f"PLAINTEXT://127.0.0.1:{port},INTERNAL://127.0.0.1:{internal}",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT",
                "inter.broker.listener.name": "INTERNAL",
                "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
                "listener.name.internal.sasl.enabled.mechanisms": "SCRAM-SHA-512",
                "listener.name.internal.scram-sha-512.sasl.jaas.config": ADMIN_JAAS,
                "metrics.listener": f"http://127.0.0.1:{cls.metrics_port}",
                # ACLs decide what a credential sees: admin is a super user, alice has no
                # ACL. ANONYMOUS (the PLAINTEXT listener's clients: the harness, this test's
                # topic creation) is one too; the console never uses that listener here.
                "authorizer.class.name": "kafka.security.authorizer.AclAuthorizer",
                "allow.everyone.if.no.acl.found": "false",
                "super.users": "User:admin;User:ANONYMOUS",
            })
            cls.addClassCleanup(cls.broker.cleanup)
            cls.broker.start()
            harness.create_topic(cls.broker, SECURED_TOPIC, partitions=2)
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    def url(self, path):
        return f"http://127.0.0.1:{self.metrics_port}{path}"

    def test_credentials_are_required_and_checked_by_the_broker(self):
        for path in ("/", "/console/console.js", "/api/state", "/api/cluster"):
            status, headers, _ = http_get(self.url(path))
            self.assertEqual(status, 401, path)
            self.assertTrue(headers.get("WWW-Authenticate", "").startswith("Basic "), path)
            self.assertEqual(http_get(self.url(path), auth=("admin", "wrong"))[0], 401, path)
            self.assertEqual(http_get(self.url(path), auth=("nobody", "x"))[0], 401, path)
        status, _, body = http_get(self.url("/api/state"), auth=("admin", "admin-secret"))
        self.assertEqual(status, 200, body)
        state = json.loads(body)
        self.assertEqual([b["id"] for b in state["cluster"]["brokers"]], [1])
        self.assertEqual(http_get(self.url("/"), auth=("admin", "admin-secret"))[0], 200)
        # Polling again with the cached credential; a wrong password right after is still
        # refused (the cache is keyed by the whole credential).
        self.assertEqual(http_get(self.url("/api/topics"), auth=("admin", "admin-secret"))[0],
                         200)
        self.assertEqual(http_get(self.url("/api/topics"), auth=("admin", "admin-secre"))[0], 401)

    def test_acls_decide_what_a_credential_sees(self):
        def topics(auth):
            status, _, body = http_get(self.url("/api/topics"), auth=auth)
            self.assertEqual(status, 200, body)
            return [t["name"] for t in json.loads(body)["topics"]]
        wait_until(lambda: SECURED_TOPIC in topics(("admin", "admin-secret")), 30,
                   f"the admin's console lists {SECURED_TOPIC}")
        # alice authenticates (200) but holds no Describe ACL: the broker shows her nothing.
        self.assertEqual(topics(("alice", "alice-secret")), [])

    @harness.unittest.skipUnless(CHROMIUM, "chromium is not installed")
    def test_page_in_chromium_with_the_admin_credential(self):
        port = self.metrics_port
        # Without a credential the page is the 401's text; with one in the URL, Chromium
        # answers the challenge and its fetches of /api/state reuse the credential.
        self.assertNotIn('data-broker="1"', dump_dom(f"http://127.0.0.1:{port}/"))
        url = f"http://admin:admin-secret@127.0.0.1:{port}/"
        wait_until(lambda: 'data-broker="1"' in dump_dom(url) or None, 60,
                   "the secured page shows broker 1")
        wait_until(lambda: f'data-topic="{SECURED_TOPIC}"' in dump_dom(url) or None, 60,
                   f"the secured page shows {SECURED_TOPIC}")
        screenshot(url, "secured.png")

    def test_no_secret_in_any_response(self):
        for path in ("/api/state", "/api/cluster", "/api/topics", "/api/groups", "/",
                     "/console/console.js"):
            for auth in (None, ("admin", "admin-secret"), ("alice", "alice-secret")):
                status, headers, body = http_get(self.url(path), auth=auth)
                self.assertIn(status, (200, 401), path)
                everything = body + str(dict(headers))
                for secret in ("admin-secret", "alice-secret", "ScramLoginModule", "jaas"):
                    self.assertNotIn(secret, everything, f"{path} as {auth and auth[0]}")
