// SPDX-License-Identifier: MIT
// A recording MQTT broker (aedes, in process) for
// tests/integration/test_sparkplug_tck.sh: every CONNECT (clean session,
// Will with its flags), SUBSCRIBE and PUBLISH (QoS, retain, payload) is
// written as one JSON line to LOG, in order, as the official Sparkplug TCK's
// HiveMQ extension sees them.
//
//   node broker.js PORT LOG
'use strict';
const fs = require('fs');
const net = require('net');
const aedes = require('aedes')();

const [portS, logFile] = process.argv.slice(2);
let n = 0;
function rec(o) {
	o.n = n++;
	o.t = Date.now();
	fs.appendFileSync(logFile, JSON.stringify(o) + '\n');
}

aedes.preConnect = (client, packet, cb) => {
	rec({
		ev: 'connect', clientId: packet.clientId, clean: packet.clean,
		protocolVersion: packet.protocolVersion,
		sessionExpiry: packet.properties ? packet.properties.sessionExpiryInterval : undefined,
		will: packet.will ? {
			topic: packet.will.topic, qos: packet.will.qos, retain: packet.will.retain,
			payload: Buffer.from(packet.will.payload).toString('base64'),
		} : null,
	});
	cb(null, true);
};
aedes.authorizeSubscribe = (client, sub, cb) => {
	rec({ ev: 'subscribe', clientId: client.id, topic: sub.topic, qos: sub.qos });
	cb(null, sub);
};
aedes.authorizePublish = (client, packet, cb) => {
	rec({
		ev: 'publish', clientId: client.id, topic: packet.topic, qos: packet.qos,
		retain: packet.retain, payload: Buffer.from(packet.payload).toString('base64'),
	});
	cb(null);
};
aedes.on('clientDisconnect', (client) => rec({ ev: 'disconnect', clientId: client.id }));

net.createServer(aedes.handle).listen(Number(portS), '127.0.0.1', () => rec({ ev: 'listening' }));
