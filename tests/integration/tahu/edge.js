// SPDX-License-Identifier: MIT
// A Sparkplug B edge node with two devices, on Eclipse Tahu's JavaScript
// client (npm sparkplug-client), for tests/integration/test_sparkplug.sh.
//
//   node edge.js URL GROUP NODE BDSEQ FIRST COUNT T0_MS DIR [GAP_AT] [PAUSE_AT]
//
// Publishes NBIRTH (node metric "Node/Power", alias 1, and bdSeq), DBIRTH of
// dev1 ("Belt/Rate" alias 10, "Belt/Total" alias 11) and dev2 ("Gen/Energy"
// alias 20), then COUNT DDATA messages i = FIRST .. FIRST+COUNT-1 by alias
// only, alternating dev1 and dev2, each value a function of i timestamped
// T0_MS + 100 * i. GAP_AT: before message GAP_AT one seq number is skipped.
// PAUSE_AT: before message PAUSE_AT it writes DIR/paused and waits for
// DIR/go. An NCMD "Node Control/Rebirth" is logged to DIR/ncmd and answered
// with new births. DIR/sent gets the last i sent; DIR/done when all are out.
// With LATE_DEATH=N in the environment it publishes, after its births, an
// NDEATH carrying bdSeq N, as a broker would deliver a late Will of an
// earlier session. With PRIMARY_HOST=ID it watches spBv1.0/STATE/ID as a
// Sparkplug 3.0 edge node does, and publishes its births again when the
// host comes back online after being offline (a restarted host trusts no
// birth from before its own session).
'use strict';
const fs = require('fs');
const path = require('path');
const mqtt = require('mqtt');
const payloadLib = require('sparkplug-payload').get('spBv1.0');

const [url, group, node, bdSeqS, firstS, countS, t0S, dir, gapS, pauseS] = process.argv.slice(2);
const bdSeq = Number(bdSeqS), first = Number(firstS), count = Number(countS), t0 = Number(t0S);
const gapAt = gapS ? Number(gapS) : -1, pauseAt = pauseS ? Number(pauseS) : -1;

// sparkplug-client 3.2.4 always starts at bdSeq 0 and puts bdSeq 0 in its
// Will (the NDEATH): the Will is replaced on its way to mqtt.connect, and
// the births take client.bdSeq.
const connect = mqtt.connect;
mqtt.connect = (u, opts) => {
	opts.will.payload = Buffer.from(payloadLib.encodePayload({
		timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }],
	}));
	return connect(u, opts);
};
const sparkplug = require('sparkplug-client');
const client = sparkplug.newClient({
	serverUrl: url, username: '', password: '', groupId: group, edgeNode: node,
	clientId: 'edge-' + node, version: 'spBv1.0', publishDeath: true, keepalive: 30,
});
client.bdSeq = bdSeq;

function births() {
	const ts = t0 + 100 * first;
	client.publishNodeBirth({ timestamp: ts, metrics: [
		{ name: 'Node/Power', alias: 1, type: 'Double', value: 1.5, timestamp: ts },
		{ name: 'Node Control/Rebirth', type: 'Boolean', value: false },
	] });
	client.publishDeviceBirth('dev1', { timestamp: ts, metrics: [
		{ name: 'Belt/Rate', alias: 10, type: 'Double', value: 0, timestamp: ts - 50 },
		{ name: 'Belt/Total', alias: 11, type: 'Double', value: 0, timestamp: ts - 50 },
	] });
	client.publishDeviceBirth('dev2', { timestamp: ts, metrics: [
		{ name: 'Gen/Energy', alias: 20, type: 'Int32', value: 0, timestamp: ts - 50 },
	] });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const drained = () => new Promise((r) => {
	// mqtt.js keeps what the socket did not take yet; wait until it did
	const s = client.client.stream;
	if (!s || !s.writableNeedDrain) return r();
	s.once('drain', r);
});

client.on('ncmd', (payload) => {
	for (const m of payload.metrics || []) {
		if (m.name === 'Node Control/Rebirth' && m.value === true) {
			fs.appendFileSync(path.join(dir, 'ncmd'), 'rebirth\n');
			births();
		}
	}
});

let started = false;
let hostOffline = false;
client.on('birth', async () => {
	if (started) return;
	started = true;
	births();
	if (process.env.PRIMARY_HOST) {
		// a client of its own: sparkplug-client decodes every message it
		// gets as protobuf, and a STATE is JSON
		const st = 'spBv1.0/STATE/' + process.env.PRIMARY_HOST;
		const watch = connect(url.replace(/^tcp:/, 'mqtt:'), { clientId: 'edge-' + node + '-state' });
		watch.on('message', (topic, payload) => {
			if (topic !== st) return;
			let s = {};
			try { s = JSON.parse(payload.toString()); } catch (e) { return; }
			if (s.online === false) {
				hostOffline = true;
			} else if (s.online === true && hostOffline) {
				hostOffline = false;
				fs.appendFileSync(path.join(dir, 'ncmd'), 'host online again\n');
				births();
			}
		});
		watch.subscribe(st, { qos: 1 });
	}
	if (process.env.LATE_DEATH) {
		client.client.publish('spBv1.0/' + group + '/NDEATH/' + node,
			Buffer.from(payloadLib.encodePayload({ timestamp: Date.now(),
				metrics: [{ name: 'bdSeq', type: 'UInt64', value: Number(process.env.LATE_DEATH) }] })));
	}
	for (let i = first; i < first + count; i++) {
		if (i === pauseAt) {
			await drained();
			fs.writeFileSync(path.join(dir, 'paused'), String(i));
			while (!fs.existsSync(path.join(dir, 'go'))) await sleep(50);
		}
		if (i === gapAt) client.incrementSeqNum(); // one seq number never sent
		const ts = t0 + 100 * i;
		if (i % 2 === 0) {
			client.publishDeviceData('dev1', { timestamp: ts, metrics: [
				{ alias: 10, type: 'Double', value: i * 0.25, timestamp: ts },
				{ alias: 11, type: 'Double', value: i * 10.5, timestamp: ts },
			] });
		} else {
			client.publishDeviceData('dev2', { timestamp: ts, metrics: [
				{ alias: 20, type: 'Int32', value: (i % 7 === 0 ? -i : i) * 3, timestamp: ts },
			] });
		}
		if (i % 200 === 0) await drained();
	}
	await drained();
	fs.writeFileSync(path.join(dir, 'sent'), String(first + count - 1));
	fs.writeFileSync(path.join(dir, 'done'), '');
	// stay connected until the test SIGKILLs or stops us
});
client.on('error', (e) => { console.error('edge: ' + e); process.exit(2); });
