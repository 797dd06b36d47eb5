// kafkajs over TLS, driven by tests/integration/test_tls.py:
//   node tls_produce.js <bootstrap> <topic> <ca.pem> [<client.pem>]
// Connects with ssl (the CA as its only trust anchor, the client's key and certificate when
// given), creates the topic, produces 30 records with acks -1 and prints one JSON object on
// stdout's last line: what createTopics and send returned. The Python test asserts on it and
// reads the records back.
'use strict';

const fs = require('fs');
const path = require('path');
const { Kafka, logLevel } = require(path.join(__dirname, 'node_modules', 'kafkajs'));

async function main() {
    const [bootstrap, topic, caPath, clientPem] = process.argv.slice(2);
    if (!bootstrap || !topic || !caPath) {
        throw new Error('usage: tls_produce.js <bootstrap> <topic> <ca.pem> [<client.pem>]');
    }
    const ssl = { ca: [fs.readFileSync(caPath, 'utf8')], rejectUnauthorized: true };
    if (clientPem) {
        const pem = fs.readFileSync(clientPem, 'utf8');
        ssl.key = pem;
        ssl.cert = pem;
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs-tls',
        brokers: [bootstrap],
        ssl,
        logLevel: logLevel.WARN,
        retry: { retries: 3 },
    });
    const out = {};
    const admin = kafka.admin();
    await admin.connect();
    try {
        out.created = await admin.createTopics({
            topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
            waitForLeaders: true,
            timeout: 20000,
        });
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        try {
            const messages = [];
            for (let n = 0; n < 30; n++) {
                messages.push({ key: `key-${n}`, value: `value-${n}` });
            }
            out.send = await producer.send({ topic, acks: -1, messages });
        } finally {
            await producer.disconnect();
        }
    } finally {
        await admin.disconnect();
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
    process.stderr.write(`kafkajs failed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
