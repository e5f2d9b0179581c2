// SPDX-License-Identifier: MIT
// The Sparkplug TCK's host checks (SessionEstablishmentTest,
// SessionTerminationTest, SendCommandTest) on the log that broker.js wrote,
// one line per tck-id: PASS or FAIL with the reason. Exit status 1 if any
// failed.
//
//   node check.js LOG HOST_CLIENT_ID HOST_ID GROUP CMD_CLIENT_ID
'use strict';
const fs = require('fs');
const Payload = require('sparkplug-payload/lib/sparkplugPayloadProto').org.eclipse.tahu.protobuf.Payload;

const [logFile, hostClient, hostId, group, cmdClient] = process.argv.slice(2);
const ev = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const stateTopic = 'spBv1.0/STATE/' + hostId;
let failed = 0;
function check(id, ok, why) {
	console.log((ok ? 'PASS ' : 'FAIL ') + 'tck-id-' + id + (ok ? '' : ': ' + why));
	if (!ok)
		failed++;
}
const json = (b64) => {
	try {
		return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
	} catch (e) {
		return null;
	}
};

// ---- SessionEstablishmentTest: the host's first session
const conn = ev.find((e) => e.ev === 'connect' && e.clientId === hostClient);
check('message-flow-phid-sparkplug-clean-session-311', conn && conn.clean === true,
	'CONNECT ' + JSON.stringify(conn));
const will = conn && conn.will;
const wp = will && json(will.payload);
for (const id of ['operational-behavior-host-application-connect-will', 'payloads-state-will-message',
	'host-topic-phid-death-required'])
	check(id, !!will, 'no Will');
for (const id of ['operational-behavior-host-application-connect-will-topic', 'host-topic-phid-death-topic',
	'operational-behavior-host-application-death-topic'])
	check(id, will && will.topic === stateTopic, 'Will topic ' + (will && will.topic));
for (const id of ['operational-behavior-host-application-connect-will-qos', 'payloads-state-will-message-qos',
	'host-topic-phid-death-qos', 'operational-behavior-host-application-death-qos'])
	check(id, will && will.qos === 1, 'Will QoS ' + (will && will.qos));
for (const id of ['operational-behavior-host-application-connect-will-retained', 'payloads-state-will-message-retain',
	'host-topic-phid-death-retain', 'operational-behavior-host-application-death-retained'])
	check(id, will && will.retain === true, 'Will retain ' + (will && will.retain));
for (const id of ['payloads-state-will-message-payload', 'host-topic-phid-death-payload',
	'operational-behavior-host-application-death-payload'])
	check(id, wp && wp.online === false && typeof wp.timestamp === 'number' && Object.keys(wp).length === 2,
		'Will payload ' + JSON.stringify(wp));

const mine = ev.filter((e) => e.clientId === hostClient && e.n > (conn ? conn.n : -1));
const firstPub = mine.find((e) => e.ev === 'publish');
const subs = mine.filter((e) => e.ev === 'subscribe' && (!firstPub || e.n < firstPub.n)).map((e) => e.topic);
for (const id of ['host-topic-phid-birth-sub-required', 'payloads-state-subscribe'])
	check(id, subs.includes(stateTopic), 'subscribed before its birth: ' + subs.join(' '));
check('message-flow-phid-sparkplug-subscription',
	subs.includes(stateTopic) && subs.some((t) => t === 'spBv1.0/#' || t === 'spBv1.0/' + group + '/#'),
	'subscribed before its birth: ' + subs.join(' '));
const bp = firstPub && json(firstPub.payload);
for (const id of ['host-topic-phid-birth-message', 'principles-birth-certificates-order',
	'operational-behavior-host-application-connect-birth', 'host-topic-phid-birth-required',
	'payloads-state-birth', 'message-flow-phid-sparkplug-state-publish', 'conformance-primary-host',
	'intro-sparkplug-host-state', 'components-ph-state'])
	check(id, firstPub && firstPub.topic === stateTopic && bp && bp.online === true,
		'first publish ' + JSON.stringify(firstPub));
for (const id of ['host-topic-phid-birth-topic', 'operational-behavior-host-application-connect-birth-topic'])
	check(id, firstPub && firstPub.topic === stateTopic, 'topic ' + (firstPub && firstPub.topic));
for (const id of ['host-topic-phid-birth-qos', 'operational-behavior-host-application-connect-birth-qos'])
	check(id, firstPub && firstPub.qos === 1, 'QoS ' + (firstPub && firstPub.qos));
for (const id of ['host-topic-phid-birth-retain', 'operational-behavior-host-application-connect-birth-retained'])
	check(id, firstPub && firstPub.retain === true, 'retain ' + (firstPub && firstPub.retain));
for (const id of ['host-topic-phid-birth-payload', 'operational-behavior-host-application-connect-birth-payload',
	'payloads-state-birth-payload', 'message-flow-phid-sparkplug-state-publish-payload'])
	check(id, bp && bp.online === true && typeof bp.timestamp === 'number' && Object.keys(bp).length === 2,
		'birth payload ' + JSON.stringify(bp));
for (const id of ['host-topic-phid-birth-payload-timestamp', 'message-flow-phid-sparkplug-state-publish-payload-timestamp'])
	check(id, bp && wp && bp.timestamp === wp.timestamp, 'birth ' + (bp && bp.timestamp) + ', Will ' + (wp && wp.timestamp));

// ---- SessionEstablishmentTest: an online:false for itself is answered
const fake = ev.find((e) => e.ev === 'publish' && e.clientId !== hostClient && e.topic === stateTopic);
const answer = fake && ev.find((e) => e.n > fake.n && e.ev === 'publish' && e.clientId === hostClient &&
	e.topic === stateTopic && (json(e.payload) || {}).online === true);
check('message-flow-hid-sparkplug-state-message-delivered', !!answer, 'no online:true after ' + JSON.stringify(fake));

// ---- SessionTerminationTest: offline before the DISCONNECT
const disc = [...ev].reverse().find((e) => e.ev === 'disconnect' && e.clientId === hostClient);
const last = [...ev].reverse().find((e) => e.ev === 'publish' && e.clientId === hostClient && (!disc || e.n < disc.n));
const lp = last && json(last.payload);
for (const id of ['operational-behavior-host-application-termination',
	'host-topic-phid-death-payload-timestamp-disconnect-clean',
	'operational-behavior-host-application-disconnect-intentional'])
	check(id, disc && last && last.topic === stateTopic && lp && lp.online === false && last.retain && last.qos === 1 &&
		lp.timestamp >= bp.timestamp, 'last publish before the DISCONNECT ' + JSON.stringify(lp));

// ---- SendCommandTest: the rebirth request
const ncmd = ev.find((e) => e.ev === 'publish' && e.topic.startsWith('spBv1.0/' + group + '/NCMD/') &&
	(e.clientId === cmdClient || e.clientId === hostClient));
let p = null;
try {
	p = ncmd && Payload.toObject(Payload.decode(Buffer.from(ncmd.payload, 'base64')), { longs: Number });
} catch (e) {
	p = null;
}
const m = p && p.metrics && p.metrics[0];
for (const id of ['topics-ncmd-topic', 'operational-behavior-data-commands-ncmd-verb'])
	check(id, ncmd && /^spBv1\.0\/[^/]+\/NCMD\/[^/]+$/.test(ncmd.topic), 'NCMD ' + JSON.stringify(ncmd));
for (const id of ['topics-ncmd-mqtt', 'payloads-ncmd-qos', 'payloads-ncmd-retain'])
	check(id, ncmd && ncmd.qos === 0 && ncmd.retain === false, 'QoS/retain ' + (ncmd && [ncmd.qos, ncmd.retain]));
for (const id of ['topics-ncmd-timestamp', 'payloads-ncmd-timestamp'])
	check(id, p && p.timestamp > 0, 'payload ' + JSON.stringify(p));
check('payloads-ncmd-seq', p && p.seq === undefined, 'seq ' + (p && p.seq));
for (const id of ['topics-ncmd-payload', 'payloads-name-cmd-requirement', 'operational-behavior-data-commands-ncmd-metric-name',
	'operational-behavior-data-commands-ncmd-rebirth-name', 'operational-behavior-data-commands-ncmd-rebirth-verb'])
	check(id, m && m.name === 'Node Control/Rebirth', 'metric ' + JSON.stringify(m));
for (const id of ['operational-behavior-data-commands-ncmd-metric-value', 'operational-behavior-data-commands-ncmd-rebirth-value'])
	check(id, m && m.booleanValue === true && m.datatype === 11, 'metric ' + JSON.stringify(m));

console.log(failed ? failed + ' failed' : 'all passed');
process.exit(failed ? 1 : 0);
