"""One member of a consumer group, as its own process, for test_groups.py.

    group_worker.py confluent|kafka-python <bootstrap> <topic> <group> [--instance ID]
                    [--session-ms N]

It subscribes, and after every poll commits what it consumed synchronously, then reports it.
One JSON object per line on stdout:
    {"ev": "assigned", "partitions": [...]}    the whole assignment after each rebalance
    {"ev": "revoked"}
    {"ev": "records", "recs": [[partition, offset, value], ...]}   consumed AND committed
    {"ev": "closed"}
SIGTERM: finish the current batch, close (leaving the group, unless static) and exit 0."""

import argparse
import json
import signal
import sys

stop = False


def on_term(signum, frame):
    global stop
    stop = True


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run_confluent(a):
    from confluent_kafka import Consumer, KafkaException
    conf = {"bootstrap.servers": a.bootstrap, "group.id": a.group,
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "session.timeout.ms": a.session_ms, "heartbeat.interval.ms": 500,
            "partition.assignment.strategy": "range", "topic.metadata.refresh.interval.ms": 1000}
    if a.instance:
        conf["group.instance.id"] = a.instance
    c = Consumer(conf)

    def assigned(consumer, partitions):
        emit({"ev": "assigned", "partitions": sorted(p.partition for p in partitions)})

    def revoked(consumer, partitions):
        emit({"ev": "revoked"})

    c.subscribe([a.topic], on_assign=assigned, on_revoke=revoked)
    while not stop:
        msgs = [m for m in c.consume(num_messages=200, timeout=0.2) if not m.error()]
        if msgs:
            try:
                c.commit(asynchronous=False)
            except KafkaException as e:
                # Not committed, so not reported: whoever owns the partition next reads it.
                emit({"ev": "commit_failed", "error": str(e)})
                continue
            emit({"ev": "records",
                  "recs": [[m.partition(), m.offset(), m.value().decode()] for m in msgs]})
    c.close()


def run_kafka_python(a):
    from kafka import ConsumerRebalanceListener, KafkaConsumer
    from kafka.errors import KafkaError

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit({"ev": "revoked"})

        def on_partitions_assigned(self, assigned):
            emit({"ev": "assigned", "partitions": sorted(p.partition for p in assigned)})

    c = KafkaConsumer(bootstrap_servers=a.bootstrap, group_id=a.group,
                      enable_auto_commit=False, auto_offset_reset="earliest",
                      session_timeout_ms=a.session_ms, heartbeat_interval_ms=500,
                      max_poll_records=200, metadata_max_age_ms=1000)
    c.subscribe([a.topic], listener=Listener())
    while not stop:
        batches = c.poll(timeout_ms=200)
        recs = [[m.partition, m.offset, m.value.decode()] for ms in batches.values() for m in ms]
        if recs:
            try:
                c.commit()
            except KafkaError as e:
                emit({"ev": "commit_failed", "error": repr(e)})
                continue
            emit({"ev": "records", "recs": recs})
    c.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("client", choices=["confluent", "kafka-python"])
    p.add_argument("bootstrap")
    p.add_argument("topic")
    p.add_argument("group")
    p.add_argument("--instance")
    p.add_argument("--session-ms", type=int, default=6000)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    if a.client == "confluent":
        run_confluent(a)
    else:
        run_kafka_python(a)
    emit({"ev": "closed"})


if __name__ == "__main__":
    main()
