// kafkajs 2.2.4 over SASL, driven by tests/integration/test_sasl.py:
//   node sasl_produce.js <bootstrap> <topic> <mechanism> <username> <password> [<ca.pem>]
// (with a CA, over TLS: SASL_SSL, by test_secure_cluster.py)
// Connects with SASL (plain, scram-sha-256 or scram-sha-512: SaslHandshake v1 +
// SaslAuthenticate), produces 30 records to partition 0 with acks -1, reads the offsets back and
// prints one JSON object on stdout's last line. The Python test makes the assertions.
'use strict';

const fs = require('fs');
const path = require('path');
const { Kafka, logLevel } = require(path.join(__dirname, 'node_modules', 'kafkajs'));

async function main() {
    const [bootstrap, topic, mechanism, username, password, caPath] = process.argv.slice(2);
    if (!password) {
        throw new Error('usage: sasl_produce.js <bootstrap> <topic> <mechanism> <user> <password>');
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs-sasl',
        brokers: [bootstrap],
        logLevel: logLevel.WARN,
        retry: { retries: 3 },
        sasl: { mechanism, username, password },
        ssl: caPath ? { ca: [fs.readFileSync(caPath, 'utf8')], rejectUnauthorized: true } : false,
    });
    const out = {};
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
        const messages = [];
        for (let i = 0; i < 30; i++) {
            messages.push({ value: `kafkajs-${i}`, partition: 0 });
        }
        out.sent = await producer.send({ topic, acks: -1, messages });
    } finally {
        await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
        const offsets = await admin.fetchTopicOffsets(topic);
        out.high = offsets.find((o) => o.partition === 0).high;
    } finally {
        await admin.disconnect();
    }
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
    process.stderr.write(`kafkajs failed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
