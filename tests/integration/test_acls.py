"""The ACL authorizer (Kafka's AclAuthorizer) end to end: ACLs added and removed with
scripts/samsa-acls.sh (and kafka-python's admin client) change what real clients may do on the
next request, on every broker, without restarts; the znodes are Kafka's layout and JSON.

Until SASL exists every client is User:ANONYMOUS, so the ACLs here name that principal: with
allow.everyone.if.no.acl.found=true a Deny on one resource is what restricts it."""

import json
import os
import signal
import subprocess

import harness
import wire
from harness import wait_until

ANON = "User:ANONYMOUS"
AUTHORIZER = "kafka.security.authorizer.AclAuthorizer"
ACLS_SCRIPT = os.path.join(harness.ROOT, "scripts", "samsa-acls.sh")
TOPIC_AUTHORIZATION_FAILED = 29


def acls(broker, *args, check=True):
    """Runs scripts/samsa-acls.sh against `broker`; returns its stdout."""
    p = subprocess.run([ACLS_SCRIPT, "--bootstrap-server", broker.bootstrap, *args],
                       capture_output=True, timeout=60)
    out = p.stdout.decode()
    if check and p.returncode != 0:
        raise AssertionError(f"samsa-acls.sh {' '.join(args)} exited with {p.returncode}:\n"
                             f"{out}\n{p.stderr.decode()}")
    return out


def produce_error(broker, topic):
    """Produces one record with confluent-kafka; returns the delivery error name or None."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "message.timeout.ms": 10000,
                  "topic.metadata.refresh.interval.ms": 500})
    errors = []
    p.produce(topic, value=b"v", on_delivery=lambda err, msg: errors.append(err))
    p.flush(20)
    assert errors, f"no delivery report for {topic}"
    return errors[0].name() if errors[0] is not None else None


def kcat_produce(broker, topic):
    """(exit status, stderr) of kcat producing one record."""
    p = harness.run([harness.KCAT, "-P", "-b", broker.bootstrap, "-t", topic,
                     "-X", "message.timeout.ms=10000"], input=b"hello\n", check=False)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def metadata(broker, topics, auto_create=False):
    frame = wire.metadata_request(7, topics, version=5, allow_auto_topic_creation=auto_create)
    _, md = wire.parse_metadata(wire.roundtrip(broker.port, frame), version=5)
    return md


class AclAuthorizerTest(harness.IntegrationTestCase):
    """Two brokers with the ACL authorizer on, allowing what no ACL mentions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        props = {"authorizer.class.name": AUTHORIZER, "allow.everyone.if.no.acl.found": "true"}
        try:
            cls.zk = harness.ZooKeeper().start()
            cls.addClassCleanup(cls.zk.cleanup)
            cls.b1 = harness.Broker(cls.zk, broker_id=1, props=props)
            cls.addClassCleanup(cls.b1.cleanup)
            cls.b1.start()
            cls.b2 = harness.Broker(cls.zk, broker_id=2, chroot=cls.b1.chroot, props=props)
            cls.addClassCleanup(cls.b2.cleanup)
            cls.b2.start(wait=False)
            wait_until(lambda: len(metadata(cls.b1, None)["brokers"]) == 2, 60,
                       "both brokers in broker 1's metadata")
            cls.zkc = cls.zk.client(chroot=cls.b1.chroot)
            cls.addClassCleanup(cls.zkc.stop)
        except Exception:
            harness.dump_logs(harness.REGISTRY[cls._class_registry_start:])
            raise

    def topic(self, prefix, broker_id=1):
        """A new topic whose one partition lives on `broker_id`."""
        from confluent_kafka.admin import NewTopic
        name = harness.unique_topic(prefix)
        admin = harness.confluent_admin(self.b1)
        admin.create_topics([NewTopic(name, 1, replica_assignment=[[broker_id]])])[name].result(30)
        for b in (self.b1, self.b2):
            wait_until(lambda: metadata(b, [name])["topics"][name][1].get(0, (1, -1))[1]
                       == broker_id, 30, f"{name} led by {broker_id} in {b.name}'s metadata")
        return name

    def deny(self, *args, broker=None):
        """Adds a Deny for ANONYMOUS and removes it when the test ends."""
        b = broker or self.b1
        acls(b, "--add", "--deny-principal", ANON, *args)
        self.addCleanup(acls, b, "--remove", "--force", "--deny-principal", ANON, *args)
        if broker is None:
            self.wait_known_everywhere(*args)

    def wait_known_everywhere(self, *args):
        """The other broker learns of an ACL change through ZooKeeper's change notifications, a
        moment later: waits until both list the resource named in `args` alike. Tests that are about that propagation do not call this."""
        resource = ["--cluster"] if "--cluster" in args else []
        for flag in ("--topic", "--group", "--resource-pattern-type"):
            if flag in args:
                resource += [flag, args[args.index(flag) + 1]]
        expected = acls(self.b1, "--list", *resource)
        wait_until(lambda: acls(self.b2, "--list", *resource) == expected, 30,
                   f"broker 2 listing the ACLs of {' '.join(resource)} as broker 1 does")

    def test_deny_write_fails_produce_while_other_topics_work(self):
        secret, public = self.topic("secret"), self.topic("public")
        self.deny("--operation", "Write", "--topic", secret)
        self.assertEqual(produce_error(self.b1, secret), "TOPIC_AUTHORIZATION_FAILED")
        status, err = kcat_produce(self.b1, secret)
        self.assertNotEqual(status, 0)
        self.assertIn("Topic authorization failed", err)
        self.assertIsNone(produce_error(self.b1, public))
        self.assertEqual(kcat_produce(self.b1, public)[0], 0)

    def test_remove_allows_again_on_the_next_request(self):
        secret = self.topic("secret")
        acls(self.b1, "--add", "--deny-principal", ANON, "--operation", "Write", "--topic",
             secret)
        self.assertEqual(produce_error(self.b1, secret), "TOPIC_AUTHORIZATION_FAILED")
        acls(self.b1, "--remove", "--force", "--deny-principal", ANON, "--operation", "Write",
             "--topic", secret)
        # The broker that served the removal applied it before answering.
        self.assertIsNone(produce_error(self.b1, secret))

    def test_describe_deny_hides_the_topic(self):
        hidden, visible = self.topic("hidden"), self.topic("visible")
        self.deny("--operation", "Describe", "--topic", hidden)
        listed = metadata(self.b1, None)["topics"]
        self.assertNotIn(hidden, listed)
        self.assertIn(visible, listed)
        named = metadata(self.b1, [hidden, visible])["topics"]
        self.assertEqual(named[hidden][0], TOPIC_AUTHORIZATION_FAILED)
        self.assertEqual(named[visible][0], 0)
        md = harness.confluent_admin(self.b1).list_topics(timeout=10)
        self.assertNotIn(hidden, md.topics)

    def test_prefixed_deny_covers_names_with_the_prefix(self):
        prefix = harness.unique_topic("pfx") + "-"
        covered = self.topic(prefix + "a")
        other = self.topic("other")
        self.deny("--operation", "Write", "--topic", prefix, "--resource-pattern-type", "prefixed")
        self.assertEqual(produce_error(self.b1, covered), "TOPIC_AUTHORIZATION_FAILED")
        self.assertIsNone(produce_error(self.b1, other))

    def test_acl_added_through_one_broker_applies_on_the_other(self):
        secret = self.topic("secret", broker_id=2)
        self.assertIsNone(produce_error(self.b2, secret))
        self.deny("--operation", "Write", "--topic", secret, broker=self.b1)
        # Broker 2 learns of it from the change notification in ZooKeeper.
        wait_until(lambda: produce_error(self.b2, secret) == "TOPIC_AUTHORIZATION_FAILED", 30,
                   "broker 2 refusing writes to the topic")
        acls(self.b1, "--remove", "--force", "--deny-principal", ANON, "--operation", "Write",
             "--topic", secret)
        wait_until(lambda: produce_error(self.b2, secret) is None, 30,
                   "broker 2 accepting writes again")

    def test_list_prints_kafkas_format(self):
        t = self.topic("listed")
        out = acls(self.b1, "--add", "--deny-principal", ANON, "--operation", "Write",
                   "--operation", "Read", "--allow-principal", "User:alice", "--allow-host",
                   "10.0.0.1", "--operation", "Describe", "--topic", t)
        self.addCleanup(acls, self.b1, "--remove", "--force", "--topic", t)
        pattern = f"ResourcePattern(resourceType=TOPIC, name={t}, patternType=LITERAL)"
        # Kafka prints a hash set; samsa-acls.sh sorts by principal, host, then operation in
        # Kafka's enum order.
        entries = [
            "(principal=User:ANONYMOUS, host=*, operation=READ, permissionType=DENY)",
            "(principal=User:ANONYMOUS, host=*, operation=WRITE, permissionType=DENY)",
            "(principal=User:ANONYMOUS, host=*, operation=DESCRIBE, permissionType=DENY)",
            "(principal=User:alice, host=10.0.0.1, operation=READ, permissionType=ALLOW)",
            "(principal=User:alice, host=10.0.0.1, operation=WRITE, permissionType=ALLOW)",
            "(principal=User:alice, host=10.0.0.1, operation=DESCRIBE, permissionType=ALLOW)",
        ]

        def block(heading):
            return f"{heading} `{pattern}`: \n " + "\n".join("\t" + e for e in entries) + " \n\n"

        self.assertEqual(out, block("Adding ACLs for resource") +
                         block("Current ACLs for resource"))
        self.assertEqual(acls(self.b1, "--list", "--topic", t), block("Current ACLs for resource"))
        self.wait_known_everywhere("--topic", t)  # then broker 2 lists the same
        everything = acls(self.b1, "--list")
        self.assertIn(block("Current ACLs for resource"), everything)
        removed = acls(self.b1, "--remove", "--force", "--topic", t)
        self.assertEqual(removed, "")

    def test_znodes_are_kafkas_layout(self):
        t = self.topic("layout")
        prefix = harness.unique_topic("layoutp")
        self.deny("--operation", "Write", "--topic", t)
        self.deny("--operation", "Read", "--topic", prefix, "--resource-pattern-type", "prefixed")
        data, _ = self.zkc.get(f"/kafka-acl/Topic/{t}")
        self.assertEqual(json.loads(data), {"version": 1, "acls": [
            {"principal": ANON, "permissionType": "Deny", "operation": "Write", "host": "*"}]})
        data, _ = self.zkc.get(f"/kafka-acl-extended/prefixed/Topic/{prefix}")
        self.assertEqual(json.loads(data), {"version": 1, "acls": [
            {"principal": ANON, "permissionType": "Deny", "operation": "Read", "host": "*"}]})
        for store in ("/kafka-acl", "/kafka-acl-extended/prefixed"):
            self.assertEqual(set(self.zkc.get_children(store)),
                             {"Topic", "Group", "Cluster", "TransactionalId", "DelegationToken"})
        literal = [self.zkc.get(f"/kafka-acl-changes/{c}")[0].decode()
                   for c in self.zkc.get_children("/kafka-acl-changes")]
        self.assertIn(f"TOPIC:{t}", literal)
        self.assertTrue(all(c.startswith("acl_changes_") and len(c) == 22
                            for c in self.zkc.get_children("/kafka-acl-changes")))
        extended = [json.loads(self.zkc.get(f"/kafka-acl-extended-changes/{c}")[0])
                    for c in self.zkc.get_children("/kafka-acl-extended-changes")]
        self.assertIn({"version": 1, "resourceType": "TOPIC", "name": prefix,
                       "patternType": "PREFIXED"}, extended)

    def test_acls_written_in_zookeeper_by_another_tool_are_applied(self):
        # What Kafka's own tools (kafka-acls.sh --authorizer-properties) do: write the znode,
        # then the change notification.
        t = self.topic("external", broker_id=2)
        self.zkc.create(f"/kafka-acl/Topic/{t}", json.dumps({"version": 1, "acls": [
            {"principal": "User:*", "permissionType": "Deny", "operation": "Write",
             "host": "*"}]}).encode())
        self.zkc.create("/kafka-acl-changes/acl_changes_", f"Topic:{t}".encode(), sequence=True)
        self.addCleanup(acls, self.b1, "--remove", "--force", "--topic", t)
        for b in (self.b1, self.b2):
            wait_until(lambda: produce_error(b, t) == "TOPIC_AUTHORIZATION_FAILED", 30,
                       f"{b.name} refusing writes")

    def test_auto_creation_needs_create_on_the_cluster_or_the_topic(self):
        prefix = harness.unique_topic("autodeny") + "-"
        # Create denied on the cluster (everything else there allowed, so the brokers' own
        # requests still pass), and on the prefixed topics: Describe allowed, Create denied.
        acls(self.b1, "--add", "--allow-principal", ANON, "--cluster")
        self.addCleanup(acls, self.b1, "--remove", "--force", "--cluster")
        self.deny("--operation", "Create", "--cluster")
        acls(self.b1, "--add", "--allow-principal", ANON, "--operation", "Describe", "--topic",
             prefix, "--resource-pattern-type", "prefixed")
        self.deny("--operation", "Create", "--topic", prefix, "--resource-pattern-type",
                  "prefixed")
        self.addCleanup(acls, self.b1, "--remove", "--force", "--topic", prefix,
                        "--resource-pattern-type", "prefixed")
        refused, allowed = prefix + "x", harness.unique_topic("autook")
        md = metadata(self.b1, [refused, allowed], auto_create=True)["topics"]
        self.assertEqual(md[refused][0], TOPIC_AUTHORIZATION_FAILED)
        self.assertIsNone(self.zkc.exists(f"/brokers/topics/{refused}"))
        self.assertNotEqual(md[allowed][0], TOPIC_AUTHORIZATION_FAILED)
        wait_until(lambda: self.zkc.exists(f"/brokers/topics/{allowed}") is not None, 30,
                   f"{allowed} auto-created")

    def test_kafka_python_admin_creates_describes_and_deletes(self):
        from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,
                                 KafkaAdminClient, ResourcePattern, ResourcePatternFilter,
                                 ResourceType)
        from kafka.admin.acl_resource import ACLResourcePatternType
        t = harness.unique_topic("kpy")
        admin = KafkaAdminClient(bootstrap_servers=self.b2.bootstrap)
        self.addCleanup(admin.close)
        acl = ACL(principal="User:bob", host="*", operation=ACLOperation.READ,
                  permission_type=ACLPermissionType.ALLOW,
                  resource_pattern=ResourcePattern(ResourceType.TOPIC, t))
        result = admin.create_acls([acl])
        self.assertEqual(result["failed"], [])
        described, error = admin.describe_acls(ACLFilter(
            principal=None, host=None, operation=ACLOperation.ANY,
            permission_type=ACLPermissionType.ANY,
            resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, t,
                                                   ACLResourcePatternType.LITERAL)))
        self.assertEqual(error.errno, 0)
        self.assertEqual([(a.principal, a.operation, a.permission_type) for a in described],
                         [("User:bob", ACLOperation.READ, ACLPermissionType.ALLOW)])
        deleted = admin.delete_acls([ACLFilter(
            principal="User:bob", host=None, operation=ACLOperation.ANY,
            permission_type=ACLPermissionType.ANY,
            resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, t,
                                                   ACLResourcePatternType.MATCH))])
        self.assertEqual(len(deleted[0][1]), 1)
        self.assertEqual(acls(self.b1, "--list", "--topic", t), "")

    def test_find_coordinator_checks_describe_on_the_group(self):
        self.deny("--operation", "Describe", "--group", "secret-group")

        def find_coordinator(group):
            body = wire.string(group) + wire.i8(0)  # FindCoordinator v1, key type group
            r = wire.Reader(wire.roundtrip(self.b1.port, wire.request(10, 1, 3, body)))
            r.i32()  # correlation id
            r.i32()  # throttle time
            return r.i16(), r.string()

        self.assertEqual(find_coordinator("secret-group"), (30, "Group authorization failed."))
        self.assertNotEqual(find_coordinator("other-group")[0], 30)

    def test_group_read_and_topic_read_guard_offset_commits(self):
        from confluent_kafka import Consumer, KafkaException, TopicPartition
        readable, secret = self.topic("grp-readable"), self.topic("grp-secret")
        self.deny("--operation", "Read", "--group", "no-read-group")
        # With an ACL on the group, allow.everyone.if.no.acl.found no longer applies to it:
        # FindCoordinator's Describe needs its own Allow (as in Kafka).
        allow = ("--allow-principal", ANON, "--operation", "Describe", "--group", "no-read-group")
        acls(self.b1, "--add", *allow)
        self.addCleanup(acls, self.b1, "--remove", "--force", *allow)
        self.wait_known_everywhere(*allow)
        self.deny("--operation", "Read", "--topic", secret)
        transient = {"COORDINATOR_NOT_AVAILABLE", "NOT_COORDINATOR", "_WAIT_COORD",
                     "COORDINATOR_LOAD_IN_PROGRESS", "_TIMED_OUT", "_TRANSPORT"}

        def commit(group, topic):
            """The error name of a commit by a non-member, or None; retried while the
            coordinator (and __consumer_offsets) comes up."""
            c = Consumer({"bootstrap.servers": self.b1.bootstrap, "group.id": group,
                          "enable.auto.commit": False})
            try:
                def attempt():
                    try:
                        out = c.commit(offsets=[TopicPartition(topic, 0, 5)],
                                       asynchronous=False)
                        errs = [tp.error.name() for tp in out or [] if tp.error]
                        return errs[0] if errs else "OK"
                    except KafkaException as e:
                        return e.args[0].name()
                seen = []

                def settled():
                    seen.append(attempt())
                    return seen[-1] not in transient and seen[-1]
                return wait_until(settled, 60, f"a commit to {group} that is not transient")
            finally:
                c.close()

        self.assertEqual(commit("no-read-group", readable), "GROUP_AUTHORIZATION_FAILED")
        self.assertEqual(commit("reader-group", secret), "TOPIC_AUTHORIZATION_FAILED")
        self.assertEqual(commit("reader-group", readable), "OK")


class SuperUserClusterTest(harness.IntegrationTestCase):
    """allow.everyone.if.no.acl.found=false: only super users and ACLs allow anything. With
    ANONYMOUS a super user the cluster works (inter-broker requests need ClusterAction); without
    it, a client is refused what no ACL allows."""

    def test_cluster_runs_with_anonymous_as_super_user(self):
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        props = {"authorizer.class.name": "kafka.security.auth.SimpleAclAuthorizer",
                 "allow.everyone.if.no.acl.found": "false", "super.users": f"User:bob;{ANON}"}
        b1 = self.start_broker(zk, broker_id=1, props=props)
        b2 = harness.Broker(zk, broker_id=2, chroot=b1.chroot, props=props)
        self.addCleanup(b2.cleanup)
        b2.start(wait=False)
        wait_until(lambda: len(metadata(b1, None)["brokers"]) == 2, 60, "both brokers up")
        from confluent_kafka.admin import NewTopic
        t = harness.unique_topic("replicated")
        admin = harness.confluent_admin(b1)
        admin.create_topics([NewTopic(t, 1, replication_factor=2)])[t].result(30)
        wait_until(lambda: sorted(metadata(b1, [t])["topics"][t][1].get(0, (0, -1, [], []))[3])
                   == [1, 2], 30, f"both replicas of {t} in sync (replica fetches authorized)")
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": b1.bootstrap, "acks": "all"})
        errors = []
        for i in range(10):
            p.produce(t, value=str(i).encode(), on_delivery=lambda e, m: errors.append(e))
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [None] * 10)
        got = harness.consume_partitions(b1, t, [0])[0]
        self.assertEqual([m.value() for m in got], [str(i).encode() for i in range(10)])

    def test_without_super_user_nothing_is_allowed_without_an_acl(self):
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        props = {"authorizer.class.name": AUTHORIZER, "allow.everyone.if.no.acl.found": "false"}
        # Not the harness's readiness check: even the controller's UpdateMetadata to its own
        # broker needs ClusterAction, so this broker's metadata never lists itself (as in
        # Kafka, whose brokers must be super users or hold ClusterAction).
        b = self.start_broker(zk, broker_id=1, props=props, wait=False)

        def answer():
            try:
                return metadata(b, ["t-none"], auto_create=True)["topics"]["t-none"][0]
            except OSError:
                return None

        wait_until(lambda: answer() == TOPIC_AUTHORIZATION_FAILED, 60,
                   "Metadata refusing the topic")
        zkc = zk.client(chroot=b.chroot)
        self.addCleanup(zkc.stop)
        self.assertIsNone(zkc.exists("/brokers/topics/t-none"))
        out = acls(b, "--list", check=False)
        self.assertIn("Error while executing ACL command: CLUSTER_AUTHORIZATION_FAILED", out)


class AclSessionExpiryTest(harness.ClusterTestCase):
    """A broker whose ZooKeeper session expired (frozen with SIGSTOP) lost its watches on the
    change notifications: with the new session it applies what changed meanwhile and watches
    again."""

    broker_props = {"authorizer.class.name": AUTHORIZER,
                    "allow.everyone.if.no.acl.found": "true"}

    def deny_write_in_zookeeper(self, topic):
        self.zkc.create(f"/kafka-acl/Topic/{topic}", json.dumps({"version": 1, "acls": [
            {"principal": ANON, "permissionType": "Deny", "operation": "Write",
             "host": "*"}]}).encode())
        self.zkc.create("/kafka-acl-changes/acl_changes_", f"TOPIC:{topic}".encode(),
                        sequence=True)

    def test_changes_apply_after_the_session_expired(self):
        during, after = harness.unique_topic("during"), harness.unique_topic("after")
        for t in (during, after):
            harness.create_topic(self.broker, t, 1)
            self.assertIsNone(produce_error(self.broker, t))
        path = f"/brokers/ids/{self.broker.broker_id}"
        os.kill(self.broker.pid, signal.SIGSTOP)
        try:
            wait_until(lambda: self.zkc.exists(path) is None,
                       harness.SESSION_TIMEOUT_MS / 1000 + 20,
                       "the frozen broker's session to expire")
            self.deny_write_in_zookeeper(during)
        finally:
            os.kill(self.broker.pid, signal.SIGCONT)
        wait_until(lambda: self.zkc.exists(path) is not None, 30, "the broker to register again")
        self.broker.wait_ready(30)
        wait_until(lambda: produce_error(self.broker, during) == "TOPIC_AUTHORIZATION_FAILED",
                   30, "the change made during the expiry applied")
        self.deny_write_in_zookeeper(after)
        wait_until(lambda: produce_error(self.broker, after) == "TOPIC_AUTHORIZATION_FAILED",
                   30, "a change made after the new session applied")


class AuthorizerConfigTest(harness.IntegrationTestCase):
    """Start-up refuses an authorizer it does not have, and a malformed super.users, naming the
    key."""

    def test_bad_values_stop_start_up(self):
        zk = harness.ZooKeeper().start()
        self.addCleanup(zk.cleanup)
        for broker_id, props, message in (
                (1, {"authorizer.class.name": "com.example.MyAuthorizer"},
                 "authorizer.class.name: com.example.MyAuthorizer is not supported"),
                (2, {"authorizer.class.name": AUTHORIZER, "super.users": "alice"},
                 "super.users: 'alice' is not a semicolon-separated list of principals")):
            b = harness.Broker(zk, broker_id=broker_id, props=props)
            self.addCleanup(b.cleanup)
            b.start(wait=False)
            rc = b.wait_exit(30)
            out = b.log_text()
            self.assertNotEqual(rc, 0, out[-2000:])
            self.assertIn(message, out)


class NoAuthorizerTest(harness.ClusterTestCase):
    """Without authorizer.class.name the ACL APIs answer SECURITY_DISABLED, as Kafka does."""

    def test_acl_commands_report_security_disabled(self):
        out = acls(self.broker, "--list", check=False)
        self.assertIn("Error while executing ACL command: SECURITY_DISABLED: No Authorizer is "
                      "configured on the broker", out)
        out = acls(self.broker, "--add", "--allow-principal", ANON, "--topic", "t", check=False)
        self.assertIn("SECURITY_DISABLED", out)
