/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/decode.c: format v1 messages (docs/message-format.md) to readings or
 * rejections. A collecting sink records every callback, so each case checks
 * the exact sequence: which element, which reason, which reading. Payloads
 * are written with ' for " to keep the tables readable (see jq()). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/decode.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 2024-03-01T08:00:00Z; TS below is 8 hours earlier. */
#define NOW_US 1709280000000000LL
#define TS     "2024-03-01T08:00:00+08:00"
#define TS_US  1709251200000000LL
#define SEC    1000000LL

struct event {
	int element;
	enum et_reject reason; /* ET_REJ_NONE for a reading */
	char detail[256];
	et_reading_t r;
};

struct collector {
	struct event ev[32];
	int n;
	int fail_at; /* on_reading number (1-based) that returns -ECANCELED; 0 never */
	int readings;
};

static int on_reading(void *ctx, int element, const et_reading_t *r)
{
	struct collector *c = ctx;
	if (c->n >= (int)ARRAY_LEN(c->ev))
		fail_msg("too many callbacks");
	struct event *e = &c->ev[c->n++];
	e->element = element;
	e->reason = ET_REJ_NONE;
	e->detail[0] = '\0';
	e->r = *r;
	if (++c->readings == c->fail_at)
		return -ECANCELED;
	return 0;
}

static void on_reject(void *ctx, int element, enum et_reject reason, const char *detail)
{
	struct collector *c = ctx;
	if (c->n >= (int)ARRAY_LEN(c->ev))
		fail_msg("too many callbacks");
	struct event *e = &c->ev[c->n++];
	assert_non_null(detail);
	e->element = element;
	e->reason = reason;
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

static et_topic_layout_t default_layout;

static const et_decode_limits_t default_limits = {
	.max_payload_bytes = 1024,
	.max_readings = 4,
	.max_topic_bytes = 64,
	.max_future_us = 300 * SEC,
	.max_past_us = 0,
	.max_json_depth = 16,
};

/* Turns ' into " in a static buffer; "\\'" is kept as a real '. */
static const char *jq(const char *s)
{
	static char buf[8192];
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		assert_true(o + 1 < sizeof(buf));
		if (s[i] == '\\' && s[i + 1] == '\'') {
			buf[o++] = '\'';
			i++;
		} else {
			buf[o++] = s[i] == '\'' ? '"' : s[i];
		}
	}
	buf[o] = '\0';
	return buf;
}

static int run_full(struct collector *c, const et_topic_layout_t *layout,
		    const et_decode_limits_t *lim, const char *topic, const char *payload,
		    size_t len)
{
	et_decode_sink_t sink = {.ctx = c, .on_reading = on_reading, .on_reject = on_reject};
	return et_decode(layout, lim, topic, strlen(topic), payload, len, NOW_US, &sink);
}

/* Decodes payload (after jq) on topic with the default layout and limits. */
static int run(struct collector *c, const char *topic, const char *payload)
{
	const char *p = jq(payload);
	return run_full(c, &default_layout, &default_limits, topic, p, strlen(p));
}

static int setup(void **state)
{
	(void)state;
	char err[128];
	return et_topic_layout_compile(&default_layout, "energy/{kind}/{site}/{metric}", err,
				       sizeof(err));
}

/* ---- single good messages ---- */

static void test_single_object(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, "energy/mine/wangzhuang/raw_coal",
		     "{'ts': '" TS "', 'value': 412.5, 'unit': 't', 'seq': 1042}");
	assert_int_equal(rc, 1);
	assert_int_equal(c.n, 1);
	const struct event *e = &c.ev[0];
	assert_int_equal(e->element, -1);
	assert_int_equal(e->reason, ET_REJ_NONE);
	assert_string_equal(e->r.kind, "mine");
	assert_string_equal(e->r.site, "wangzhuang");
	assert_string_equal(e->r.metric, "raw_coal");
	assert_string_equal(e->r.unit_in, "t");
	assert_string_equal(e->r.source, "");
	assert_string_equal(e->r.county, "");
	assert_string_equal(e->r.name, "");
	assert_true(e->r.ts_us == TS_US);
	assert_true(e->r.value == 412.5);
	assert_true(e->r.value_in == 412.5);
	assert_true(e->r.has_seq);
	assert_true(e->r.seq == 1042);
	assert_false(e->r.counter);
	assert_true(e->r.rollover == 0);
}

static void test_all_optional_fields(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, "energy/plant/lu-an.solar_2/capacity_commissioned",
		     "{'ts': '2024-03-01T00:00:00.25Z', 'value': 5, 'unit': '万千瓦',"
		     " 'seq': 0, 'source': 'solar', 'counter': true, 'county': '长子县',"
		     " 'name': '潞安 光伏 #2', 'future_field': {'ignored': [1, 2]}}");
	assert_int_equal(rc, 1);
	assert_int_equal(c.n, 1);
	const et_reading_t *r = &c.ev[0].r;
	assert_string_equal(r->kind, "plant");
	assert_string_equal(r->site, "lu-an.solar_2");
	assert_string_equal(r->metric, "capacity_commissioned");
	assert_string_equal(r->unit_in, "万千瓦");
	assert_string_equal(r->source, "solar");
	assert_string_equal(r->county, "长子县");
	assert_string_equal(r->name, "潞安 光伏 #2");
	assert_true(r->ts_us == TS_US + 250000);
	assert_true(r->value == 50);
	assert_true(r->value_in == 5);
	assert_true(r->has_seq);
	assert_true(r->seq == 0);
	assert_true(r->counter);
	assert_true(r->rollover == 0);
}

/* A totaliser: "rollover" is kept as sent (in the message's unit), next to
 * "counter": true; an integer rollover is a number too. */
static void test_counter_rollover(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, "energy/mine/belt-1/raw_coal",
		     "[{'ts': '2024-03-01T00:00:00Z', 'value': 99.5, 'unit': '万吨',"
		     " 'counter': true, 'rollover': 99.99999},"
		     " {'ts': '2024-03-01T01:00:00Z', 'value': 3, 'unit': 't',"
		     " 'counter': true, 'rollover': 1000000}]");
	assert_int_equal(rc, 2);
	assert_int_equal(c.n, 2);
	assert_true(c.ev[0].r.counter);
	assert_true(c.ev[0].r.rollover == 99.99999);
	assert_true(c.ev[0].r.value == 995000);
	assert_true(c.ev[0].r.value_in == 99.5);
	assert_true(c.ev[1].r.rollover == 1000000);
}

/* A total that no totaliser shows is refused with its reason, whatever the
 * metric (outside the built-in list, -50, -1e15 and totals above
 * the rollover were accepted and counted as negative or huge deltas). */
static void test_counter_total_bounds(void **state)
{
	(void)state;
	static const struct {
		const char *topic, *json;
		bool ok;
	} t[] = {
		{"energy/mine/b/weird_total", "'value': -50, 'unit': 't', 'counter': true", false},
		{"energy/mine/b/weird_total", "'value': -1e15, 'unit': 't', 'counter': true",
		 false},
		{"energy/mine/b/weird_total",
		 "'value': 150, 'unit': 't', 'counter': true, 'rollover': 100", false},
		{"energy/mine/b/raw_coal",
		 "'value': 1001, 'unit': 't', 'counter': true, 'rollover': 1000", false},
		{"energy/mine/b/weird_total", "'value': 0, 'unit': 't', 'counter': true", true},
		{"energy/mine/b/weird_total",
		 "'value': 100, 'unit': 't', 'counter': true, 'rollover': 100", true},
		{"energy/mine/b/weird_total", "'value': -50, 'unit': 't'", true}, /* not a total */
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct collector c = {0};
		char json[256];
		snprintf(json, sizeof(json), "{'ts': '" TS "', %s}", t[i].json);
		run(&c, t[i].topic, json);
		assert_int_equal(c.n, 1);
		if (t[i].ok) {
			assert_int_equal(c.ev[0].reason, ET_REJ_NONE);
		} else {
			assert_int_equal(c.ev[0].reason, ET_REJ_OUT_OF_RANGE);
			assert_non_null(strstr(c.ev[0].detail, "total"));
		}
	}
}

/* Canonical conversion of each canonical metric, and non-canonical metrics
 * stored as they come (any unit, negative values). */
static void test_conversion(void **state)
{
	(void)state;
	static const struct {
		const char *metric, *value, *unit;
		double want;
	} t[] = {
		{"raw_coal", "1.5", "万吨", 15000},
		{"raw_coal", "1.7", "亿吨", 170000000},
		{"raw_coal", "2", "kt", 2000},
		{"raw_coal", "0", "t", 0},
		{"capacity_commissioned", "60", "万千瓦", 600},
		{"capacity_commissioned", "2.25", "GW", 2250},
		{"capacity_commissioned", "9", "kW", 0.009},
		{"generation", "1.2", "亿千瓦时", 120000},
		{"generation", "500", "kWh", 0.5},
		{"generation", "3", "万千瓦时", 30},
		{"energy_consumption", "1.8", "万吨标准煤", 18000},
		{"energy_consumption", "12", "tce", 12},
		{"gdp", "2.5", "亿元", 250000000},
		{"gdp", "7", "万元", 70000},
		{"gdp", "1e9", "元", 1e9},
		{"gdp", "1e9", "CNY", 1e9},
		{"advanced_capacity_share", "95", "%", 95},
		{"advanced_capacity_share", "100", "%", 100},
		{"advanced_capacity_share", "0", "%", 0},
		{"temperature", "-5.5", "°C", -5.5},
		{"belt_speed", "2.5", "m/s", 2.5},
		{"weird_metric_2", "-1e12", "t", -1e12},
		{"water", "7", "万吨", 7}, /* known unit, but no conversion */
		{"x", "12", "MW", 12},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char topic[128], payload[256];
		snprintf(topic, sizeof(topic), "energy/region/changzhi/%s", t[i].metric);
		snprintf(payload, sizeof(payload), "{'ts':'" TS "','value':%s,'unit':'%s'}",
			 t[i].value, t[i].unit);
		struct collector c = {0};
		int rc = run(&c, topic, payload);
		if (rc != 1 || c.n != 1 || c.ev[0].reason != ET_REJ_NONE)
			fail_msg("case %zu (%s %s %s): rc %d, reason %s: %s", i, t[i].metric,
				 t[i].value, t[i].unit, rc, et_reject_name(c.ev[0].reason),
				 c.ev[0].detail);
		if (c.ev[0].r.value != t[i].want)
			fail_msg("case %zu: %s %s -> %.17g, want %.17g", i, t[i].value, t[i].unit,
				 c.ev[0].r.value, t[i].want);
		assert_string_equal(c.ev[0].r.unit_in, t[i].unit);
		assert_string_equal(c.ev[0].r.metric, t[i].metric);
		assert_true(c.ev[0].r.value_in == strtod(t[i].value, NULL));
	}
}

/* ---- rejections of a whole message or a single object ---- */

struct rej_case {
	const char *topic;
	const char *payload; /* through jq() */
	enum et_reject reason;
	const char *detail; /* exact, or NULL not to check */
};

#define T_COAL	  "energy/mine/m1/raw_coal"
#define T_SHARE	  "energy/region/changzhi/advanced_capacity_share"
#define T_CAP	  "energy/plant/p1/capacity_commissioned"
#define GOOD_TAIL "'ts':'" TS "','value':1,'unit':'t'"

static const struct rej_case rejects[] = {
	/* bad_json: syntax, trailing garbage, duplicate keys, \u0000, 1e999,
	 * NaN and Infinity in every spelling */
	{T_COAL, "", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL, ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL "} x", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL "}}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL "}{" GOOD_TAIL "}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL "},", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "[{" GOOD_TAIL "}]]", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'value':2}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'x':{'a':1,'a':2}}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'a\\u0000b'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'\\u0000':1," GOOD_TAIL "}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':1e999,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':-1e999,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':NaN,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':nan,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':-NaN,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':Infinity,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':-Infinity,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':inf,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':+1,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':01,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':.5,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':0x10,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{'ts':'" TS "','value':99999999999999999999,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{\\'ts\\':'" TS "','value':1,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{ts:'" TS "','value':1,'unit':'t'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL "} // comment", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\\ud800'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'a\tb'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\xff'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\xc0\xaf'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\xe9\x95'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\xed\xa0\x80'}", ET_REJ_BAD_JSON, NULL},
	{T_COAL, "\xef\xbb\xbf{" GOOD_TAIL "}", ET_REJ_BAD_JSON, NULL},
	/* not_an_object: valid JSON, but not an object or an array */
	{T_COAL, "42", ET_REJ_NOT_OBJECT, "a reading must be a JSON object"},
	{T_COAL, "'reading'", ET_REJ_NOT_OBJECT, "a reading must be a JSON object"},
	{T_COAL, "null", ET_REJ_NOT_OBJECT, "a reading must be a JSON object"},
	{T_COAL, "true", ET_REJ_NOT_OBJECT, "a reading must be a JSON object"},
	/* empty_batch */
	{T_COAL, "[]", ET_REJ_EMPTY_BATCH, "empty array"},
	{T_COAL, " [ ] ", ET_REJ_EMPTY_BATCH, "empty array"},
	/* too_many_readings (limit 4) */
	{T_COAL, "[{},{},{},{},{}]", ET_REJ_TOO_MANY_READINGS, "5 readings exceed max_readings 4"},
	/* bad_topic: the topic does not fit the layout and the payload does not
	 * name what is missing */
	{"energy/mine/m1", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no kind in the topic or the payload"},
	{"energy/mine/m1/raw_coal/x", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no kind in the topic or the payload"},
	{"power/mine/m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no kind in the topic or the payload"},
	{"Energy/mine/m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no kind in the topic or the payload"},
	{"/energy/mine/m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no kind in the topic or the payload"},
	{"", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC, "no kind in the topic or the payload"},
	{"energy/mine/m1", "{'kind':'mine'," GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no site in the topic or the payload"},
	{"energy/mine/m1", "{'kind':'mine','site':'m1'," GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "no metric in the topic or the payload"},
	{"energy/mine/m1/raw_coal/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "{" GOOD_TAIL "}",
	 ET_REJ_BAD_TOPIC, "topic is longer than 64 bytes or not clean UTF-8"},
	{"energy/mine/m\x01/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "topic is longer than 64 bytes or not clean UTF-8"},
	{"energy/mine/m\x7f/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "topic is longer than 64 bytes or not clean UTF-8"},
	{"energy/mine/m\xff/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_TOPIC,
	 "topic is longer than 64 bytes or not clean UTF-8"},
	/* bad_kind */
	{"energy/factory/m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_KIND,
	 "kind must be mine, plant, enterprise or region"},
	{"energy/Mine/m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_KIND, NULL},
	{"energy//m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_KIND, NULL},
	{T_COAL, "{'kind':'mines'," GOOD_TAIL "}", ET_REJ_BAD_KIND, NULL},
	{T_COAL, "{'kind':''," GOOD_TAIL "}", ET_REJ_BAD_KIND, NULL},
	{T_COAL, "{'kind':1," GOOD_TAIL "}", ET_REJ_BAD_KIND, "kind must be a string"},
	{T_COAL, "{'kind':null," GOOD_TAIL "}", ET_REJ_BAD_KIND, "kind must be a string"},
	/* bad_site */
	{"energy/mine/Wangzhuang/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE,
	 "site id must match [a-z0-9][a-z0-9_.-]{0,63}"},
	{"energy/mine/-m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{"energy/mine/_m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{"energy/mine/.m1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{"energy/mine//raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{"energy/mine/m 1/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{"energy/mine/王庄/raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':'M1'," GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':''," GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':'m1/x'," GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':'m1+'," GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':'a\\u00e9'," GOOD_TAIL "}", ET_REJ_BAD_SITE, NULL},
	{T_COAL,
	 "{'site':'a2345678901234567890123456789012345678901234567890123456789012345'," GOOD_TAIL
	 "}",
	 ET_REJ_BAD_SITE, NULL},
	{T_COAL, "{'site':7," GOOD_TAIL "}", ET_REJ_BAD_SITE, "site must be a string"},
	/* bad_metric */
	{"energy/mine/m1/Raw_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC,
	 "metric must match [a-z][a-z0-9_]{0,63}"},
	{"energy/mine/m1/raw-coal", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{"energy/mine/m1/raw.coal", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{"energy/mine/m1/1coal", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{"energy/mine/m1/_coal", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{"energy/mine/m1/", "{" GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{T_COAL, "{'metric':'原煤'," GOOD_TAIL "}", ET_REJ_BAD_METRIC, NULL},
	{T_COAL,
	 "{'metric':'a2345678901234567890123456789012345678901234567890123456789012345'," GOOD_TAIL
	 "}",
	 ET_REJ_BAD_METRIC, NULL},
	{T_COAL, "{'metric':['raw_coal']," GOOD_TAIL "}", ET_REJ_BAD_METRIC,
	 "metric must be a string"},
	/* missing_ts, bad_ts */
	{T_COAL, "{'value':1,'unit':'t'}", ET_REJ_MISSING_TS, "ts is required"},
	{T_COAL, "{'TS':'" TS "','value':1,'unit':'t'}", ET_REJ_MISSING_TS, NULL},
	{T_COAL, "{'ts':1709251200,'value':1,'unit':'t'}", ET_REJ_BAD_TS,
	 "ts must be an RFC 3339 time with an offset"},
	{T_COAL, "{'ts':null,'value':1,'unit':'t'}", ET_REJ_BAD_TS, NULL},
	{T_COAL, "{'ts':'2024-03-01T08:00:00','value':1,'unit':'t'}", ET_REJ_BAD_TS, NULL},
	{T_COAL, "{'ts':'2024-02-30T08:00:00Z','value':1,'unit':'t'}", ET_REJ_BAD_TS, NULL},
	{T_COAL, "{'ts':'yesterday','value':1,'unit':'t'}", ET_REJ_BAD_TS, NULL},
	{T_COAL, "{'ts':'','value':1,'unit':'t'}", ET_REJ_BAD_TS, NULL},
	/* ts_in_future: now is 2024-03-01T08:00:00Z, max_future 300 s */
	{T_COAL, "{'ts':'2024-03-01T08:05:00.000001Z','value':1,'unit':'t'}", ET_REJ_TS_IN_FUTURE,
	 "ts is more than 300 s in the future"},
	{T_COAL, "{'ts':'2024-03-01T16:05:01+08:00','value':1,'unit':'t'}", ET_REJ_TS_IN_FUTURE,
	 NULL},
	{T_COAL, "{'ts':'9999-12-31T23:59:59Z','value':1,'unit':'t'}", ET_REJ_TS_IN_FUTURE, NULL},
	/* missing_value, bad_value */
	{T_COAL, "{'ts':'" TS "','unit':'t'}", ET_REJ_MISSING_VALUE, "value is required"},
	{T_COAL, "{'ts':'" TS "','value':'12','unit':'t'}", ET_REJ_BAD_VALUE,
	 "value must be a JSON number"},
	{T_COAL, "{'ts':'" TS "','value':null,'unit':'t'}", ET_REJ_BAD_VALUE, NULL},
	{T_COAL, "{'ts':'" TS "','value':true,'unit':'t'}", ET_REJ_BAD_VALUE, NULL},
	{T_COAL, "{'ts':'" TS "','value':[1],'unit':'t'}", ET_REJ_BAD_VALUE, NULL},
	{T_COAL, "{'ts':'" TS "','value':{},'unit':'t'}", ET_REJ_BAD_VALUE, NULL},
	{T_COAL, "{'ts':'" TS "','value':'NaN','unit':'t'}", ET_REJ_BAD_VALUE, NULL},
	/* out_of_range */
	{T_COAL, "{'ts':'" TS "','value':-1,'unit':'t'}", ET_REJ_OUT_OF_RANGE,
	 "raw_coal cannot be negative"},
	{T_COAL, "{'ts':'" TS "','value':-0.001,'unit':'万吨'}", ET_REJ_OUT_OF_RANGE, NULL},
	{T_CAP, "{'ts':'" TS "','value':-5,'unit':'MW'}", ET_REJ_OUT_OF_RANGE,
	 "capacity_commissioned cannot be negative"},
	{T_SHARE, "{'ts':'" TS "','value':100.5,'unit':'%'}", ET_REJ_OUT_OF_RANGE,
	 "a share cannot exceed 100 %"},
	{T_SHARE, "{'ts':'" TS "','value':-0.5,'unit':'%'}", ET_REJ_OUT_OF_RANGE,
	 "advanced_capacity_share cannot be negative"},
	{T_COAL, "{'ts':'" TS "','value':1e301,'unit':'亿吨'}", ET_REJ_OUT_OF_RANGE,
	 "value overflows in the canonical unit"},
	/* missing_unit, unknown_unit, unit_mismatch */
	{T_COAL, "{'ts':'" TS "','value':1}", ET_REJ_MISSING_UNIT, "unit is required"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':'tonnes'}", ET_REJ_UNKNOWN_UNIT, "unknown unit"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':'T'}", ET_REJ_UNKNOWN_UNIT, "unknown unit"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':''}", ET_REJ_UNKNOWN_UNIT,
	 "unit must be a short printable string"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':1}", ET_REJ_UNKNOWN_UNIT,
	 "unit must be a short printable string"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':null}", ET_REJ_UNKNOWN_UNIT, NULL},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':'t\\n'}", ET_REJ_UNKNOWN_UNIT,
	 "unit must be a short printable string"},
	{"energy/mine/m1/temperature", "{'ts':'" TS "','value':1,'unit':'\\u0085C'}",
	 ET_REJ_UNKNOWN_UNIT, NULL},
	{"energy/mine/m1/temperature",
	 "{'ts':'" TS "','value':1,'unit':'123456789012345678901234567890123'}",
	 ET_REJ_UNKNOWN_UNIT, NULL},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':'MW'}", ET_REJ_UNIT_MISMATCH,
	 "unit does not fit raw_coal (canonical unit t)"},
	{T_COAL, "{'ts':'" TS "','value':1,'unit':'万吨标准煤'}", ET_REJ_UNIT_MISMATCH, NULL},
	{T_CAP, "{'ts':'" TS "','value':1,'unit':'MWh'}", ET_REJ_UNIT_MISMATCH,
	 "unit does not fit capacity_commissioned (canonical unit MW)"},
	{T_SHARE, "{'ts':'" TS "','value':1,'unit':'t'}", ET_REJ_UNIT_MISMATCH, NULL},
	{"energy/region/r/gdp", "{'ts':'" TS "','value':1,'unit':'tce'}", ET_REJ_UNIT_MISMATCH,
	 "unit does not fit gdp (canonical unit CNY)"},
	/* bad_field */
	{T_COAL, "{" GOOD_TAIL ",'seq':-1}", ET_REJ_BAD_FIELD,
	 "seq must be a non-negative integer"},
	{T_COAL, "{" GOOD_TAIL ",'seq':1.5}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'seq':1.0}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'seq':'1'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'seq':null}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':'true'}", ET_REJ_BAD_FIELD,
	 "counter must be true or false"},
	{T_COAL, "{" GOOD_TAIL ",'counter':1}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':null}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'rollover':1000}", ET_REJ_BAD_FIELD,
	 "rollover must be a positive number, with counter true"},
	{T_COAL, "{" GOOD_TAIL ",'counter':false,'rollover':1000}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':true,'rollover':0}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':true,'rollover':-5}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':true,'rollover':'999'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'counter':true,'rollover':null}", ET_REJ_BAD_FIELD, NULL},
	{T_CAP, "{'ts':'" TS "','value':1,'unit':'MW','source':'nuclear'}", ET_REJ_BAD_FIELD,
	 "source must be solar, wind, biomass, hydro, storage, coal or gas"},
	{T_CAP, "{'ts':'" TS "','value':1,'unit':'MW','source':'Solar'}", ET_REJ_BAD_FIELD, NULL},
	{T_CAP, "{'ts':'" TS "','value':1,'unit':'MW','source':''}", ET_REJ_BAD_FIELD, NULL},
	{T_CAP, "{'ts':'" TS "','value':1,'unit':'MW','source':1}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'长子\\t县'}", ET_REJ_BAD_FIELD,
	 "county must be a printable string of at most 128 bytes"},
	{T_COAL, "{" GOOD_TAIL ",'county':'a\\nb'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'a\\u007fb'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'a\\u0085b'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':'\\u001b[31m'}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'county':5}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL, "{" GOOD_TAIL ",'name':'a\\rb'}", ET_REJ_BAD_FIELD,
	 "name must be a printable string of at most 128 bytes"},
	{T_COAL, "{" GOOD_TAIL ",'name':false}", ET_REJ_BAD_FIELD, NULL},
	{T_COAL,
	 "{" GOOD_TAIL ",'name':'123456789012345678901234567890123456789012345678901234567890"
	 "12345678901234567890123456789012345678901234567890123456789012345678901234567890'}",
	 ET_REJ_BAD_FIELD, NULL},
	/* 43 three-byte characters: 129 bytes */
	{T_COAL,
	 "{" GOOD_TAIL ",'county':'长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"
	 "长长长长长长长长长长长长'}",
	 ET_REJ_BAD_FIELD, NULL},
};

/* Issue 21: what a reading covers. January's figure is stamped at its end,
 * 2024-02-01T00:00:00 in the publisher's offset; a period or a start says so
 * and is checked. */
static void test_period(void **state)
{
	(void)state;
	static const struct {
		const char *payload;
		enum et_reject reason;
		const char *detail;
	} t[] = {
		{"{'ts':'2024-02-01T00:00:00+08:00','period':'2024-01','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		{"{'ts':'2024-02-01T00:00:00.000Z','period':'2024-01','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		{"{'ts':'2024-01-01T00:00:00+08:00','period':'2023-Q4','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		{"{'ts':'2024-01-01 00:00:00+08:00','period':'2023-H2','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		{"{'ts':'2024-01-01T00:00:00+08:00','period':'2023','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		/* stamped at the start of what it covers: refused */
		{"{'ts':'2024-01-01T00:00:00+08:00','period':'2024-01','value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD,
		 "ts must be the end of period 2024-01: 2024-02-01T00:00:00 in its offset"},
		{"{'ts':'2024-02-01T00:00:00.5+08:00','period':'2024-01','value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD, NULL},
		{"{'ts':'2024-02-01T08:00:00+08:00','period':'2024-01','value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD, NULL},
		{"{'ts':'2024-02-01T00:00:00+08:00','period':'2024-13','value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD, "period must be YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY"},
		{"{'ts':'2024-03-01T00:00:00+08:00','period':'2024-01..2024-02','value':1,'unit':'"
		 "t'}",
		 ET_REJ_BAD_FIELD, NULL},
		{"{'ts':'2024-02-01T00:00:00+08:00','period':202401,'value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD, NULL},
		/* (start, ts] */
		{"{'ts':'" TS "','start':'2024-03-01T00:00:00+08:00','value':1,'unit':'t'}",
		 ET_REJ_NONE, NULL},
		{"{'ts':'" TS "','start':'" TS "','value':1,'unit':'t'}", ET_REJ_BAD_FIELD,
		 "start must be an RFC 3339 time with an offset, before ts"},
		{"{'ts':'" TS "','start':'2024-03-01T00:00:00','value':1,'unit':'t'}",
		 ET_REJ_BAD_FIELD, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct collector c = {0};
		int rc = run(&c, T_COAL, t[i].payload);
		if (c.n != 1 || c.ev[0].reason != t[i].reason ||
		    (t[i].detail && strcmp(c.ev[0].detail, t[i].detail) != 0))
			fail_msg("case %zu (%s): rc %d, %s (%s)", i, t[i].payload, rc,
				 c.n ? et_reject_name(c.ev[0].reason) : "-",
				 c.n ? c.ev[0].detail : "");
	}
}

/* What a reading covers is kept: the period's first instant in ts's own
 * offset, or the start given; none without either, and none left over from
 * the element before in an array. */
static void test_period_stored(void **state)
{
	(void)state;
	static const struct {
		const char *payload;
		bool has;
		int64_t from_us;
	} t[] = {
		/* 2024-01-01T00:00:00+08:00 */
		{"{'ts':'2024-02-01T00:00:00+08:00','period':'2024-01','value':1,'unit':'t'}", true,
		 1704038400000000LL},
		/* 2024-01-01T00:00:00Z */
		{"{'ts':'2024-02-01T00:00:00.000Z','period':'2024-01','value':1,'unit':'t'}", true,
		 1704067200000000LL},
		/* 2023-10-01T00:00:00+08:00 */
		{"{'ts':'2024-01-01T00:00:00+08:00','period':'2023-Q4','value':1,'unit':'t'}", true,
		 1696089600000000LL},
		/* 2023-01-01T00:00:00+08:00 */
		{"{'ts':'2024-01-01T00:00:00+08:00','period':'2023','value':1,'unit':'t'}", true,
		 1672502400000000LL},
		/* 2024-03-01T00:00:00+08:00 */
		{"{'ts':'" TS "','start':'2024-03-01T00:00:00+08:00','value':1,'unit':'t'}", true,
		 1709222400000000LL},
		{"{'ts':'2024-02-01T00:00:00+08:00','period':'2024-01',"
		 "'start':'2024-01-01T00:00:00+08:00','value':1,'unit':'t'}",
		 true, 1704038400000000LL},
		{"{'ts':'" TS "','value':1,'unit':'t'}", false, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct collector c = {0};
		int rc = run(&c, T_COAL, t[i].payload);
		if (c.n != 1 || c.ev[0].reason != ET_REJ_NONE)
			fail_msg("case %zu (%s): rc %d, %s (%s)", i, t[i].payload, rc,
				 c.n ? et_reject_name(c.ev[0].reason) : "-",
				 c.n ? c.ev[0].detail : "");
		if (c.ev[0].r.has_covers_from != t[i].has ||
		    (t[i].has && c.ev[0].r.covers_from_us != t[i].from_us))
			fail_msg("case %zu (%s): covers_from %d %lld, want %d %lld", i,
				 t[i].payload, c.ev[0].r.has_covers_from,
				 (long long)c.ev[0].r.covers_from_us, t[i].has,
				 (long long)t[i].from_us);
	}
	/* a start that is not the period's */
	struct collector c = {0};
	(void)run(&c, T_COAL,
		  "{'ts':'2024-02-01T00:00:00+08:00','period':'2024-01',"
		  "'start':'2024-01-02T00:00:00+08:00','value':1,'unit':'t'}");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ev[0].reason, ET_REJ_BAD_FIELD);
	assert_string_equal(c.ev[0].detail, "start is not where period starts");
	/* in an array, the second element has no period */
	struct collector a = {0};
	(void)run(&a, T_COAL,
		  "[{'ts':'2024-02-01T00:00:00+08:00','period':'2024-01','value':1,'unit':'t'},"
		  "{'ts':'" TS "','value':2,'unit':'t'}]");
	assert_int_equal(a.n, 2);
	assert_true(a.ev[0].r.has_covers_from);
	assert_false(a.ev[1].r.has_covers_from);
}

static void test_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rejects); i++) {
		const struct rej_case *t = &rejects[i];
		struct collector c = {0};
		int rc = run(&c, t->topic, t->payload);
		if (rc != 0 || c.n != 1)
			fail_msg("case %zu (%s): rc %d, %d callbacks", i, t->payload, rc, c.n);
		const struct event *e = &c.ev[0];
		if (e->reason != t->reason)
			fail_msg("case %zu (%s %s): %s (%s), want %s", i, t->topic, jq(t->payload),
				 et_reject_name(e->reason), e->detail, et_reject_name(t->reason));
		if (e->element != -1)
			fail_msg("case %zu: element %d, want -1", i, e->element);
		if (t->detail && strcmp(e->detail, t->detail) != 0)
			fail_msg("case %zu: detail \"%s\", want \"%s\"", i, e->detail, t->detail);
		if (e->detail[0] == '\0')
			fail_msg("case %zu: empty detail", i);
	}
}

/* The detail of bad_json says where and what, in jansson's words. */
static void test_bad_json_detail(void **state)
{
	(void)state;
	static const struct {
		const char *payload, *detail;
	} t[] = {
		{"{'a':1} x", "line 1 column 9: end of file expected near 'x'"},
		{"{'a':1,'a':2}", "line 1 column 10: duplicate object key near '\"a\"'"},
		{"{'a':1e999}", "line 1 column 10: real number overflow near '1e999'"},
		{"{'a':NaN}", "line 1 column 8: invalid token near 'NaN'"},
		{"{'a':'\\u0000'}",
		 "line 1 column 13: \\u0000 is not allowed without JSON_ALLOW_NUL near "
		 "'\"\\u0000\"'"},
		{"{'a':'\xff'}", "line 1 column 6: unable to decode byte 0xff near '\"'"},
		{"", "line 1 column 0: unexpected token near end of file"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct collector c = {0};
		assert_int_equal(run(&c, T_COAL, t[i].payload), 0);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.ev[0].element, -1);
		assert_int_equal(c.ev[0].reason, ET_REJ_BAD_JSON);
		assert_string_equal(c.ev[0].detail, t[i].detail);
	}
}

/* The same cases as single elements of a batch: the reason is the same (the
 * whole-message ones excepted) and it carries its index. */
static void test_rejects_in_batch(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rejects); i++) {
		const struct rej_case *t = &rejects[i];
		switch (t->reason) {
		case ET_REJ_BAD_JSON:
		case ET_REJ_EMPTY_BATCH:
		case ET_REJ_TOO_MANY_READINGS:
			continue;
		case ET_REJ_BAD_TOPIC:
			if (strstr(t->detail, "longer"))
				continue; /* the whole message */
			break;
		default:
			break;
		}
		char payload[1024];
		snprintf(payload, sizeof(payload),
			 "[{" GOOD_TAIL ",'kind':'mine','site':'ok',"
			 "'metric':'raw_coal'},%s]",
			 t->payload);
		struct collector c = {0};
		int rc = run(&c, t->topic, payload);
		if (rc != 1 || c.n != 2)
			fail_msg("case %zu (%s): rc %d, %d callbacks", i, t->payload, rc, c.n);
		assert_int_equal(c.ev[0].element, 0);
		assert_int_equal(c.ev[0].reason, ET_REJ_NONE);
		assert_string_equal(c.ev[0].r.site, "ok");
		if (c.ev[1].element != 1 || c.ev[1].reason != t->reason)
			fail_msg("case %zu (%s): element %d %s, want 1 %s", i, t->payload,
				 c.ev[1].element, et_reject_name(c.ev[1].reason),
				 et_reject_name(t->reason));
		if (t->detail && strcmp(c.ev[1].detail, t->detail) != 0)
			fail_msg("case %zu: detail \"%s\", want \"%s\"", i, c.ev[1].detail,
				 t->detail);
	}
}

/* ---- batches ---- */

static void test_batch_mixed(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, T_COAL,
		     "[{'ts':'" TS "','value':1.5,'unit':'万吨','seq':1},"
		     " {'ts':'" TS "','value':2,'unit':'MW','seq':2},"
		     " 17,"
		     " {'ts':'2024-03-01T00:01:00Z','value':3,'unit':'t','site':'m2','seq':3}]");
	assert_int_equal(rc, 2);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.ev[0].element, 0);
	assert_int_equal(c.ev[0].reason, ET_REJ_NONE);
	assert_true(c.ev[0].r.value == 15000);
	assert_true(c.ev[0].r.seq == 1);
	assert_string_equal(c.ev[0].r.site, "m1");
	assert_int_equal(c.ev[1].element, 1);
	assert_int_equal(c.ev[1].reason, ET_REJ_UNIT_MISMATCH);
	assert_int_equal(c.ev[2].element, 2);
	assert_int_equal(c.ev[2].reason, ET_REJ_NOT_OBJECT);
	assert_string_equal(c.ev[2].detail, "a reading must be a JSON object");
	assert_int_equal(c.ev[3].element, 3);
	assert_int_equal(c.ev[3].reason, ET_REJ_NONE);
	assert_string_equal(c.ev[3].r.site, "m2");
	assert_string_equal(c.ev[3].r.kind, "mine");
	assert_string_equal(c.ev[3].r.metric, "raw_coal");
	assert_true(c.ev[3].r.ts_us == TS_US + 60 * SEC);
	assert_true(c.ev[3].r.seq == 3);
}

/* Fields of one element never leak into the next. */
static void test_batch_no_leak(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, T_CAP,
		     "[{'ts':'" TS "','value':1,'unit':'MW','seq':7,'source':'wind','counter':true,"
		     "  'county':'襄垣县','name':'n'},"
		     " {'ts':'" TS "','value':2,'unit':'MW'}]");
	assert_int_equal(rc, 2);
	assert_int_equal(c.n, 2);
	const et_reading_t *a = &c.ev[0].r, *b = &c.ev[1].r;
	assert_true(a->has_seq && a->seq == 7 && a->counter);
	assert_string_equal(a->source, "wind");
	assert_string_equal(a->county, "襄垣县");
	assert_false(b->has_seq);
	assert_false(b->counter);
	assert_string_equal(b->source, "");
	assert_string_equal(b->county, "");
	assert_string_equal(b->name, "");
	assert_true(b->value == 2);
}

/* A batch that mixes sites, kinds and metrics through payload overrides. */
static void test_batch_overrides(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, "energy/region/changzhi/gdp",
		     "[{'ts':'" TS "','value':2.5,'unit':'亿元'},"
		     " {'ts':'" TS "','value':1,'unit':'万吨','kind':'mine','site':'m9',"
		     "  'metric':'raw_coal'},"
		     " {'ts':'" TS "','value':3,'unit':'GWh','kind':'plant','metric':'generation'},"
		     " {'ts':'" TS "','value':3,'unit':'GWh','kind':'plant'}]");
	assert_int_equal(rc, 3);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.ev[0].r.kind, "region");
	assert_string_equal(c.ev[0].r.site, "changzhi");
	assert_true(c.ev[0].r.value == 2.5e8);
	assert_string_equal(c.ev[1].r.kind, "mine");
	assert_string_equal(c.ev[1].r.site, "m9");
	assert_string_equal(c.ev[1].r.metric, "raw_coal");
	assert_true(c.ev[1].r.value == 1e4);
	assert_string_equal(c.ev[2].r.kind, "plant");
	assert_string_equal(c.ev[2].r.site, "changzhi");
	assert_string_equal(c.ev[2].r.metric, "generation");
	assert_true(c.ev[2].r.value == 3000);
	/* the metric stays the topic's (gdp) and GWh does not fit it */
	assert_int_equal(c.ev[3].element, 3);
	assert_int_equal(c.ev[3].reason, ET_REJ_UNIT_MISMATCH);
}

static void test_batch_limits(void **state)
{
	(void)state;
	/* exactly max_readings is fine */
	struct collector c = {0};
	int rc = run(&c, T_COAL,
		     "[{" GOOD_TAIL "},{" GOOD_TAIL "},{" GOOD_TAIL "},{" GOOD_TAIL "}]");
	assert_int_equal(rc, 4);
	assert_int_equal(c.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(c.ev[i].element, i);
		assert_int_equal(c.ev[i].reason, ET_REJ_NONE);
	}
	/* all bad: 0 accepted, one reject each */
	memset(&c, 0, sizeof(c));
	rc = run(&c, T_COAL, "[1, [], null, {}]");
	assert_int_equal(rc, 0);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.ev[0].reason, ET_REJ_NOT_OBJECT);
	assert_int_equal(c.ev[1].reason, ET_REJ_NOT_OBJECT);
	assert_int_equal(c.ev[2].reason, ET_REJ_NOT_OBJECT);
	assert_int_equal(c.ev[3].reason, ET_REJ_MISSING_TS);
	assert_int_equal(c.ev[3].element, 3);
	/* a nested array is one element, not a batch inside a batch */
	memset(&c, 0, sizeof(c));
	rc = run(&c, T_COAL, "[[{" GOOD_TAIL "}]]");
	assert_int_equal(rc, 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ev[0].element, 0);
	assert_int_equal(c.ev[0].reason, ET_REJ_NOT_OBJECT);
}

/* A negative return from on_reading stops decoding and is returned. */
static void test_sink_stops(void **state)
{
	(void)state;
	struct collector c = {.fail_at = 2};
	int rc = run(&c, T_COAL, "[{" GOOD_TAIL "},{'x':1},{" GOOD_TAIL "},{" GOOD_TAIL "}]");
	assert_int_equal(rc, -ECANCELED);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.ev[0].element, 0);
	assert_int_equal(c.ev[1].element, 1);
	assert_int_equal(c.ev[1].reason, ET_REJ_MISSING_TS);
	assert_int_equal(c.ev[2].element, 2);
	assert_int_equal(c.ev[2].reason, ET_REJ_NONE);

	struct collector d = {.fail_at = 1};
	rc = run(&d, T_COAL, "{" GOOD_TAIL "}");
	assert_int_equal(rc, -ECANCELED);
	assert_int_equal(d.n, 1);
}

/* ---- limits: payload size, time window ---- */

static void test_payload_size(void **state)
{
	(void)state;
	char buf[2048];
	const char *obj = jq("{" GOOD_TAIL "}");
	size_t n = strlen(obj);
	memcpy(buf, obj, n);
	memset(buf + n, ' ', sizeof(buf) - n); /* trailing whitespace is allowed */

	struct collector c = {0};
	int rc = run_full(&c, &default_layout, &default_limits, T_COAL, buf, 1024);
	assert_int_equal(rc, 1);
	assert_int_equal(c.n, 1);

	memset(&c, 0, sizeof(c));
	rc = run_full(&c, &default_layout, &default_limits, T_COAL, buf, 1025);
	assert_int_equal(rc, 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ev[0].element, -1);
	assert_int_equal(c.ev[0].reason, ET_REJ_PAYLOAD_TOO_LARGE);
	assert_string_equal(c.ev[0].detail, "payload of 1025 bytes exceeds max_payload_bytes 1024");

	/* The payload is bounded by its length, not by a NUL. */
	memset(&c, 0, sizeof(c));
	memcpy(buf + n, "garbage", 7);
	rc = run_full(&c, &default_layout, &default_limits, T_COAL, buf, n);
	assert_int_equal(rc, 1);
	/* and a NUL inside the length is garbage */
	memset(&c, 0, sizeof(c));
	buf[n] = '\0';
	rc = run_full(&c, &default_layout, &default_limits, T_COAL, buf, n + 1);
	assert_int_equal(rc, 0);
	assert_int_equal(c.ev[0].reason, ET_REJ_BAD_JSON);
}

static void test_topic_length(void **state)
{
	(void)state;
	/* exactly max_topic_bytes (64) */
	const char *topic = "energy/mine/m123456789012345678901234567890123456789012/raw_coal";
	assert_int_equal(strlen(topic), 64);
	struct collector c = {0};
	assert_int_equal(run(&c, topic, "{" GOOD_TAIL "}"), 1);
	assert_string_equal(c.ev[0].r.site, "m123456789012345678901234567890123456789012");
	/* the length bounds the topic */
	et_decode_sink_t sink = {.ctx = &c, .on_reading = on_reading, .on_reject = on_reject};
	const char *p = jq("{" GOOD_TAIL "}");
	memset(&c, 0, sizeof(c));
	assert_int_equal(et_decode(&default_layout, &default_limits, "energy/mine/m1/raw_coal/xyz",
				   23, p, strlen(p), NOW_US, &sink),
			 1);
	assert_string_equal(c.ev[0].r.metric, "raw_coal");
}

static void test_time_window(void **state)
{
	(void)state;
	static const struct {
		const char *ts;
		int64_t max_past_s;
		enum et_reject want;
	} t[] = {
		{"2024-03-01T08:05:00Z", 0, ET_REJ_NONE}, /* exactly now + max_future */
		{"2024-03-01T08:05:00.000001Z", 0, ET_REJ_TS_IN_FUTURE},
		{"2024-03-01T16:05:00+08:00", 0, ET_REJ_NONE},
		{"2024-03-01T16:05:01+08:00", 0, ET_REJ_TS_IN_FUTURE},
		{"1990-01-01T00:00:00Z", 0, ET_REJ_NONE}, /* no past limit */
		{"0001-01-01T00:00:00Z", 0, ET_REJ_NONE},
		/* year 0 in UTC: PostgreSQL would refuse it, and the whole COPY
		 * with it (see test_parse_utc_year_range of test_rfc3339.c) */
		{"0001-01-01T00:00:00+08:00", 0, ET_REJ_BAD_TS},
		{"2024-02-29T08:00:00Z", 86400, ET_REJ_NONE}, /* exactly now - max_past */
		{"2024-02-29T07:59:59.999999Z", 86400, ET_REJ_TS_TOO_OLD},
		{"2024-02-29T15:59:59+08:00", 86400, ET_REJ_TS_TOO_OLD},
		{"1990-01-01T00:00:00Z", 86400, ET_REJ_TS_TOO_OLD},
		{"2024-03-01T08:00:00Z", 86400, ET_REJ_NONE},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_decode_limits_t lim = default_limits;
		lim.max_past_us = t[i].max_past_s * SEC;
		char payload[256];
		snprintf(payload, sizeof(payload), "{'ts':'%s','value':1,'unit':'t'}", t[i].ts);
		const char *p = jq(payload);
		struct collector c = {0};
		int rc = run_full(&c, &default_layout, &lim, T_COAL, p, strlen(p));
		assert_int_equal(c.n, 1);
		if (c.ev[0].reason != t[i].want)
			fail_msg("case %zu %s: %s (%s), want %s", i, t[i].ts,
				 et_reject_name(c.ev[0].reason), c.ev[0].detail,
				 et_reject_name(t[i].want));
		assert_int_equal(rc, t[i].want == ET_REJ_NONE ? 1 : 0);
		if (t[i].want == ET_REJ_TS_TOO_OLD)
			assert_string_equal(c.ev[0].detail, "ts is more than 86400 s in the past");
	}
}

/* ---- topics and layouts ---- */

/* A topic that does not fit the layout still decodes when the payload
 * names kind, site and metric; the topic's levels are then not used. */
static void test_unmatched_topic_with_overrides(void **state)
{
	(void)state;
	struct collector c = {0};
	int rc = run(&c, "factory/7",
		     "{'kind':'enterprise','site':'steel1','metric':'energy_consumption',"
		     "'ts':'" TS "','value':2,'unit':'万吨标准煤'}");
	assert_int_equal(rc, 1);
	assert_string_equal(c.ev[0].r.kind, "enterprise");
	assert_string_equal(c.ev[0].r.site, "steel1");
	assert_string_equal(c.ev[0].r.metric, "energy_consumption");
	assert_true(c.ev[0].r.value == 20000);

	/* a partial match contributes nothing: energy/mine/m1 has no metric level,
	 * and its kind and site are not taken either */
	memset(&c, 0, sizeof(c));
	rc = run(&c, "energy/mine/m1", "{'metric':'raw_coal'," GOOD_TAIL "}");
	assert_int_equal(rc, 0);
	assert_int_equal(c.ev[0].reason, ET_REJ_BAD_TOPIC);
	assert_string_equal(c.ev[0].detail, "no kind in the topic or the payload");
}

static void test_custom_layout(void **state)
{
	(void)state;
	et_topic_layout_t lay;
	char err[128] = "";
	assert_int_equal(et_topic_layout_compile(&lay, "cz/+/{metric}/x/{site}", err, sizeof(err)),
			 0);
	assert_int_equal(lay.nlevels, 5);

	struct collector c = {0};
	const char *p = jq("{'kind':'plant'," GOOD_TAIL "}");
	int rc = run_full(&c, &lay, &default_limits, "cz/anything/raw_coal/x/site-9", p, strlen(p));
	assert_int_equal(rc, 1);
	assert_string_equal(c.ev[0].r.kind, "plant");
	assert_string_equal(c.ev[0].r.site, "site-9");
	assert_string_equal(c.ev[0].r.metric, "raw_coal");

	/* "+" matches an empty level too, as in MQTT */
	memset(&c, 0, sizeof(c));
	rc = run_full(&c, &lay, &default_limits, "cz//raw_coal/x/s1", p, strlen(p));
	assert_int_equal(rc, 1);

	/* no {kind} in the layout: the payload must give it */
	memset(&c, 0, sizeof(c));
	p = jq("{" GOOD_TAIL "}");
	rc = run_full(&c, &lay, &default_limits, "cz/a/raw_coal/x/s1", p, strlen(p));
	assert_int_equal(rc, 0);
	assert_int_equal(c.ev[0].reason, ET_REJ_BAD_TOPIC);
	assert_string_equal(c.ev[0].detail, "no kind in the topic or the payload");

	/* literals must match exactly */
	static const char *const misses[] = {
		"cz/a/raw_coal/y/s1",  "CZ/a/raw_coal/x/s1",   "cz/a/raw_coal/x",
		"cz/a/raw_coal/x/s1/", "cz/a/b/raw_coal/x/s1",
	};
	p = jq("{'kind':'plant'," GOOD_TAIL "}");
	for (size_t i = 0; i < ARRAY_LEN(misses); i++) {
		memset(&c, 0, sizeof(c));
		rc = run_full(&c, &lay, &default_limits, misses[i], p, strlen(p));
		if (rc != 0 || c.ev[0].reason != ET_REJ_BAD_TOPIC)
			fail_msg("%s: rc %d %s", misses[i], rc, et_reject_name(c.ev[0].reason));
		assert_string_equal(c.ev[0].detail, "no site in the topic or the payload");
	}

	/* the shortest layout: two placeholders and nothing else */
	assert_int_equal(et_topic_layout_compile(&lay, "{site}/{metric}", err, sizeof(err)), 0);
	assert_int_equal(lay.nlevels, 2);
	memset(&c, 0, sizeof(c));
	p = jq("{'kind':'region','ts':'" TS "','value':1,'unit':'亿元'}");
	rc = run_full(&c, &lay, &default_limits, "s1/gdp", p, strlen(p));
	assert_int_equal(rc, 1);
	assert_string_equal(c.ev[0].r.site, "s1");
	assert_string_equal(c.ev[0].r.metric, "gdp");
	assert_true(c.ev[0].r.value == 1e8);
}

static void test_layout_errors(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		const char *err;
	} t[] = {
		{"", "level 1 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{kind}/{site}", "the layout needs {site} and {metric}"},
		{"energy/{kind}/{metric}", "the layout needs {site} and {metric}"},
		{"energy/+/+/+", "the layout needs {site} and {metric}"},
		{"energy/{site}/{metric}/{site}", "a placeholder appears twice"},
		{"{kind}/{kind}/{site}/{metric}", "a placeholder appears twice"},
		{"energy/{metric}/{site}/{metric}", "a placeholder appears twice"},
		{"energy/#", "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{site}/{metric}/#",
		 "level 4 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/a+b/{site}/{metric}",
		 "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"energy//{site}/{metric}",
		 "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"/energy/{site}/{metric}",
		 "level 1 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{site}/{metric}/",
		 "level 4 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{foo}/{site}/{metric}",
		 "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{site/{metric}", "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"energy/{Site}/{metric}", "level 2 must be a word, +, {kind}, {site} or {metric}"},
		{"a/b/c/d/e/f/g/h/i/j/k/l/m/n/{site}/{metric}/q", "more than 16 levels"},
		{"a123456789012345678901234567890123456789012345678901234567890123/{site}/{metric}",
		 "level 1 must be a word, +, {kind}, {site} or {metric}"},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_topic_layout_t lay;
		char err[128] = "";
		int rc = et_topic_layout_compile(&lay, t[i].spec, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("\"%s\": rc %d, want -EINVAL", t[i].spec, rc);
		if (strcmp(err, t[i].err) != 0)
			fail_msg("\"%s\": \"%s\", want \"%s\"", t[i].spec, err, t[i].err);
	}
	/* the limits themselves are fine */
	static const char *const ok[] = {
		"a/b/c/d/e/f/g/h/i/j/k/l/m/n/{site}/{metric}",
		"a12345678901234567890123456789012345678901234567890123456789012/{site}/{metric}",
		"{metric}/{site}",
		"+/{site}/+/{metric}/+",
		"$share/{kind}/{site}/{metric}",
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		et_topic_layout_t lay;
		char err[128] = "";
		if (et_topic_layout_compile(&lay, ok[i], err, sizeof(err)) != 0)
			fail_msg("\"%s\" refused: %s", ok[i], err);
	}
	/* a short error buffer truncates, never overflows */
	et_topic_layout_t lay;
	char small[8];
	assert_int_equal(et_topic_layout_compile(&lay, "x", small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "the lay");
}

/* ---- names and helpers ---- */

/* Sane bounds per dimension and the nesting limit. */
static void test_bounds_and_depth(void **state)
{
	(void)state;
	static const struct {
		const char *metric, *value, *unit;
		enum et_reject want;
	} t[] = {
		{"capacity_commissioned", "1e7", "MW", ET_REJ_NONE},
		{"capacity_commissioned", "1.0001e7", "MW", ET_REJ_OUT_OF_RANGE},
		{"capacity_commissioned", "1e5", "GW", ET_REJ_OUT_OF_RANGE},
		{"raw_coal", "1e10", "t", ET_REJ_NONE},
		{"raw_coal", "2e10", "t", ET_REJ_OUT_OF_RANGE},
		{"raw_coal", "1e7", "万吨", ET_REJ_OUT_OF_RANGE},
		{"gdp", "1e15", "元", ET_REJ_NONE},
		{"gdp", "1e8", "亿元", ET_REJ_OUT_OF_RANGE},
		{"belt_speed", "-1e300", "m/s", ET_REJ_OUT_OF_RANGE},
		{"belt_speed", "1e15", "m/s", ET_REJ_NONE},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char topic[128], payload[256];
		snprintf(topic, sizeof(topic), "energy/region/changzhi/%s", t[i].metric);
		snprintf(payload, sizeof(payload), "{'ts':'" TS "','value':%s,'unit':'%s'}",
			 t[i].value, t[i].unit);
		struct collector c = {0};
		run(&c, topic, payload);
		if (c.n != 1 || c.ev[0].reason != t[i].want)
			fail_msg("case %zu (%s %s %s): reason %s: %s", i, t[i].metric, t[i].value,
				 t[i].unit, et_reject_name(c.ev[0].reason), c.ev[0].detail);
	}
	/* depth: a reading is depth 1 (2 in an array); 17 brackets are refused by
	 * default limits (16), brackets inside strings do not count */
	char deep[64] = "";
	for (int i = 0; i < 17; i++)
		strcat(deep, "[");
	struct collector c = {0};
	run(&c, "energy/region/changzhi/gdp", deep);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.ev[0].reason, ET_REJ_TOO_DEEP);
	struct collector c2 = {0};
	run(&c2, "energy/region/changzhi/gdp",
	    "[{'ts':'" TS "','value':1,'unit':'元','name':'[[[[[[[[[[[[[[[[[[[[[ \\\"x'}]");
	assert_int_equal(c2.n, 1);
	assert_int_equal(c2.ev[0].reason, ET_REJ_NONE);
}

static void test_reject_names(void **state)
{
	(void)state;
	static const char *const want[ET_REJ_COUNT] = {
		"none",		"payload_too_large", "bad_json",      "not_an_object",
		"empty_batch",	"too_many_readings", "bad_topic",     "bad_kind",
		"bad_site",	"bad_metric",	     "missing_ts",    "bad_ts",
		"ts_in_future", "ts_too_old",	     "missing_value", "bad_value",
		"out_of_range", "missing_unit",	     "unknown_unit",  "unit_mismatch",
		"bad_field",	"db_refused",	     "too_deep",      "rate_limited",
	};
	for (int i = 0; i < ET_REJ_COUNT; i++) {
		const char *n = et_reject_name((enum et_reject)i);
		assert_non_null(n);
		assert_string_equal(n, want[i]);
		for (int k = 0; k < i; k++)
			if (strcmp(n, et_reject_name((enum et_reject)k)) == 0)
				fail_msg("reasons %d and %d share the name %s", k, i, n);
		/* names are stored in the database: lower-case identifiers */
		for (const char *p = n; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
	}
	assert_string_equal(et_reject_name(ET_REJ_COUNT), "unknown");
	assert_string_equal(et_reject_name((enum et_reject) - 1), "unknown");
	assert_string_equal(et_reject_name((enum et_reject)1000), "unknown");
}

static void test_text_is_clean(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;
		bool clean;
	} t[] = {
		{"", 0, true},
		{"abc", 3, true},
		{"长治市", 9, true},
		{"é", 2, true},
		{"\xf0\x9f\x98\x80", 4, true}, /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", 4, true}, /* U+10FFFF */
		{"\xc2\xa0", 2, true},	       /* U+00A0, first after C1 */
		{"~ !", 3, true},
		{"a\tb", 3, false},
		{"a\nb", 3, false},
		{"\x7f", 1, false},
		{"a\0b", 3, false},
		{"\xc2\x85", 2, false}, /* U+0085, C1 */
		{"\xc2\x9f", 2, false}, /* U+009F, C1 */
		{"\xff", 1, false},
		{"\xfe", 1, false},
		{"\x80", 1, false},		/* lone continuation */
		{"\xc0\xaf", 2, false},		/* overlong '/' */
		{"\xc1\xbf", 2, false},		/* overlong */
		{"\xe0\x80\xaf", 3, false},	/* overlong */
		{"\xf0\x80\x80\xaf", 4, false}, /* overlong */
		{"\xed\xa0\x80", 3, false},	/* surrogate U+D800 */
		{"\xed\xbf\xbf", 3, false},	/* surrogate U+DFFF */
		{"\xf4\x90\x80\x80", 4, false}, /* U+110000 */
		{"\xf5\x80\x80\x80", 4, false},
		{"\xf8\x88\x80\x80\x80", 5, false}, /* 5-byte form */
		{"\xe9\x95", 2, false},		    /* truncated */
		{"\xe9\x95\xbf", 2, false},	    /* truncated by the length */
		{"\xe9\x41\xbf", 3, false},	    /* bad continuation */
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (et_text_is_clean(t[i].s, t[i].len) != t[i].clean)
			fail_msg("case %zu: want %s", i, t[i].clean ? "clean" : "not clean");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_object),
		cmocka_unit_test(test_all_optional_fields),
		cmocka_unit_test(test_counter_rollover),
		cmocka_unit_test(test_counter_total_bounds),
		cmocka_unit_test(test_conversion),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_period_stored),
		cmocka_unit_test(test_bad_json_detail),
		cmocka_unit_test(test_rejects_in_batch),
		cmocka_unit_test(test_batch_mixed),
		cmocka_unit_test(test_batch_no_leak),
		cmocka_unit_test(test_batch_overrides),
		cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_sink_stops),
		cmocka_unit_test(test_payload_size),
		cmocka_unit_test(test_topic_length),
		cmocka_unit_test(test_time_window),
		cmocka_unit_test(test_unmatched_topic_with_overrides),
		cmocka_unit_test(test_custom_layout),
		cmocka_unit_test(test_layout_errors),
		cmocka_unit_test(test_reject_names),
		cmocka_unit_test(test_bounds_and_depth),
		cmocka_unit_test(test_text_is_clean),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
