// kafkajs 2.2.4's idempotent producer against a Samsa broker, driven by
// tests/integration/test_idempotence.py:
//   node idempotent_produce.js <bootstrap> <topic> <count>
// Sends <count> records to partition 0 in batches of 10 with idempotent: true (InitProducerId,
// then sequence numbers on every batch) and prints the base offsets it was given as JSON on
// stdout's last line. Any kafkajs error exits non-zero.
'use strict';

const path = require('path');
const { Kafka, logLevel } = require(path.join(__dirname, 'node_modules', 'kafkajs'));

async function main() {
    const [bootstrap, topic, countText] = process.argv.slice(2);
    const count = Number(countText);
    if (!bootstrap || !topic || !(count > 0)) {
        throw new Error('usage: idempotent_produce.js <bootstrap> <topic> <count>');
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs-idempotent',
        brokers: [bootstrap],
        logLevel: logLevel.WARN,
        retry: { retries: 5 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const offsets = [];
    try {
        for (let first = 0; first < count; first += 10) {
            const messages = [];
            for (let n = first; n < Math.min(count, first + 10); n++) {
                messages.push({ key: `k${n}`, value: `kafkajs-${n}`, partition: 0 });
            }
            const [result] = await producer.send({ topic, acks: -1, messages });
            offsets.push(Number(result.baseOffset));
        }
    } finally {
        await producer.disconnect();
    }
    console.log(JSON.stringify({ offsets }));
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
