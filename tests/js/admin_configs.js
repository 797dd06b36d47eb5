// kafkajs 2.2.4's config and record admin calls against a Samsa cluster, driven by
// tests/integration/test_admin_configs.py:
//   node admin_configs.js <bootstrap> <topic>
// alterConfigs (AlterConfigs v1) sets the topic's retention.ms, describeConfigs (v2, with
// synonyms) reads it back, deleteTopicRecords (DeleteRecords v1, sent to the leader) deletes
// the first 5 records, fetchTopicOffsets shows the new low watermark. One JSON object with what
// it saw on stdout's last line; the Python test makes the assertions.
'use strict';

const path = require('path');
const { Kafka, logLevel, ConfigResourceTypes } =
    require(path.join(__dirname, 'node_modules', 'kafkajs'));

async function main() {
    const [bootstrap, topic] = process.argv.slice(2);
    if (!bootstrap || !topic) {
        throw new Error('usage: admin_configs.js <bootstrap> <topic>');
    }
    const kafka = new Kafka({
        clientId: 'samsa-it-kafkajs-admin',
        brokers: bootstrap.split(','),
        logLevel: logLevel.WARN,
        retry: { retries: 3 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const out = {};
    try {
        out.altered = await admin.alterConfigs({
            validateOnly: false,
            resources: [{
                type: ConfigResourceTypes.TOPIC,
                name: topic,
                configEntries: [{ name: 'retention.ms', value: '86400000' }],
            }],
        });
        const described = await admin.describeConfigs({
            includeSynonyms: true,
            resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        });
        out.retention = described.resources[0].configEntries
            .find((e) => e.configName === 'retention.ms');
        await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '5' }] });
        out.offsets = await admin.fetchTopicOffsets(topic);
    } finally {
        await admin.disconnect();
    }
    console.log(JSON.stringify(out));
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
