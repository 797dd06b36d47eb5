"""The client host of the simulated EC2 cluster (tests/ec2/simulate.sh runs it inside the client
namespace with Debian's /usr/bin/python3): real Kafka clients over SASL_SSL and a real
ZooKeeper client, each command bounded in time and printing JSON on its last line.

  client.py create-topic TOPIC PARTITIONS RF MIN_ISR     (as admin)
  client.py produce TOPIC COUNT PREFIX                  (as alice, acks=all): the acked values
  client.py consume TOPIC COUNT                         (as alice): every value read
  client.py state TOPIC PARTITIONS                      partition states from ZooKeeper
  client.py zk-anonymous PATH                           what an unauthenticated ZooKeeper
                                                        client gets reading PATH
Settings come from the environment: BOOTSTRAP, CA, ADMIN_PASSWORD, ALICE_PASSWORD,
ZK_CONNECT (with chroot), ZK_DIGEST (user:password).
"""

import json
import os
import sys
import time

ENV = os.environ


def sasl(user, password, **extra):
    conf = {"bootstrap.servers": ENV["BOOTSTRAP"], "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": user,
            "sasl.password": password, "ssl.ca.location": ENV["CA"]}
    conf.update(extra)
    return conf


def create_topic(topic, partitions, rf, min_isr):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient(sasl("admin", ENV["ADMIN_PASSWORD"]))
    new = NewTopic(topic, int(partitions), int(rf), config={"min.insync.replicas": min_isr})
    deadline = time.monotonic() + 60
    while True:
        try:
            admin.create_topics([new], operation_timeout=20)[topic].result(30)
            return {"created": topic}
        except Exception as e:  # noqa: BLE001 - the controller may still be starting
            if "already exists" in str(e):
                return {"created": topic}
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def produce(topic, count, prefix):
    """Values the cluster acknowledged with acks=all; failures are counted, not retried."""
    from confluent_kafka import Producer
    p = Producer(sasl("alice", ENV["ALICE_PASSWORD"], **{
        "acks": "all", "message.timeout.ms": 60000}))
    acked, failed = [], []

    def report(err, msg):
        (failed if err else acked).append(msg.value().decode() if not err else err.name())

    for i in range(int(count)):
        p.produce(topic, value=f"{prefix}-{i}".encode(), on_delivery=report)
        p.poll(0)
    p.flush(90)
    return {"acked": acked, "failed": failed}


def consume(topic, count):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer(sasl("alice", ENV["ALICE_PASSWORD"], **{
        "group.id": "ec2-sim-reader", "enable.auto.commit": False,
        "auto.offset.reset": "earliest"}))
    meta = c.list_topics(topic, timeout=30)
    c.assign([TopicPartition(topic, p, 0) for p in meta.topics[topic].partitions])
    values, deadline = [], time.monotonic() + 60
    while len(values) < int(count) and time.monotonic() < deadline:
        for m in c.consume(500, timeout=1.0):
            if not m.error():
                values.append(m.value().decode())
    c.close()
    return {"values": values}


def zk_client(auth=True):
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=ENV["ZK_CONNECT"], timeout=10,
                     auth_data=[("digest", ENV["ZK_DIGEST"])] if auth else None)
    zk.start(timeout=20)
    return zk


def state(topic, partitions):
    zk = zk_client()
    try:
        states = {}
        for p in range(int(partitions)):
            data, _ = zk.get(f"/brokers/topics/{topic}/partitions/{p}/state")
            states[str(p)] = json.loads(data)
        return {"states": states, "brokers": sorted(int(b) for b in zk.get_children("/brokers/ids"))}
    finally:
        zk.stop()
        zk.close()


def zk_anonymous(path):
    from kazoo.exceptions import NoAuthError
    zk = zk_client(auth=False)
    try:
        zk.get(path)
        return {"read": True}
    except NoAuthError:
        return {"read": False, "error": "NoAuth"}
    finally:
        zk.stop()
        zk.close()


COMMANDS = {"create-topic": create_topic, "produce": produce, "consume": consume,
            "state": state, "zk-anonymous": zk_anonymous}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
