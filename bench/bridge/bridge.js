// SPDX-License-Identifier: MIT
// make bench's peer: an MQTT -> PostgreSQL bridge written the way a user would
// write one with the npm packages mqtt (v5) and pg (v8), against enertrack's own
// schema (sql/001_ingest.sql), so that bench/run.sh can drain the same backlog
// through it and through enertrackd. It is not part of enertrack: no spool, no
// rejected_message, no corrections history, no reading_hourly rollup.
//
// Environment: MQTT_URL (mqtt://127.0.0.1:1883), MQTT_CLIENT_ID (energy-bridge),
// MQTT_TOPIC (energy/#), DATABASE_URL (else pg's PG* variables), BATCH_ROWS
// (1000), FLUSH_MS (200). Logs to stderr; SIGTERM/SIGINT flush and exit 0.
//
// Delivery: mqtt.js sends the PUBACK of a QoS 1 message as soon as its
// handleMessage callback returns, and it hands over the next packet only after
// that: holding the acknowledgement until the batch is committed would mean one
// message per batch. So messages are acknowledged on receipt, like every
// mqtt.js application does by default, and the rows waiting for their INSERT
// (at most MAX_PENDING, a few batches, plus the one in flight) are lost if the
// process dies. handleMessage is used only to push back: past MAX_PENDING rows
// it holds the callback until a batch has been written, so a backlog at the
// broker does not pile up in memory.
'use strict';

const mqtt = require('mqtt');
const pg = require('pg');

const MQTT_URL = process.env.MQTT_URL || 'mqtt://127.0.0.1:1883';
const CLIENT_ID = process.env.MQTT_CLIENT_ID || 'energy-bridge';
const TOPIC = process.env.MQTT_TOPIC || 'energy/#';
const BATCH_ROWS = Number(process.env.BATCH_ROWS) || 1000;
const FLUSH_MS = Number(process.env.FLUSH_MS) || 200;
const MAX_PENDING = BATCH_ROWS * 4;
const COLUMNS = ['site_id', 'metric', 'ts', 'value', 'unit_in', 'value_in', 'seq', 'source',
	'counter', 'received_at'];

// value is stored in the metric's canonical unit (the schema's comment on
// reading); other metrics are stored as sent.
const CANONICAL = {
	raw_coal: 'mass', capacity_commissioned: 'power', retrofit_capacity: 'power',
	generation: 'energy', energy_consumption: 'coal_eq', gdp: 'money',
	advanced_capacity_share: 'share',
};
const UNITS = {
	t: ['mass', 1], kt: ['mass', 1e3], Mt: ['mass', 1e6], '万吨': ['mass', 1e4], '亿吨': ['mass', 1e8],
	kW: ['power', 1e-3], MW: ['power', 1], GW: ['power', 1e3], '万千瓦': ['power', 10],
	kWh: ['energy', 1e-3], MWh: ['energy', 1], GWh: ['energy', 1e3], '万千瓦时': ['energy', 10],
	'亿千瓦时': ['energy', 1e5],
	tce: ['coal_eq', 1], '万吨标准煤': ['coal_eq', 1e4],
	CNY: ['money', 1], '元': ['money', 1], '万元': ['money', 1e4], '亿元': ['money', 1e8],
	'%': ['share', 1],
};

const KINDS = new Set(['mine', 'plant', 'enterprise', 'region']);
const SITE_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

const pool = new pg.Pool({
	connectionString: process.env.DATABASE_URL,
	max: 1, // one INSERT in flight, like the daemon's writer
	application_name: 'energy-bridge',
});
pool.on('error', (err) => console.error('bridge: postgres:', err.message));

let rows = []; // waiting for their INSERT
let timer = null;
let flushing = false;
let held = null; // a handleMessage callback held back while MAX_PENDING rows wait
const knownSites = new Set();
const stats = { received: 0, inserted: 0, skipped: 0, batches: 0 };

// topic energy/<kind>/<site>/<metric>, payload one v1 reading or an array
function toRows(topic, payload, now) {
	const parts = topic.split('/');
	if (parts.length !== 4 || !KINDS.has(parts[1]) || !SITE_RE.test(parts[2]))
		throw new Error('unexpected topic');
	const body = JSON.parse(payload);
	const list = Array.isArray(body) ? body : [body];
	return list.map((r) => {
		if (typeof r !== 'object' || r === null || typeof r.ts !== 'string' ||
		    typeof r.value !== 'number' || !Number.isFinite(r.value) || typeof r.unit !== 'string')
			throw new Error('needs ts, value and unit');
		const metric = r.metric || parts[3];
		let value = r.value;
		const dim = CANONICAL[metric];
		if (dim) {
			const u = UNITS[r.unit];
			if (!u || u[0] !== dim)
				throw new Error(`unit ${r.unit} does not fit ${metric}`);
			value *= u[1];
		}
		return {
			site: r.site || parts[2], kind: r.kind || parts[1], county: r.county || null,
			values: [r.site || parts[2], metric, r.ts, value, r.unit, r.value,
				Number.isInteger(r.seq) ? r.seq : null, r.source || '', r.counter === true, now],
		};
	});
}

function insertSql(n) {
	const tuples = [];
	for (let i = 0; i < n; i++) {
		const p = [];
		for (let j = 1; j <= COLUMNS.length; j++)
			p.push('$' + (i * COLUMNS.length + j));
		tuples.push('(' + p.join(',') + ')');
	}
	// DO NOTHING: a redelivered message (QoS 1 is at least once) changes nothing.
	// DO UPDATE would fail on a key repeated inside one batch.
	return `INSERT INTO reading (${COLUMNS.join(',')}) VALUES ${tuples.join(',')}
		ON CONFLICT (site_id, metric, source, ts) DO NOTHING`;
}

async function write(batch) {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		// Sites register themselves on their first reading, as with enertrackd.
		const fresh = new Map();
		for (const r of batch)
			if (!knownSites.has(r.site) && !fresh.has(r.site))
				fresh.set(r.site, r);
		for (const r of fresh.values())
			await client.query(`INSERT INTO site (site_id, kind, county) VALUES ($1, $2, $3)
				ON CONFLICT (site_id) DO NOTHING`, [r.site, r.kind, r.county]);
		const res = await client.query(insertSql(batch.length), batch.flatMap((r) => r.values));
		await client.query('COMMIT');
		for (const s of fresh.keys())
			knownSites.add(s);
		return res.rowCount;
	} catch (err) {
		await client.query('ROLLBACK').catch(() => {});
		throw err;
	} finally {
		client.release();
	}
}

async function flush() {
	if (timer) {
		clearTimeout(timer);
		timer = null;
	}
	if (flushing || rows.length === 0)
		return;
	flushing = true;
	const batch = rows.splice(0, BATCH_ROWS);
	try {
		stats.inserted += await write(batch);
		stats.batches++;
	} catch (err) {
		if (err.code && /^2[23]/.test(err.code)) {
			// bad data (SQLSTATE classes 22, 23): row by row, the bad ones are dropped
			for (const r of batch) {
				try {
					stats.inserted += await write([r]);
				} catch (e) {
					stats.skipped++;
					console.error(`bridge: dropped ${r.values[0]}/${r.values[1]}@${r.values[2]}: ${e.message}`);
				}
			}
		} else {
			// the database is away: keep the rows and try again in a second
			console.error('bridge: insert failed, retrying in 1 s:', err.message);
			rows = batch.concat(rows);
			flushing = false;
			timer = setTimeout(flush, 1000);
			return;
		}
	}
	flushing = false;
	if (held && rows.length < MAX_PENDING) {
		const cb = held;
		held = null;
		cb();
	}
	if (rows.length >= BATCH_ROWS)
		setImmediate(flush);
	else if (rows.length > 0)
		timer = setTimeout(flush, FLUSH_MS);
}

const client = mqtt.connect(MQTT_URL, {
	clientId: CLIENT_ID,
	clean: false, // a persistent session: the broker queues while we are away
	protocolVersion: 4,
	reconnectPeriod: 1000,
});

// Called for every message, one at a time; the PUBACK goes out after cb().
client.handleMessage = (packet, cb) => {
	stats.received++;
	try {
		for (const r of toRows(packet.topic, packet.payload.toString(), new Date()))
			rows.push(r);
	} catch (err) {
		stats.skipped++;
		console.error(`bridge: skipped a message on ${packet.topic}: ${err.message}`);
	}
	if (rows.length >= BATCH_ROWS)
		flush();
	else if (!timer && !flushing && rows.length > 0)
		timer = setTimeout(flush, FLUSH_MS);
	if (rows.length >= MAX_PENDING)
		held = cb;
	else
		cb();
};

client.on('connect', (connack) => {
	console.error(`bridge: connected to ${MQTT_URL} as ${CLIENT_ID} (session present: ${connack.sessionPresent})`);
	client.subscribe(TOPIC, { qos: 1 }, (err) => {
		if (err)
			console.error('bridge: subscribe failed:', err.message);
		else
			console.error(`bridge: subscribed to ${TOPIC}`);
	});
});
client.on('error', (err) => console.error('bridge: mqtt:', err.message));

let stopping = false;
async function stop() {
	if (stopping)
		return;
	stopping = true;
	await client.endAsync();
	while (flushing || rows.length > 0) {
		await flush();
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	await pool.end();
	const cpu = process.cpuUsage();
	console.error(`bridge: received ${stats.received}, inserted ${stats.inserted}, skipped ${stats.skipped}` +
		` in ${stats.batches} batches; cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
	process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
