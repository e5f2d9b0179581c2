// SPDX-License-Identifier: MIT
// A birth storm for tests/integration/test_sparkplug_storm.sh: ROUNDS times,
// an NBIRTH from each of NODES edge nodes PREFIX0.. of GROUP, each with
// METRICS metrics whose names are padded to about 100 bytes (so that a
// birth of 1 900 metrics is about 216 KB), published at QoS 0 as fast as
// the broker takes them. Prints the size of one birth; exits when all are
// out.
//
//   node storm.js URL GROUP PREFIX NODES METRICS ROUNDS [PAD [GAP_MS]]
// PAD: the padding of each name, in bytes (default 80); GAP_MS: a pause
// between rounds (default none), for a churn of births rather than a storm.
'use strict';
const mqtt = require('mqtt');
const Payload = require('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf.Payload;

const [url, group, prefix, nodes, nmetrics, rounds, padS, gapS] = process.argv.slice(2);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

function birth(bdseq) {
	const metrics = [{ name: 'bdSeq', datatype: 8, longValue: bdseq }];
	const pad = 'x'.repeat(padS === undefined ? 80 : +padS);
	for (let i = 0; i < +nmetrics; i++)
		metrics.push({ name: 'Storm/Metric/' + String(i).padStart(5, '0') + '/' + pad,
			       alias: 1000 + i, datatype: 10, doubleValue: i });
	return Buffer.from(Payload.encode(Payload.fromObject({ timestamp: Date.now(), seq: 0, metrics })).finish());
}

const client = mqtt.connect(url.replace(/^tcp:/, 'mqtt:'), { clean: true, clientId: 'storm-' + process.pid, reconnectPeriod: 0 });
const publish = (t, p) => new Promise((res, rej) => client.publish(t, p, { qos: 0 }, (e) => (e ? rej(e) : res())));

client.on('connect', async () => {
	try {
		for (let r = 0; r < +rounds; r++) {
			const p = birth(r + 1);
			if (r === 0)
				console.log('birth bytes ' + p.length);
			for (let n = 0; n < +nodes; n++)
				await publish('spBv1.0/' + group + '/NBIRTH/' + prefix + n, p);
			if (gapS !== undefined && +gapS > 0)
				await sleep(+gapS);
		}
		client.end(false, () => process.exit(0));
	} catch (e) {
		console.error(e);
		process.exit(1);
	}
});
client.on('error', (e) => {
	console.error(e);
	process.exit(1);
});
