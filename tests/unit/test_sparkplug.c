/* SPDX-License-Identifier: MIT */
/* lib/sparkplug.c on payloads built here byte by byte (protobuf wire format:
 * varint keys, length-delimited fields), so that the decoder is checked
 * against the wire format and not against the encoder of the same code. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "enertrack/sparkplug.h"
#include "sparkplug_b.pb-c.h"

/* ---- a hand-made protobuf writer */
typedef struct pb {
	uint8_t b[4096];
	size_t n;
} pb_t;

static void varint(pb_t *p, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		p->b[p->n++] = (uint8_t)(c | (v ? 0x80 : 0));
	} while (v);
}

static void key(pb_t *p, unsigned field, unsigned wire)
{
	varint(p, (uint64_t)field << 3 | wire);
}

static void f_varint(pb_t *p, unsigned field, uint64_t v)
{
	key(p, field, 0);
	varint(p, v);
}

static void f_bytes(pb_t *p, unsigned field, const void *d, size_t len)
{
	key(p, field, 2);
	varint(p, len);
	memcpy(p->b + p->n, d, len);
	p->n += len;
}

static void f_double(pb_t *p, unsigned field, double v)
{
	key(p, field, 1);
	memcpy(p->b + p->n, &v, 8);
	p->n += 8;
}

enum { M_NAME = 1, M_ALIAS, M_TS, M_DATATYPE, M_HIST, M_TRANSIENT, M_NULL };
enum { V_INT = 10, V_LONG, V_FLOAT, V_DOUBLE, V_BOOL, V_STRING };

/* A metric: name (or NULL), alias (or -1), datatype, and one value field. */
typedef struct metric {
	const char *name;
	int64_t alias;
	unsigned datatype;
	unsigned vfield; /* 0: no value */
	uint64_t ival;
	double dval;
	const char *sval;
	int64_t ts_ms; /* 0: none */
	bool historical, is_null;
} metric_t;

static void add_metric(pb_t *p, const metric_t *m)
{
	pb_t sub = {.n = 0};
	if (m->name)
		f_bytes(&sub, M_NAME, m->name, strlen(m->name));
	if (m->alias >= 0)
		f_varint(&sub, M_ALIAS, (uint64_t)m->alias);
	if (m->ts_ms)
		f_varint(&sub, M_TS, (uint64_t)m->ts_ms);
	if (m->datatype)
		f_varint(&sub, M_DATATYPE, m->datatype);
	if (m->historical)
		f_varint(&sub, M_HIST, 1);
	if (m->is_null)
		f_varint(&sub, M_NULL, 1);
	if (m->vfield == V_DOUBLE)
		f_double(&sub, V_DOUBLE, m->dval);
	else if (m->vfield == V_STRING)
		f_bytes(&sub, V_STRING, m->sval, strlen(m->sval));
	else if (m->vfield)
		f_varint(&sub, m->vfield, m->ival);
	f_bytes(p, 2, sub.b, sub.n);
}

/* A payload: timestamp, seq (-1: none) and metrics. */
static void payload(pb_t *p, int64_t ts_ms, int seq, const metric_t *ms, int n)
{
	p->n = 0;
	if (ts_ms)
		f_varint(p, 1, (uint64_t)ts_ms);
	for (int i = 0; i < n; i++)
		add_metric(p, &ms[i]);
	if (seq >= 0)
		f_varint(p, 3, (uint64_t)seq);
}

/* ---- a sink that records */
typedef struct rec {
	int values, deaths, births, rebirths, rejects;
	int64_t last_death_ts;
	char last_name[300], last_reason[64], last_device[80];
	double last_value;
	int64_t last_ts;
	bool last_hist;
	double sum;
} rec_t;

static int on_value(void *ctx, const et_sp_value_t *v)
{
	rec_t *r = ctx;
	r->values++;
	snprintf(r->last_name, sizeof(r->last_name), "%s", v->name);
	snprintf(r->last_device, sizeof(r->last_device), "%s", v->topic->device);
	r->last_value = v->value;
	r->last_ts = v->ts_us;
	r->last_hist = v->historical;
	r->sum += v->value;
	return 0;
}

static void on_death(void *ctx, const et_sp_topic_t *t, int64_t ts, int64_t recv_us)
{
	(void)t;
	(void)recv_us;
	((rec_t *)ctx)->deaths++;
	((rec_t *)ctx)->last_death_ts = ts;
}

static void on_birth(void *ctx, const et_sp_topic_t *t, int64_t ts)
{
	(void)t;
	(void)ts;
	((rec_t *)ctx)->births++;
}

static int on_rebirth(void *ctx, const et_sp_topic_t *t, const char *why)
{
	(void)t;
	(void)why;
	((rec_t *)ctx)->rebirths++;
	return 0;
}

static void on_reject(void *ctx, int element, const char *reason, const char *detail)
{
	rec_t *r = ctx;
	(void)element;
	(void)detail;
	r->rejects++;
	snprintf(r->last_reason, sizeof(r->last_reason), "%s", reason);
}

static const et_sp_limits_t LIM = {.max_payload_bytes = 65536};
#define NOW 1700000000000000LL /* µs */

static int feed(et_sp_host_t *h, rec_t *r, const char *topic, const pb_t *p, int64_t now)
{
	et_sp_sink_t s = {.ctx = r,
			  .on_value = on_value,
			  .on_death = on_death,
			  .on_birth = on_birth,
			  .on_rebirth = on_rebirth,
			  .on_reject = on_reject};
	return et_sp_host_message(h, topic, strlen(topic), p->b, p->n, NOW, now, &LIM, false, &s);
}

#define NB "spBv1.0/G/NBIRTH/e1"
#define DB "spBv1.0/G/DBIRTH/e1/d1"
#define DD "spBv1.0/G/DDATA/e1/d1"
#define ND "spBv1.0/G/NDATA/e1"
#define NX "spBv1.0/G/NDEATH/e1"

/* NBIRTH (bdSeq bd, seq 0) and DBIRTH of d1 (seq 1) with aliases 10..13. */
static void born(et_sp_host_t *h, rec_t *r, uint64_t bd)
{
	pb_t p;
	metric_t nb[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = bd},
		{.name = "Node Control/Rebirth", .alias = -1, .datatype = 11, .vfield = V_BOOL}};
	payload(&p, 1700000000000, 0, nb, 2);
	assert_int_equal(feed(h, r, NB, &p, NOW), 0);
	metric_t db[] = {
		{.name = "Rate", .alias = 10, .datatype = 10, .vfield = V_DOUBLE, .dval = 2.5},
		{.name = "Temp", .alias = 11, .datatype = 3, .vfield = V_INT, .ival = 7},
		{.name = "Level", .alias = 12, .datatype = 1, .vfield = V_INT, .ival = 0},
		{.name = "Label", .alias = 13, .datatype = 12, .vfield = V_STRING, .sval = "x"},
	};
	payload(&p, 1700000000000, 1, db, 4);
	assert_int_equal(feed(h, r, DB, &p, NOW), 3); /* Rate, Temp and Level; not Label */
}

static void test_topics(void **state)
{
	(void)state;
	et_sp_topic_t t;
	char err[160];
	assert_int_equal(et_sp_topic_parse(DD, strlen(DD), &t, err, sizeof(err)), 0);
	assert_int_equal(t.type, ET_SP_DDATA);
	assert_string_equal(t.group, "G");
	assert_string_equal(t.node, "e1");
	assert_string_equal(t.device, "d1");
	const char *st = "spBv1.0/STATE/host";
	assert_int_equal(et_sp_topic_parse(st, strlen(st), &t, err, sizeof(err)), 0);
	assert_int_equal(t.type, ET_SP_STATE);
	static const char *const bad[] = {
		"spBv1.0/G/XDATA/e1",	     "spBv1.0/G/NDATA",		"spBv1.0/G/NDATA/e1/d1",
		"spBv1.0/G/DDATA/e1",	     "spBv1.0/G/DDATA/e1/d1/x", "spBv1.0//NDATA/e1",
		"spBv1.0/G/NDATA/e+",	     "spAv1.0/G/NDATA/e1",	"spBv1.0/G/NDATA/\x01",
		"spBv1.0/G/NDATA/e1/d1/x/y",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(et_sp_topic_parse(bad[i], strlen(bad[i]), &t, err, sizeof(err)),
				 -EINVAL);
	assert_false(et_sp_is_topic("energy/x", 8));
}

static void test_birth_then_aliases(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 1);
	assert_int_equal(r.births, 2);
	pb_t p;
	/* Int32 -5 travels as a 32-bit two's complement in int_value */
	metric_t dd[] = {
		{.alias = 10, .vfield = V_DOUBLE, .dval = 3.25, .ts_ms = 1700000000500},
		{.alias = 11, .vfield = V_INT, .ival = (uint32_t)-5},
		{.alias = 12, .vfield = V_INT, .ival = 0xfffffffe}, /* Int8 -2 */
		{.alias = 13, .vfield = V_STRING, .sval = "text"},  /* not a number */
		{.alias = 10, .vfield = V_DOUBLE, .is_null = true}, /* skipped */
		{.alias = 10,
		 .vfield = V_DOUBLE,
		 .dval = 1,
		 .ts_ms = 1690000000000,
		 .historical = true},
	};
	memset(&r, 0, sizeof(r));
	payload(&p, 1700000000000, 2, dd, 6);
	assert_int_equal(feed(h, &r, DD, &p, NOW), 4);
	assert_true(r.sum == 3.25 - 5 - 2 + 1);
	assert_string_equal(r.last_name, "Rate");
	assert_true(r.last_hist);
	assert_int_equal(r.last_ts, 1690000000000000LL);
	assert_int_equal(r.rebirths, 0);
	assert_int_equal(r.rejects, 0);
	/* an alias of another device of the node is not this device's */
	metric_t nd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1}};
	payload(&p, 1700000000000, 3, nd, 1);
	assert_int_equal(feed(h, &r, ND, &p, NOW), 0);
	assert_string_equal(r.last_reason, "sparkplug_unknown_alias");
	assert_int_equal(r.rebirths, 1);
	et_sp_host_free(h);
}

static void test_seq_gap_rebirth_rate(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(30 * 1000000LL);
	rec_t r = {0};
	born(h, &r, 1);
	pb_t p;
	metric_t dd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1}};
	payload(&p, 0, 2, dd, 1);
	feed(h, &r, DD, &p, NOW);
	assert_int_equal(r.rebirths, 0);
	payload(&p, 0, 4, dd, 1); /* 3 is missing */
	feed(h, &r, DD, &p, NOW);
	assert_int_equal(r.rebirths, 1);
	assert_int_equal(r.values, 3 + 2); /* the births' and both DATA: a gap loses nothing */
	payload(&p, 0, 9, dd, 1);	   /* another gap 10 s later: not again */
	feed(h, &r, DD, &p, NOW + 10 * 1000000LL);
	assert_int_equal(r.rebirths, 1);
	payload(&p, 0, 20, dd, 1); /* 31 s after the request: again */
	feed(h, &r, DD, &p, NOW + 31 * 1000000LL);
	assert_int_equal(r.rebirths, 2);
	/* seq wraps 255 -> 0 without a gap */
	for (int s = 21; s <= 255; s++) {
		payload(&p, 0, s, dd, 1);
		feed(h, &r, DD, &p, NOW + 40 * 1000000LL);
	}
	payload(&p, 0, 0, dd, 1);
	feed(h, &r, DD, &p, NOW + 80 * 1000000LL);
	assert_int_equal(r.rebirths, 2);
	et_sp_host_free(h);
}

static void test_data_before_birth(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	metric_t dd[] = {
		{.alias = 10, .vfield = V_DOUBLE, .dval = 1},
		{.name = "ByName", .alias = -1, .datatype = 10, .vfield = V_DOUBLE, .dval = 4}};
	payload(&p, 1700000000000, 5, dd, 2);
	/* nothing is taken from a node without a birth, and nothing kept */
	assert_int_equal(feed(h, &r, DD, &p, NOW), 0);
	assert_int_equal(r.rebirths, 1);
	assert_int_equal(r.rejects, 1);
	assert_string_equal(r.last_reason, "sparkplug_no_birth");
	assert_int_equal(et_sp_host_nodes(h), 0);
	/* 20 000 spoofed nodes: no state, and one rebirth each at most */
	char topic[64];
	for (int i = 0; i < 20000; i++) {
		snprintf(topic, sizeof(topic), "spBv1.0/G/NDATA/spoof%d", i);
		feed(h, &r, topic, &p, NOW);
		snprintf(topic, sizeof(topic), "spBv1.0/G/NDEATH/spoof%d", i);
		feed(h, &r, topic, &p, NOW);
	}
	assert_int_equal(et_sp_host_nodes(h), 0);
	assert_false(et_sp_host_births_changed(h));
	et_sp_host_free(h);
}

/* The birth's datatype decides how a value is read: signed integers sent by
 * name (Int8 -128 is 4294967168 in int_value), and a DATA that says
 * another datatype. */
static void test_datatypes(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	metric_t nb[] = {{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 1},
			 {.name = "I8", .alias = -1, .datatype = 1, .vfield = V_INT, .ival = 0},
			 {.name = "I32", .alias = -1, .datatype = 3, .vfield = V_INT, .ival = 0},
			 {.name = "I64", .alias = 5, .datatype = 4, .vfield = V_LONG, .ival = 0}};
	payload(&p, 1700000000000, 0, nb, 4);
	feed(h, &r, NB, &p, NOW);
	metric_t d1[] = {{.name = "I8", .alias = -1, .vfield = V_INT, .ival = 4294967168u}};
	payload(&p, 1700000000000, 1, d1, 1);
	assert_int_equal(feed(h, &r, ND, &p, NOW), 1);
	assert_true(r.last_value == -128);
	metric_t d2[] = {{.name = "I32", .alias = -1, .vfield = V_INT, .ival = 2147483648u}};
	payload(&p, 1700000000000, 2, d2, 1);
	assert_int_equal(feed(h, &r, ND, &p, NOW), 1);
	assert_true(r.last_value == -2147483648.0);
	/* 300 sent as Int8 on the Int64 metric: the birth's Int64 decides */
	metric_t d3[] = {{.alias = 5, .datatype = 1, .vfield = V_INT, .ival = 300}};
	payload(&p, 1700000000000, 3, d3, 1);
	assert_int_equal(feed(h, &r, ND, &p, NOW), 1);
	assert_true(r.last_value == 300);
	et_sp_host_free(h);
}

/* Duplicate aliases in one birth are refused; NaN and infinity are
 * rejected, not dropped in silence. */
static void test_duplicate_alias_nan(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	born(h, &r, 1);
	metric_t db[] = {{.name = "A", .alias = 30, .datatype = 10, .vfield = V_DOUBLE, .dval = 1},
			 {.name = "B", .alias = 30, .datatype = 10, .vfield = V_DOUBLE, .dval = 2}};
	payload(&p, 1700000000000, 2, db, 2);
	int births = r.births;
	assert_int_equal(feed(h, &r, "spBv1.0/G/DBIRTH/e1/d2", &p, NOW), 0);
	assert_string_equal(r.last_reason, "sparkplug_duplicate_alias");
	assert_int_equal(r.births, births);
	/* an alias of d1 (10) given to d2 */
	metric_t db2[] = {{.name = "C", .alias = 10, .datatype = 10, .vfield = V_DOUBLE}};
	payload(&p, 1700000000000, 3, db2, 1);
	r.last_reason[0] = 0;
	assert_int_equal(feed(h, &r, "spBv1.0/G/DBIRTH/e1/d2", &p, NOW), 0);
	assert_string_equal(r.last_reason, "sparkplug_duplicate_alias");
	metric_t dd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = NAN},
			 {.alias = 10, .vfield = V_DOUBLE, .dval = -INFINITY}};
	payload(&p, 1700000000000, 4, dd, 2);
	int rejects = r.rejects;
	assert_int_equal(feed(h, &r, DD, &p, NOW), 0);
	assert_int_equal(r.rejects, rejects + 2);
	assert_string_equal(r.last_reason, "out_of_range");
	et_sp_host_free(h);
}

/* The broker's copy of an NDEATH the node sent is not a second death; an
 * NDEATH without bdSeq ends nothing; a DDEATH is at the payload's time. */
static void test_deaths(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	born(h, &r, 4);
	payload(&p, 1600000000000, 2, NULL, 0);
	feed(h, &r, "spBv1.0/G/DDEATH/e1/d1", &p, NOW);
	assert_int_equal(r.deaths, 1);
	assert_int_equal(r.last_death_ts, 1600000000000000LL);
	feed(h, &r, "spBv1.0/G/DDEATH/e1/d1", &p, NOW); /* not born: nothing */
	assert_int_equal(r.deaths, 1);
	payload(&p, 1700000000000, -1, NULL, 0);
	feed(h, &r, NX, &p, NOW);
	assert_int_equal(r.deaths, 1);
	metric_t bd[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 4}};
	payload(&p, 1700000000000, -1, bd, 1);
	feed(h, &r, NX, &p, NOW + 5);
	assert_int_equal(r.deaths, 2);
	assert_int_equal(r.last_death_ts, NOW);
	assert_true(et_sp_host_births_changed(h));
	feed(h, &r, NX, &p, NOW + 10);
	assert_int_equal(r.deaths, 2);
	assert_false(et_sp_host_births_changed(h));
	assert_int_equal(et_sp_host_nodes(h), 0);
	et_sp_host_free(h);
}

/* A gap waits reorder_us for the missing seq; a rebirth only when it does
 * not come. Rebirths in all are limited by the token bucket. */
static void test_reorder_and_storm(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	born(h, &r, 1); /* seq 0, 1 */
	et_sp_limits_t lim = LIM;
	lim.reorder_us = 2000000;
	lim.rebirths_per_s = 10;
	et_sp_sink_t s = {.ctx = &r, .on_rebirth = on_rebirth, .on_reject = on_reject};
	metric_t dd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1}};
	payload(&p, 1700000000000, 3, dd, 1);
	et_sp_host_message(h, DD, strlen(DD), p.b, p.n, NOW, NOW, &lim, false, &s);
	payload(&p, 1700000000000, 2, dd, 1);
	et_sp_host_message(h, DD, strlen(DD), p.b, p.n, NOW, NOW + 1000, &lim, false, &s);
	et_sp_host_tick(h, NOW + 3000000, &lim, &s);
	assert_int_equal(r.rebirths, 0); /* 2 came late: no rebirth */
	payload(&p, 1700000000000, 6, dd, 1);
	et_sp_host_message(h, DD, strlen(DD), p.b, p.n, NOW, NOW + 3000000, &lim, false, &s);
	et_sp_host_tick(h, NOW + 4000000, &lim, &s);
	assert_int_equal(r.rebirths, 0);
	et_sp_host_tick(h, NOW + 5000001, &lim, &s);
	assert_int_equal(r.rebirths, 1); /* 4 and 5 never came */
	/* a storm from 1000 nodes without births: at most the bucket */
	char topic[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(topic, sizeof(topic), "spBv1.0/G/NDATA/x%d", i);
		et_sp_host_message(h, topic, strlen(topic), p.b, p.n, NOW, NOW + 6000000, &lim,
				   false, &s);
	}
	assert_true(r.rebirths <= 1 + 10);
	assert_true(et_sp_host_rebirths_dropped(h) >= 989);
	et_sp_host_free(h);
}

/* Births are bounded: nodes, metrics per birth, bytes per node. */
static void test_birth_limits(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	pb_t p;
	et_sp_limits_t lim = LIM;
	lim.max_nodes = 2;
	lim.max_birth_metrics = 3;
	lim.max_birth_bytes = 200;
	et_sp_sink_t s = {.ctx = &r, .on_birth = on_birth, .on_reject = on_reject};
	metric_t nb[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 1}};
	payload(&p, 1700000000000, 0, nb, 1);
	char topic[64];
	for (int i = 0; i < 3; i++) {
		snprintf(topic, sizeof(topic), "spBv1.0/G/NBIRTH/n%d", i);
		et_sp_host_message(h, topic, strlen(topic), p.b, p.n, NOW, NOW, &lim, false, &s);
	}
	assert_int_equal(et_sp_host_nodes(h), 2);
	assert_string_equal(r.last_reason, "sparkplug_too_many_nodes");
	metric_t big[4] = {{.name = "a", .alias = 1, .datatype = 10, .vfield = V_DOUBLE},
			   {.name = "b", .alias = 2, .datatype = 10, .vfield = V_DOUBLE},
			   {.name = "c", .alias = 3, .datatype = 10, .vfield = V_DOUBLE},
			   {.name = "d", .alias = 4, .datatype = 10, .vfield = V_DOUBLE}};
	payload(&p, 1700000000000, 1, big, 4);
	r.last_reason[0] = 0;
	et_sp_host_message(h, "spBv1.0/G/DBIRTH/n0/d", 21, p.b, p.n, NOW, NOW, &lim, false, &s);
	assert_string_equal(r.last_reason, "sparkplug_birth_too_large");
	/* devices of 3 metrics each, until the node's births pass 200 bytes */
	int taken = 0;
	for (int i = 0; i < 20; i++) {
		payload(&p, 1700000000000, 1 + i, big, 3);
		snprintf(topic, sizeof(topic), "spBv1.0/G/DBIRTH/n0/d%d", i);
		int before = r.births;
		et_sp_host_message(h, topic, strlen(topic), p.b, p.n, NOW, NOW, &lim, false, &s);
		taken += r.births - before;
		big[0].alias += 3;
		big[1].alias += 3;
		big[2].alias += 3;
	}
	assert_true(taken >= 1 && taken < 20);
	et_sp_host_free(h);
}

static void test_death_by_bdseq(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 7);
	pb_t p;
	metric_t old[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 6}};
	payload(&p, 1700000000000, -1, old, 1);
	feed(h, &r, NX, &p, NOW);
	assert_int_equal(r.deaths, 0); /* a late death of session 6 */
	metric_t cur[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 7}};
	payload(&p, 1700000000000, -1, cur, 1);
	feed(h, &r, NX, &p, NOW);
	assert_int_equal(r.deaths, 1);
	/* dead: DATA asks for a rebirth */
	metric_t dd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1}};
	payload(&p, 0, 3, dd, 1);
	feed(h, &r, DD, &p, NOW);
	assert_int_equal(r.rebirths, 1);
	/* DDEATH */
	born(h, &r, 8);
	payload(&p, 0, 2, NULL, 0);
	feed(h, &r, "spBv1.0/G/DDEATH/e1/d1", &p, NOW);
	assert_int_equal(r.deaths, 2);
	et_sp_host_free(h);
}

static void test_malformed(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 1);
	pb_t p;
	static const struct {
		const char *bytes;
		size_t len;
		const char *reason;
	} cases[] = {
		{"not protobuf \xff", 14, "sparkplug_bad_payload"},
		{"\x12\x7f\x0a", 3, "sparkplug_bad_payload"}, /* metric longer than the payload */
		{"\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12,
		 "sparkplug_bad_payload"}, /* an 11-byte varint */
		{"\x1d\x01\x02\x03\x04", 5,
		 "sparkplug_bad_payload"},		      /* seq with a fixed32 wire type */
		{"\x08\x01", 2, "sparkplug_bad_payload"},     /* no seq */
		{"\x18\xac\x02", 3, "sparkplug_bad_payload"}, /* seq 300 */
		{"\x12\x02\x10", 3, "sparkplug_bad_payload"}, /* truncated inside a metric */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(p.b, cases[i].bytes, cases[i].len);
		p.n = cases[i].len;
		r.rejects = 0;
		assert_int_equal(feed(h, &r, DD, &p, NOW), 0);
		assert_int_equal(r.rejects, 1);
		assert_string_equal(r.last_reason, cases[i].reason);
	}
	/* a metric with neither name nor alias, and a name that is not text */
	metric_t m[] = {{.alias = -1, .vfield = V_DOUBLE, .dval = 1},
			{.name = "bad\x01name", .alias = -1, .vfield = V_DOUBLE, .dval = 1}};
	payload(&p, 0, 2, m, 2);
	r.rejects = 0;
	assert_int_equal(feed(h, &r, DD, &p, NOW), 0);
	assert_int_equal(r.rejects, 2);
	assert_string_equal(r.last_reason, "sparkplug_bad_metric");
	/* a timestamp from the far future */
	metric_t fut[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1, .ts_ms = 4102444800000}};
	et_sp_limits_t lim = LIM;
	lim.max_future_us = 300 * 1000000LL;
	payload(&p, 0, 3, fut, 1);
	et_sp_sink_t s = {.ctx = &r, .on_value = on_value, .on_reject = on_reject};
	assert_int_equal(et_sp_host_message(h, DD, strlen(DD), p.b, p.n, NOW, NOW, &lim, false, &s),
			 0);
	assert_string_equal(r.last_reason, "sparkplug_bad_ts");
	/* a bad topic */
	r.rejects = 0;
	assert_int_equal(feed(h, &r, "spBv1.0/G/ZZZ/e1", &p, NOW), 0);
	assert_string_equal(r.last_reason, "sparkplug_bad_topic");
	et_sp_host_free(h);
}

static int save(void *ctx, const char *topic, const void *payload_, size_t len)
{
	et_sp_host_t *to = ctx;
	et_sp_sink_t none = {0};
	return et_sp_host_message(to, topic, strlen(topic), payload_, len, NOW, NOW, &LIM, true,
				  &none) < 0;
}

static void test_restore(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 1);
	assert_true(et_sp_host_births_changed(h));
	assert_false(et_sp_host_births_changed(h));
	/* a restart: the births are all that is kept */
	et_sp_host_t *h2 = et_sp_host_new(1000000);
	assert_int_equal(et_sp_host_births(h, save, h2), 0);
	assert_false(et_sp_host_births_changed(h2));
	pb_t p;
	metric_t dd[] = {{.alias = 11, .vfield = V_INT, .ival = 42}};
	payload(&p, 0, 117, dd, 1);
	memset(&r, 0, sizeof(r));
	/* a restored birth may be stale: not mapped, a rebirth asked for */
	assert_int_equal(feed(h2, &r, DD, &p, NOW), 0);
	assert_int_equal(r.rebirths, 1);
	assert_string_equal(r.last_reason, "sparkplug_unconfirmed_birth");
	/* born again in this session: taken */
	born(h2, &r, 2);
	payload(&p, 0, 2, dd, 1);
	assert_int_equal(feed(h2, &r, DD, &p, NOW), 1);
	assert_string_equal(r.last_name, "Temp");
	assert_true(r.last_value == 42);
	assert_int_equal(r.rebirths, 1);
	/* the restored bdSeq still matches its node's NDEATH */
	et_sp_host_t *h3 = et_sp_host_new(1000000);
	assert_int_equal(et_sp_host_births(h, save, h3), 0);
	metric_t bd[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 1}};
	payload(&p, 0, -1, bd, 1);
	memset(&r, 0, sizeof(r));
	feed(h3, &r, NX, &p, NOW);
	assert_int_equal(r.deaths, 1);
	et_sp_host_free(h3);
	et_sp_host_free(h);
	et_sp_host_free(h2);
}

/* Births held for a save stay as they were while the host replaces and
 * forgets them (the save runs on another thread), and feed a restore. */
static void test_births_hold(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 1);
	et_sp_birth_t **v;
	size_t n;
	assert_int_equal(et_sp_host_births_hold(h, &v, &n), 0);
	assert_int_equal(n, 2);
	size_t tl, len0, len1;
	assert_string_equal(et_sp_birth_topic(v[0], &tl), NB);
	assert_int_equal(tl, strlen(NB));
	assert_string_equal(et_sp_birth_topic(v[1], &tl), DB);
	const void *p0 = et_sp_birth_payload(v[0], &len0);
	const void *p1 = et_sp_birth_payload(v[1], &len1);
	uint8_t copy0[4096], copy1[4096];
	assert_true(len0 <= sizeof(copy0) && len1 <= sizeof(copy1));
	memcpy(copy0, p0, len0);
	memcpy(copy1, p1, len1);
	/* born again (the old births replaced), then dead (forgotten) */
	born(h, &r, 2);
	pb_t p;
	metric_t bd[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 2}};
	payload(&p, 0, -1, bd, 1);
	feed(h, &r, NX, &p, NOW);
	assert_int_equal(et_sp_host_nodes(h), 0);
	/* what was held is unchanged (ASan: not freed) */
	assert_memory_equal(et_sp_birth_payload(v[0], &len0), copy0, len0);
	assert_memory_equal(et_sp_birth_payload(v[1], &len1), copy1, len1);
	/* and restores the node as it was at the hold */
	et_sp_host_t *h2 = et_sp_host_new(1000000);
	et_sp_sink_t none = {0};
	for (size_t i = 0; i < n; i++) {
		const char *t = et_sp_birth_topic(v[i], &tl);
		const void *pl = et_sp_birth_payload(v[i], &len0);
		assert_true(et_sp_host_message(h2, t, tl, pl, len0, NOW, NOW, &LIM, true, &none) >=
			    0);
	}
	assert_int_equal(et_sp_host_nodes(h2), 1);
	et_sp_births_release(v, n);
	et_sp_births_release(NULL, 0);
	/* nothing born: an empty hold */
	assert_int_equal(et_sp_host_births_hold(h, &v, &n), 0);
	assert_int_equal(n, 0);
	et_sp_births_release(v, n);
	et_sp_host_free(h2);
	et_sp_host_free(h);
}

static void test_rebirth_payload(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_sp_rebirth_payload(&b, 1700000000123), 0);
	Org__Eclipse__Tahu__Protobuf__Payload *p =
		org__eclipse__tahu__protobuf__payload__unpack(NULL, b.len, (uint8_t *)b.data);
	assert_non_null(p);
	assert_int_equal(p->n_metrics, 1);
	assert_string_equal(p->metrics[0]->name, "Node Control/Rebirth");
	assert_int_equal(p->metrics[0]->datatype, 11);
	assert_true(p->metrics[0]->boolean_value);
	org__eclipse__tahu__protobuf__payload__free_unpacked(p, NULL);
	et_buf_free(&b);
}

static void test_copy_lines(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	et_sp_topic_t t = {.type = ET_SP_DDATA, .group = "G", .node = "e\t1", .device = "d1"};
	et_sp_value_t v = {.topic = &t,
			   .name = "Belt\\Rate",
			   .datatype = 10,
			   .ts_us = 0,
			   .value = 2.5,
			   .historical = true};
	assert_int_equal(et_sp_copy_value(&b, 3, &v, 1000000), 0);
	assert_int_equal(et_sp_copy_event(&b, 4, "ddeath", &t, 2000000, 2000000), 0);
	const char *want =
		"3\tdata\tG\te\\t1\td1\tBelt\\\\Rate\t10\t1970-01-01 00:00:00.000000+00\t2.5"
		"\tt\t1970-01-01 00:00:01.000000+00\n"
		"4\tddeath\tG\te\\t1\td1\t\t\\N\t1970-01-01 00:00:02.000000+00\t\\N\tf\t"
		"1970-01-01 00:00:02.000000+00\n";
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	et_buf_free(&b);
}

/* CPU time of 20 000 DDATA of one real node, in µs. */
static double real_node_cost(et_sp_host_t *h)
{
	rec_t r = {0};
	pb_t p;
	metric_t dd[] = {{.alias = 10, .vfield = V_DOUBLE, .dval = 1}};
	struct timespec a, b;
	double best = 1e30;
	for (int round = 0; round < 3; round++) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		for (int i = 0; i < 20000; i++) {
			payload(&p, 1700000000000, (2 + i) & 255, dd, 1);
			feed(h, &r, DD, &p, NOW);
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		double us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
		if (us < best)
			best = us;
		/* the seq goes on from where it stopped: rebirth the node */
		born(h, &r, 1);
	}
	return best;
}

/* 20 000 other edge nodes, born (spoofed ones without a birth keep no
 * state at all): a real node's message costs about the same, the nodes
 * being found by hash (a list scan made it 29 times dearer). */
static void test_many_nodes_cost(void **state)
{
	(void)state;
	et_sp_host_t *h = et_sp_host_new(1000000);
	rec_t r = {0};
	born(h, &r, 1);
	double alone = real_node_cost(h);
	pb_t p;
	metric_t nb[] = {
		{.name = "bdSeq", .alias = -1, .datatype = 8, .vfield = V_LONG, .ival = 1}};
	payload(&p, 1700000000000, 0, nb, 1);
	char topic[64];
	for (int i = 0; i < 20000; i++) {
		snprintf(topic, sizeof(topic), "spBv1.0/G/NBIRTH/spoof%d", i);
		feed(h, &r, topic, &p, NOW);
	}
	assert_int_equal(et_sp_host_nodes(h), 20001);
	double crowded = real_node_cost(h);
	print_message("a real node's 20 000 messages: %.0f µs alone, %.0f µs among 20 000 nodes\n",
		      alone, crowded);
	assert_true(crowded < 2 * alone);
	et_sp_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_birth_then_aliases),
		cmocka_unit_test(test_seq_gap_rebirth_rate),
		cmocka_unit_test(test_data_before_birth),
		cmocka_unit_test(test_death_by_bdseq),
		cmocka_unit_test(test_datatypes),
		cmocka_unit_test(test_duplicate_alias_nan),
		cmocka_unit_test(test_deaths),
		cmocka_unit_test(test_reorder_and_storm),
		cmocka_unit_test(test_birth_limits),
		cmocka_unit_test(test_many_nodes_cost),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_births_hold),
		cmocka_unit_test(test_rebirth_payload),
		cmocka_unit_test(test_copy_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
