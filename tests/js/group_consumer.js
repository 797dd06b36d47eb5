// kafkajs 2.2.4 as one member of a consumer group, driven by tests/integration/test_groups.py:
//   node group_consumer.js <bootstrap> <topic> <group>
// Same protocol as tests/integration/group_worker.py: JSON lines on stdout ("assigned" after
// each rebalance, "revoked" when one starts, "records" once a batch is consumed AND committed,
// "closed"); SIGTERM disconnects (leaving the group) and exits 0.
'use strict';

const path = require('path');
const { Kafka, logLevel } = require(path.join(__dirname, 'node_modules', 'kafkajs'));

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main() {
    const [bootstrap, topic, groupId] = process.argv.slice(2);
    if (!bootstrap || !topic || !groupId) {
        throw new Error('usage: group_consumer.js <bootstrap> <topic> <group>');
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs-group',
        brokers: [bootstrap],
        logLevel: logLevel.WARN,
    });
    const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 6000,
        rebalanceTimeout: 10000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 300,
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const assigned = (e.payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b);
        emit({ ev: 'assigned', partitions: assigned });
    });
    consumer.on(consumer.events.REBALANCING, () => emit({ ev: 'revoked' }));

    let stopping = false;
    process.on('SIGTERM', async () => {
        if (stopping) return;
        stopping = true;
        await consumer.disconnect();
        emit({ ev: 'closed' });
        process.exit(0);
    });

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
            if (batch.messages.length === 0) return;
            const last = batch.messages[batch.messages.length - 1].offset;
            // Committed first, reported after: a batch whose commit fails (a rebalance took
            // the partition away) is never reported, and its new owner reads it instead.
            await consumer.commitOffsets([{
                topic: batch.topic,
                partition: batch.partition,
                offset: (BigInt(last) + 1n).toString(),
            }]);
            emit({
                ev: 'records',
                recs: batch.messages.map((m) => [batch.partition, Number(m.offset),
                                                 m.value.toString()]),
            });
        },
    });
}

main().catch((e) => {
    process.stderr.write(`group_consumer.js: ${e.stack || e}\n`);
    process.exit(1);
});
