// SPDX-License-Identifier: MIT
// A scripted Sparkplug B edge node that says exactly what a test tells it,
// lies included, for tests/integration/test_sparkplug_rules.sh. Payloads
// are built with Tahu's own protobuf schema (sparkplug-payload's
// sparkplugPayloadProto), field by field, so that a test can leave out a
// datatype or repeat an alias.
//
//   node probe.js URL STEPS.json
//
// STEPS is a JSON array, run in order:
//   {"t": TOPIC, "p": {timestamp, seq, metrics: [{name, alias, datatype,
//        intValue | longValue | floatValue | doubleValue | booleanValue,
//        timestamp}]}, "qos": 0, "retain": false}   publish a payload
//   {"text": STRING, "t": TOPIC, "retain": bool}    publish text (STATE)
//   {"sub": FILTER, "file": PATH}  append "topic payload" lines of what
//        arrives (Sparkplug payloads as JSON, others as text) to PATH
//   {"sleep": MS}
//   {"wait": PATH}                 wait until PATH exists
//   {"will": {t, p}}               only first: the connection's Will
// It writes PATH.done (argv[3] + ".done") when every step ran.
'use strict';
const fs = require('fs');
const mqtt = require('mqtt');
const Payload = require('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf.Payload;

const [url, stepsFile] = process.argv.slice(2);
const steps = JSON.parse(fs.readFileSync(stepsFile, 'utf8'));

function encode(p) {
	return Buffer.from(Payload.encode(Payload.fromObject(p)).finish());
}

const opts = { clean: true, clientId: 'probe-' + process.pid, reconnectPeriod: 0 };
if (steps.length && steps[0].will) {
	opts.will = { topic: steps[0].will.t, payload: encode(steps[0].will.p), qos: 1, retain: false };
	steps.shift();
}
const client = mqtt.connect(url.replace(/^tcp:/, 'mqtt:'), opts);
const watches = [];

client.on('message', (topic, payload) => {
	let text;
	if (topic.startsWith('spBv1.0/') && !topic.startsWith('spBv1.0/STATE/')) {
		try {
			text = JSON.stringify(Payload.toObject(Payload.decode(payload), { longs: Number }));
		} catch (e) {
			text = payload.toString('hex');
		}
	} else {
		text = payload.toString();
	}
	for (const w of watches)
		if (mqttMatch(w.filter, topic))
			fs.appendFileSync(w.file, topic + ' ' + text + '\n');
});

function mqttMatch(filter, topic) {
	const f = filter.split('/'), t = topic.split('/');
	for (let i = 0; i < f.length; i++) {
		if (f[i] === '#')
			return true;
		if (i >= t.length || (f[i] !== '+' && f[i] !== t[i]))
			return false;
	}
	return f.length === t.length;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const publish = (t, payload, o) =>
	new Promise((resolve, reject) => client.publish(t, payload, o, (e) => (e ? reject(e) : resolve())));

async function run() {
	for (const s of steps) {
		if (s.sleep !== undefined) {
			await sleep(s.sleep);
		} else if (s.wait) {
			while (!fs.existsSync(s.wait))
				await sleep(20);
		} else if (s.sub) {
			watches.push({ filter: s.sub, file: s.file });
			await new Promise((r) => client.subscribe(s.sub, { qos: 1 }, r));
		} else if (s.text !== undefined) {
			await publish(s.t, s.text, { qos: 1, retain: !!s.retain });
		} else {
			await publish(s.t, encode(s.p), { qos: s.qos || 0, retain: !!s.retain });
		}
	}
	fs.writeFileSync(stepsFile + '.done', '');
}

client.on('connect', () => {
	run().then(
		() => setTimeout(() => process.exit(0), 200),
		(e) => {
			console.error(e);
			process.exit(1);
		}
	);
});
client.on('error', (e) => {
	console.error(e);
	process.exit(1);
});
