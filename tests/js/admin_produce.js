// kafkajs 2.2.4 against a Samsa broker, driven by tests/integration/test_kafkajs.py:
//   node admin_produce.js <bootstrap> <topic>
// Creates the topic (waitForLeaders), lists topics, fetches offsets, produces with acks -1,
// keys and headers, and prints one JSON object with everything it saw on stdout's last line.
// The Python test makes the assertions; any kafkajs error exits non-zero with the error.
'use strict';

const path = require('path');
const { Kafka, logLevel } = require(path.join(__dirname, 'node_modules', 'kafkajs'));

async function main() {
    const [bootstrap, topic] = process.argv.slice(2);
    if (!bootstrap || !topic) {
        throw new Error('usage: admin_produce.js <bootstrap> <topic>');
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs',
        brokers: [bootstrap],
        logLevel: logLevel.WARN,
        retry: { retries: 3 },
    });
    const out = {};
    const admin = kafka.admin();
    await admin.connect();
    try {
        out.created = await admin.createTopics({
            topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
            waitForLeaders: true,
            timeout: 20000,
        });
        out.createdAgain = await admin.createTopics({
            topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
            waitForLeaders: true,
            timeout: 20000,
        });
        out.topics = await admin.listTopics();
        out.metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        out.offsetsBefore = await admin.fetchTopicOffsets(topic);

        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        try {
            out.sends = [];
            for (let round = 0; round < 2; round++) {
                const messages = [];
                for (let i = 0; i < 30; i++) {
                    const n = round * 30 + i;
                    messages.push({
                        key: `key-${n}`,
                        value: `value-${n}`,
                        partition: n % 3,
                        headers: { source: 'kafkajs', n: String(n) },
                    });
                }
                out.sends.push(await producer.send({ topic, acks: -1, messages }));
            }
        } finally {
            await producer.disconnect();
        }
        out.offsetsAfter = await admin.fetchTopicOffsets(topic);
    } finally {
        await admin.disconnect();
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
    process.stderr.write(`kafkajs failed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
