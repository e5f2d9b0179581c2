/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/config.c: defaults, a good file, every kind of error
 * with its exact "FILE:LINE: [section] key: message" line, several errors in
 * one file, and what a reload may not change (et_config_diff_fixed).
 * Fixture files live in tests/data/config/: NAME.ini is parsed as "NAME.ini"
 * and must produce exactly the lines of NAME.err (no .err: no error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/config.h"
#include "enertrack/hostport.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The fixtures, found from this file's path (the Makefile compiles it as
 * tests/unit/test_config.c from the top directory) unless ET_TEST_DATA is set. */
static char data_dir[1024];

static int setup(void **state)
{
	(void)state;
	const char *env = getenv("ET_TEST_DATA");
	if (env) {
		snprintf(data_dir, sizeof(data_dir), "%s/config", env);
	} else {
		const char *f = __FILE__;
		const char *slash = strrchr(f, '/');
		int n = slash ? (int)(slash - f) : 1;
		snprintf(data_dir, sizeof(data_dir), "%.*s/../data/config", n, slash ? f : ".");
	}
	return 0;
}

/* Reads a fixture; returns NULL when it does not exist. */
static char *read_fixture(const char *name, size_t *ret_len)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, f);
	assert_false(ferror(f));
	fclose(f);
	buf[n] = '\0';
	*ret_len = n;
	return buf;
}

/* Parses text as `file` over the defaults; errs gets the error lines, NUL-
 * terminated. */
static int parse(et_config_t *cfg, const char *file, const char *text, size_t len, et_buf_t *errs)
{
	assert_int_equal(et_config_init(cfg), 0);
	et_buf_reset(errs);
	int rc = et_config_parse(cfg, file, text, len, errs);
	assert_int_equal(et_buf_append(errs, "", 1), 0);
	errs->len--;
	return rc;
}

static void check_defaults(const et_config_t *c)
{
	assert_string_equal(c->mqtt_uri, "tcp://127.0.0.1:1883");
	assert_string_equal(c->language, "en");
	assert_string_equal(c->mqtt_client_id, "enertrack");
	assert_string_equal(c->mqtt_topics, "energy/#");
	assert_string_equal(c->mqtt_topic_layout, "energy/{kind}/{site}/{metric}");
	assert_int_equal(c->mqtt_qos, 1);
	assert_int_equal(c->mqtt_version, 3);
	assert_string_equal(c->mqtt_username, "");
	assert_string_equal(c->mqtt_password_file, "");
	assert_int_equal(c->mqtt_keepalive_s, 30);
	assert_int_equal(c->mqtt_session_expiry_s, 604800);
	assert_int_equal(c->mqtt_member_down_alarm_s, 300);
	assert_string_equal(c->pg_reader_conninfo, "");
	assert_int_equal(c->ret_interval_s, 3600);
	assert_int_equal(c->ret_raw_months, 36);
	assert_int_equal(c->ret_ahead_months, 3);
	assert_string_equal(c->mqtt_ca_file, "");
	assert_string_equal(c->mqtt_cert_file, "");
	assert_string_equal(c->mqtt_key_file, "");
	assert_string_equal(c->pg_conninfo, "");
	assert_string_equal(c->pg_password_file, "");
	assert_int_equal(c->batch_rows, 5000);
	assert_int_equal(c->flush_ms, 200);
	assert_int_equal(c->max_payload_bytes, 262144);
	assert_int_equal(c->max_readings, 10000);
	assert_int_equal(c->max_topic_bytes, 256);
	assert_int_equal(c->max_future_s, 300);
	assert_int_equal(c->max_past_s, 315360000);
	assert_int_equal(c->max_rejects_per_message, 100);
	assert_string_equal(c->spool_dir, "/var/lib/enertrack/spool");
	assert_string_equal(c->counter_reset, "restart");
	assert_string_equal(c->log_level, "info");
	assert_string_equal(c->statistics_sources, "");
	assert_int_equal(c->milestone_grace_days, 14);
	assert_true(c->reconcile_pct == 5);
}

static void test_defaults(void **state)
{
	(void)state;
	et_config_t cfg;
	assert_int_equal(et_config_init(&cfg), 0);
	check_defaults(&cfg);
	et_decode_limits_t lim;
	et_config_limits(&cfg, &lim);
	assert_int_equal(lim.max_payload_bytes, 262144);
	assert_int_equal(lim.max_readings, 10000);
	assert_int_equal(lim.max_topic_bytes, 256);
	assert_true(lim.max_future_us == 300LL * 1000000);
	assert_true(lim.max_past_us == 315360000LL * 1000000);
	et_config_free(&cfg);
	et_config_free(&cfg); /* twice is harmless */
	et_config_free(NULL);

	/* An empty file is the defaults, valid, with the layout compiled. */
	et_buf_t errs = ET_BUF_INIT;
	assert_int_equal(parse(&cfg, "empty.ini", "", 0, &errs), 0);
	assert_int_equal(errs.len, 0);
	check_defaults(&cfg);
	assert_int_equal(cfg.layout.nlevels, 4);
	assert_int_equal(cfg.layout.level[0].what, 0);
	assert_string_equal(cfg.layout.level[0].literal, "energy");
	assert_int_equal(cfg.layout.level[1].what, 2);
	assert_int_equal(cfg.layout.level[2].what, 3);
	assert_int_equal(cfg.layout.level[3].what, 4);
	et_config_free(&cfg);
	et_buf_free(&errs);
}

static void test_good_file(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("good.ini", &len);
	assert_non_null(text);
	et_config_t c;
	et_buf_t errs = ET_BUF_INIT;
	int rc = parse(&c, "good.ini", text, len, &errs);
	if (rc != 0)
		fail_msg("good.ini: %s", errs.data);
	assert_int_equal(errs.len, 0);
	assert_string_equal(c.mqtt_uri, "ssl://broker.changzhi.example:8883");
	assert_string_equal(c.mqtt_client_id, "enertrack-test");
	assert_string_equal(c.mqtt_topics, "energy/# $share/et/plant/#");
	assert_string_equal(c.mqtt_topic_layout, "cz/{kind}/{site}/{metric}");
	assert_int_equal(c.mqtt_qos, 2);
	assert_int_equal(c.mqtt_version, 5);
	assert_string_equal(c.mqtt_username, "et");
	assert_string_equal(c.mqtt_password_file, "/etc/enertrack/mqtt.pass");
	assert_int_equal(c.mqtt_keepalive_s, 60);
	assert_string_equal(c.mqtt_ca_file, "/etc/ssl/ca.pem");
	assert_string_equal(c.mqtt_cert_file, "/etc/enertrack/client.pem");
	assert_string_equal(c.mqtt_key_file, "/etc/enertrack/client.key");
	assert_string_equal(c.pg_conninfo, "host=/run/postgresql dbname=enertrack");
	assert_string_equal(c.pg_password_file, "/etc/enertrack/pg.pass");
	assert_int_equal(c.batch_rows, 1000);
	assert_int_equal(c.flush_ms, 50);
	assert_int_equal(c.max_payload_bytes, 65536);
	assert_int_equal(c.max_readings, 500);
	assert_int_equal(c.max_topic_bytes, 128);
	assert_int_equal(c.max_future_s, 60);
	assert_int_equal(c.max_past_s, 31536000);
	assert_int_equal(c.max_rejects_per_message, 10);
	assert_string_equal(c.spool_dir, "/var/spool/enertrack");
	assert_string_equal(c.counter_reset, "hold");
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(c.layout.nlevels, 4);
	assert_string_equal(c.layout.level[0].literal, "cz");

	et_decode_limits_t lim;
	et_config_limits(&c, &lim);
	assert_int_equal(lim.max_payload_bytes, 65536);
	assert_int_equal(lim.max_readings, 500);
	assert_int_equal(lim.max_topic_bytes, 128);
	assert_true(lim.max_future_us == 60LL * 1000000);
	assert_true(lim.max_past_us == 31536000LL * 1000000);

	/* Every key differs from its default: all fixed ones are reported. */
	et_config_t d;
	assert_int_equal(et_config_init(&d), 0);
	et_buf_t out = ET_BUF_INIT;
	assert_int_equal(et_config_diff_fixed(&d, &c, &out), 17);
	et_config_free(&d);
	et_buf_free(&out);

	et_config_free(&c);
	et_buf_free(&errs);
	free(text);
}

/* The same good file with CRLF line ends and a UTF-8 BOM. */
static void test_good_file_crlf_bom(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("good.ini", &len);
	assert_non_null(text);
	char *crlf = malloc(2 * len + 4);
	assert_non_null(crlf);
	size_t o = 0;
	memcpy(crlf, "\xef\xbb\xbf", 3);
	o = 3;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = text[i];
	}
	et_config_t c;
	et_buf_t errs = ET_BUF_INIT;
	int rc = parse(&c, "good.ini", crlf, o, &errs);
	if (rc != 0)
		fail_msg("CRLF good.ini: %s", errs.data);
	assert_string_equal(c.mqtt_uri, "ssl://broker.changzhi.example:8883");
	assert_string_equal(c.log_level, "debug");
	assert_string_equal(c.spool_dir, "/var/spool/enertrack");
	assert_int_equal(c.max_payload_bytes, 65536);
	et_config_free(&c);
	et_buf_free(&errs);
	free(crlf);
	free(text);
}

/* Each fixture NAME.ini against NAME.err, exactly. */
static void test_fixtures(void **state)
{
	(void)state;
	static const char *const names[] = {
		"minimal",	    "unknown-section",	"unknown-key",	    "bad-integer",
		"out-of-range",	    "bad-level",	"duplicate-key",    "not-key-value",
		"cert-without-key", "key-without-cert", "bad-topic-layout", "several",
		"listen-names",	    "bad-listen",
	};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char ini[64], err[64];
		snprintf(ini, sizeof(ini), "%s.ini", names[i]);
		snprintf(err, sizeof(err), "%s.err", names[i]);
		size_t len, want_len = 0;
		char *text = read_fixture(ini, &len);
		if (!text)
			fail_msg("%s/%s is missing", data_dir, ini);
		char *want = read_fixture(err, &want_len);
		et_config_t c;
		et_buf_t errs = ET_BUF_INIT;
		int rc = parse(&c, ini, text, len, &errs);
		if (strcmp(errs.data, want ? want : "") != 0)
			fail_msg("%s: errors\n%s\nwant\n%s", ini, errs.data, want ? want : "");
		if (rc != (want && want_len ? -EINVAL : 0))
			fail_msg("%s: rc %d", ini, rc);
		et_config_free(&c);
		et_buf_free(&errs);
		free(text);
		free(want);
	}
}

/* Small cases inline: text, and the exact error lines ("" for none). */
static const struct inline_case {
	const char *text;
	const char *errs;
} inlines[] = {
	/* syntax inih accepts */
	{"[mqtt]\nqos: 2\n", ""},
	{"[mqtt]\n  qos   =   2  \n", ""},
	{"[mqtt]\nqos = 2 ; two\n", ""},
	{"[mqtt]\nqos = 2", ""}, /* no final newline */
	{"\n\n;c\n#c\n[mqtt]\n\nqos=2\n\n", ""},
	{"[ingest]\nmax_future_s = 0\nmax_past_s = 2147483647\n", ""},
	{"[ingest]\nmax_future_s = +5\n", ""},
	{"[mqtt]\nversion = 5\nclient_id = "
	 "a234567890123456789012345678901234567890123456789012345678901234\n",
	 ""},
	{"[mqtt]\nuri = mqtts://b:8883\n", ""},
	{"[mqtt]\nuri = ws://b:80\n", ""},
	{"[mqtt]\nuri = wss://b:443\n", ""},
	{"[mqtt]\nuri = mqtt://b\n", ""},
	{"[mqtt]\nuri = tcp://b\n", ""},
	{"[log]\nlevel = error\n", ""},
	{"[log]\nlevel = warn\n", ""},
	{"[log]\nlevel = info\n", ""},
	{"[log]\nlevel = debug\n", ""},
	{"[alerts]\nlanguage = zh-CN\n", ""},
	{"[alerts]\nlanguage = en\n", ""},
	/* errors */
	{"[alerts]\nlanguage = fr\n", "t.ini:2: [alerts] language: must be en or zh-CN\n"},
	{"qos = 1\n", "t.ini:1: [] qos: unknown section []\n"},
	{"[MQTT]\nqos = 1\n", "t.ini:2: [MQTT] qos: unknown section [MQTT]\n"},
	{"[mqtt]\nQOS = 1\n", "t.ini:2: [mqtt] QOS: unknown key\n"},
	{"[log]\nlevel = INFO\n", "t.ini:2: [log] level: must be error, warn, info or debug\n"},
	{"[log]\nlevel =\n", "t.ini:2: [log] level: must be error, warn, info or debug\n"},
	{"[mqtt]\nqos = -1\n", "t.ini:2: [mqtt] qos: is out of range\n"},
	{"[targets]\nstatistics_sources = bureau, survey\n", ""},
	{"[alerts]\nmilestone_grace_days = 0\nreconcile_pct = 0.5\n", ""},
	{"[alerts]\nmilestone_grace_days = -1\n",
	 "t.ini:2: [alerts] milestone_grace_days: is out of range\n"},
	{"[alerts]\nreconcile_pct = 2000\n", "t.ini:2: [alerts] reconcile_pct: is out of range\n"},
	{"[mqtt]\nqos = 2 2\n", "t.ini:2: [mqtt] qos: must be a whole number\n"},
	{"[mqtt]\nversion = 4\n", "t.ini:2: [mqtt] version: must be 3 (MQTT 3.1.1) or 5\n"},
	{"[mqtt]\nuri = http://b\n",
	 "t.ini:2: [mqtt] uri: must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or "
	 "wss://\n"},
	{"[mqtt]\nuri =\n",
	 "t.ini:2: [mqtt] uri: must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or "
	 "wss://\n"},
	{"[mqtt]\nclient_id = a2345678901234567890123456789012345678901234567890123456789012345\n",
	 "t.ini:2: [mqtt] client_id: must be 1 to 64 characters\n"},
	{"[mqtt]\ntopics =\n", "t.ini:2: [mqtt] topics: needs at least one filter\n"},
	{"[mqtt]\ntopic_layout = energy/{site}/{metric}/{site}\n",
	 "t.ini:2: [mqtt] topic_layout: a placeholder appears twice\n"},
	{"[mqtt]\ntopic_layout =\n",
	 "t.ini:2: [mqtt] topic_layout: level 1 must be a word, +, {kind}, {site} or {metric}\n"},
	{"[ingest]\nspool_dir = spool\n",
	 "t.ini:2: [ingest] spool_dir: must be an absolute path\n"},
	{"[ingest]\nspool_dir =\n", "t.ini:2: [ingest] spool_dir: must be an absolute path\n"},
	{"[ingest]\ncounter_reset = zero\n",
	 "t.ini:2: [ingest] counter_reset: must be restart or hold\n"},
	{"[mqtt]\nqos = 1\nqos = 1\n", "t.ini:3: [mqtt] qos: given twice (first on line 2)\n"},
	/* a duplicate is reported even when the first value was bad */
	{"[mqtt]\nqos = x\nqos = 1\n", "t.ini:2: [mqtt] qos: must be a whole number\n"
				       "t.ini:3: [mqtt] qos: given twice (first on line 2)\n"},
	/* lines that are not key = value, each reported */
	{"[mqtt]\nqos\n", "t.ini:2: [-] -: not a section header or key = value line\n"},
	{"garbage\n[mqtt]\nmore garbage\nqos = 1\n",
	 "t.ini:1: [-] -: not a section header or key = value line\n"
	 "t.ini:3: [-] -: not a section header or key = value line\n"},
	{"[mqtt\nqos = 1\n", "t.ini:2: [] qos: unknown section []\n"
			     "t.ini:1: [-] -: not a section header or key = value line\n"},
	/* a NUL byte hides nothing */
	{"[mqtt]\nqos = 1\0 garbage\n", "t.ini:2: [-] -: NUL byte in line\n"},
	/* the client certificate needs its key, and the key its certificate */
	{"[mqtt]\ncert_file = c.pem\nkey_file = c.key\n", ""},
	{"[mqtt]\ncert_file = c.pem\n",
	 "t.ini:2: [mqtt] cert_file: cert_file and key_file go together\n"},
	{"[mqtt]\nkey_file = c.key\n",
	 "t.ini:2: [mqtt] key_file: cert_file and key_file go together\n"},
	{"[mqtt]\ncert_file = c.pem\nkey_file =\n",
	 "t.ini:2: [mqtt] cert_file: cert_file and key_file go together\n"},
	/* [http] listen: the syntax is checked here, names resolve in enertrackd */
	{"[http]\nlisten = localhost:9464\n", ""},
	{"[http]\nlisten = [::1]:9464\n", ""},
	{"[http]\nlisten = 127.0.0.1:9464\n", ""},
	{"[http]\nlisten =\n", ""}, /* off */
	{"[http]\nlisten = localhost\n",
	 "t.ini:2: [http] listen: needs a port: HOST:PORT, e.g. localhost:9464\n"},
	{"[http]\nlisten = ::1:80\n",
	 "t.ini:2: [http] listen: an IPv6 address goes in brackets, e.g. [::1]:80 (the part "
	 "after the last ':' is the port)\n"},
	{"[http]\nlisten = 127.0.0.1:0\n",
	 "t.ini:2: [http] listen: port 0 is out of range (1 to 65535)\n"},
	/* [sparkplug] */
	{"[sparkplug]\nenabled = 1\ngroup_filter = Plant1\nhost_id = h-1\n"
	 "rebirth_min_interval_s = 5\n",
	 ""},
	{"[sparkplug]\nenabled = 2\n", "t.ini:2: [sparkplug] enabled: is out of range\n"},
	{"[sparkplug]\ngroup_filter = a/b\n",
	 "t.ini:2: [sparkplug] group_filter: must be one group id, or + for every group\n"},
	{"[sparkplug]\ngroup_filter = #\n",
	 "t.ini:2: [sparkplug] group_filter: must be one group id, or + for every group\n"},
	{"[sparkplug]\nhost_id = a+b\n",
	 "t.ini:2: [sparkplug] host_id: must be 1 to 64 characters without / # + or spaces\n"},
	{"[sparkplug]\nrebirth_min_interval_s = 0\n",
	 "t.ini:2: [sparkplug] rebirth_min_interval_s: is out of range\n"},
	{"[digest]\nat = 8:30\n",
	 "t.ini:2: [digest] at: must be a local time HH:MM such as 08:30 (empty: no digest)\n"},
	{"[digest]\nat = 08:30\ndays = mon..xyz\n",
	 "t.ini:3: [digest] days: must be days or ranges such as mon..sun, mon..fri or "
	 "mon,wed,fri\n"},
};

/* [digest] at and days, as the daemon uses them. */
static void test_digest_keys(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int rc, minute;
	} clocks[] = {{"08:30", 0, 510},      {"00:00", 0, 0},	    {"23:59", 0, 1439},
		      {"24:00", -EINVAL, 0},  {"8:30", -EINVAL, 0}, {"08:60", -EINVAL, 0},
		      {"08:30x", -EINVAL, 0}, {"", -EINVAL, 0}};
	for (size_t i = 0; i < ARRAY_LEN(clocks); i++) {
		int m = -1;
		assert_int_equal(et_config_clock_parse(clocks[i].s, &m), clocks[i].rc);
		if (clocks[i].rc == 0)
			assert_int_equal(m, clocks[i].minute);
	}
	/* bit d: ISO weekday d (1 Monday .. 7 Sunday) */
	static const struct {
		const char *s;
		int rc;
		unsigned mask;
	} days[] = {
		{"mon..sun", 0, 0xfe},	  {"mon..fri", 0, 0x3e}, {"sat..mon", 0, 0xc2},
		{"mon,wed,fri", 0, 0x2a}, {"sun", 0, 0x80},	 {" mon , sat..sun ", 0, 0xc2},
		{"", -EINVAL, 0},	  {"mon,", -EINVAL, 0},	 {"mon.sun", -EINVAL, 0},
		{"monday", -EINVAL, 0},	  {"mon..", -EINVAL, 0}, {"Mon", -EINVAL, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		unsigned m = 0;
		int rc = et_config_days_parse(days[i].s, &m);
		if (rc != days[i].rc || (rc == 0 && m != days[i].mask))
			fail_msg("days '%s': rc %d mask %#x", days[i].s, rc, m);
	}
	/* defaults: no digest, every day */
	et_config_t c;
	et_buf_t errs = ET_BUF_INIT;
	assert_int_equal(parse(&c, "t.ini", "", 0, &errs), 0);
	assert_int_equal(c.digest_minute, -1);
	assert_int_equal(c.digest_dows, 0xfe);
	et_config_free(&c);
	et_buf_free(&errs);
}

static void test_inline(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(inlines); i++) {
		const char *text = inlines[i].text;
		/* the NUL case: the length covers the whole literal */
		size_t len = strlen(text);
		if (strstr(inlines[i].errs, "NUL byte"))
			len += 1 + strlen(text + len + 1);
		et_config_t c;
		et_buf_t errs = ET_BUF_INIT;
		int rc = parse(&c, "t.ini", text, len, &errs);
		if (strcmp(errs.data, inlines[i].errs) != 0)
			fail_msg("case %zu [%s]: errors\n%s\nwant\n%s", i, text, errs.data,
				 inlines[i].errs);
		if (rc != (inlines[i].errs[0] ? -EINVAL : 0))
			fail_msg("case %zu: rc %d", i, rc);
		et_config_free(&c);
		et_buf_free(&errs);
	}
}

/* A line too long for the line buffer is an error naming its line, and the
 * lines after it are still read. */
static void test_long_line(void **state)
{
	(void)state;
	size_t big = 5000;
	char *text = malloc(big + 64);
	assert_non_null(text);
	int n = sprintf(text, "[mqtt]\nusername = ");
	memset(text + n, 'u', big);
	n += (int)big;
	n += sprintf(text + n, "\nqos = 2\n");
	et_config_t c;
	et_buf_t errs = ET_BUF_INIT;
	assert_int_equal(parse(&c, "t.ini", text, (size_t)n, &errs), -EINVAL);
	assert_string_equal(errs.data, "t.ini:2: [-] -: line longer than 4094 bytes\n");
	assert_int_equal(c.mqtt_qos, 2);
	assert_string_equal(c.mqtt_username, "");
	et_config_free(&c);

	/* the longest line that fits */
	n = sprintf(text, "[mqtt]\n");
	int start = n;
	n += sprintf(text + n, "username = ");
	memset(text + n, 'u', (size_t)(4094 - (n - start)));
	n = start + 4094;
	text[n++] = '\n';
	assert_int_equal(parse(&c, "t.ini", text, (size_t)n, &errs), 0);
	assert_int_equal(strlen(c.mqtt_username), 4094 - strlen("username = "));
	et_config_free(&c);
	et_buf_free(&errs);
	free(text);
}

/* Parsing over a configuration that already holds values replaces them
 * without leaking, and errors are appended after what errs held. */
static void test_parse_appends(void **state)
{
	(void)state;
	et_config_t c;
	assert_int_equal(et_config_init(&c), 0);
	et_buf_t errs = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&errs, "earlier\n", 8), 0);
	const char *t = "[mqtt]\nuri = tcp://a:1\n[log]\nlevel = warn\n";
	assert_int_equal(et_config_parse(&c, "a.ini", t, strlen(t), &errs), 0);
	assert_int_equal(errs.len, 8);
	t = "[mqtt]\nuri = tcp://b:2\n[log]\nlevel = loud\n";
	assert_int_equal(et_config_parse(&c, "b.ini", t, strlen(t), &errs), -EINVAL);
	assert_int_equal(et_buf_append(&errs, "", 1), 0);
	assert_string_equal(errs.data,
			    "earlier\nb.ini:4: [log] level: must be error, warn, info or debug\n");
	assert_string_equal(c.mqtt_uri, "tcp://b:2");
	assert_string_equal(c.log_level, "warn"); /* a bad value leaves the old one */
	et_config_free(&c);
	et_buf_free(&errs);
}

/* The language is parsed once, into cfg->lang, which the renderers read. */
static void test_language_parsed(void **state)
{
	(void)state;
	et_config_t c;
	et_buf_t errs = ET_BUF_INIT;
	const char *t = "[alerts]\nlanguage = zh_CN\n";
	assert_int_equal(parse(&c, "t.ini", t, strlen(t), &errs), 0);
	assert_int_equal(c.lang, ET_LANG_ZH_CN);
	t = "[alerts]\nlanguage = EN\n";
	assert_int_equal(et_config_parse(&c, "t.ini", t, strlen(t), &errs), 0);
	assert_int_equal(c.lang, ET_LANG_EN);
	et_config_free(&c);
	assert_int_equal(et_config_init(&c), 0);
	assert_int_equal(c.lang, ET_LANG_EN); /* the default, "en" */
	et_config_free(&c);
	et_buf_free(&errs);
}

/* ---- et_hostport_parse ---- */

static const struct hostport_case {
	const char *in;
	const char *host; /* NULL: refused with err */
	unsigned port;
	const char *err;
} hostports[] = {
	{"localhost:9464", "localhost", 9464, NULL},
	{"127.0.0.1:9464", "127.0.0.1", 9464, NULL},
	{"[::1]:9464", "::1", 9464, NULL},
	{"[::]:80", "::", 80, NULL},
	{"0.0.0.0:1", "0.0.0.0", 1, NULL},
	{"metrics.plant-1.example:65535", "metrics.plant-1.example", 65535, NULL},
	{"[fe80::1%eth0]:9464", "fe80::1%eth0", 9464, NULL},
	{"[::ffff:127.0.0.1]:9464", "::ffff:127.0.0.1", 9464, NULL},
	{"host_x:08080", "host_x", 8080, NULL},
	/* refused, each with what would be right */
	{"", NULL, 0, "must be HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9464 or [::1]:9464"},
	{"localhost", NULL, 0, "needs a port: HOST:PORT, e.g. localhost:9464"},
	{"localhost:", NULL, 0, "needs a port after ':' (1 to 65535), e.g. 127.0.0.1:9464"},
	{"127.0.0.1:0", NULL, 0, "port 0 is out of range (1 to 65535)"},
	{"127.0.0.1:00000", NULL, 0, "port 0 is out of range (1 to 65535)"},
	{"127.0.0.1:65536", NULL, 0, "port 65536 is out of range (1 to 65535)"},
	{"127.0.0.1:999999999999999999999", NULL, 0,
	 "port 999999999999999999999 is out of range (1 to 65535)"},
	{"127.0.0.1:http", NULL, 0, "port 'http' must be a number from 1 to 65535"},
	{"127.0.0.1:-1", NULL, 0, "port '-1' must be a number from 1 to 65535"},
	{"127.0.0.1:+80", NULL, 0, "port '+80' must be a number from 1 to 65535"},
	{"127.0.0.1: 80", NULL, 0, "port ' 80' must be a number from 1 to 65535"},
	{":9464", NULL, 0,
	 "needs a host before ':PORT': 127.0.0.1 or localhost for this machine only, 0.0.0.0 or "
	 "[::] for every address"},
	{"[::1", NULL, 0, "'[' without a closing ']': write [IPv6]:PORT, e.g. [::1]:9464"},
	{"[::1]", NULL, 0, "needs a port after ']': [::1]:PORT, e.g. [::1]:9464"},
	{"[::1]:", NULL, 0, "needs a port after ':' (1 to 65535), e.g. 127.0.0.1:9464"},
	{"[::1]9464", NULL, 0, "expects ':PORT' right after ']', e.g. [::1]:9464"},
	{"[::1]:0", NULL, 0, "port 0 is out of range (1 to 65535)"},
	{"[]:80", NULL, 0, "no address between '[' and ']', e.g. [::1]:9464"},
	{"[localhost]:80", NULL, 0,
	 "'localhost' is not an IPv6 address: only an IPv6 address goes in brackets (a name or "
	 "an IPv4 address goes without: HOST:PORT)"},
	{"[127.0.0.1]:80", NULL, 0,
	 "'127.0.0.1' is not an IPv6 address: only an IPv6 address goes in brackets (a name or "
	 "an IPv4 address goes without: HOST:PORT)"},
	{"[fe80::1%]:80", NULL, 0,
	 "'fe80::1%' is not an IPv6 address: only an IPv6 address goes in brackets (a name or "
	 "an IPv4 address goes without: HOST:PORT)"},
	{"::1:80", NULL, 0,
	 "an IPv6 address goes in brackets, e.g. [::1]:80 (the part after the last ':' is the "
	 "port)"},
	{"::1", NULL, 0,
	 "an IPv6 address goes in brackets, with the port after them: [IPv6]:PORT, e.g. "
	 "[::1]:9464"},
	{"fe80::1", NULL, 0,
	 "an IPv6 address goes in brackets, with the port after them: [IPv6]:PORT, e.g. "
	 "[::1]:9464"},
	{"::", NULL, 0,
	 "an IPv6 address goes in brackets, with the port after them: [IPv6]:PORT, e.g. "
	 "[::1]:9464"},
	{"fe80::1:9464", NULL, 0,
	 "an IPv6 address goes in brackets, e.g. [fe80::1]:9464 (the part after the last ':' is "
	 "the port)"},
	{"http://localhost:9464", NULL, 0, "is HOST:PORT, not a URL, e.g. localhost:9464"},
	{"local host:80", NULL, 0, "host 'local host' is not a host name or an IPv4 address"},
	{"a/b:80", NULL, 0, "host 'a/b' is not a host name or an IPv4 address"},
};

static void test_hostport(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(hostports); i++) {
		const struct hostport_case *c = &hostports[i];
		char host[256], err[256] = "";
		uint16_t port = 0;
		int rc = et_hostport_parse(c->in, host, sizeof(host), &port, err, sizeof(err));
		if (c->host) {
			if (rc != 0)
				fail_msg("'%s': refused: %s", c->in, err);
			if (strcmp(host, c->host) != 0 || port != c->port)
				fail_msg("'%s': host '%s' port %u, want '%s' %u", c->in, host, port,
					 c->host, c->port);
		} else {
			if (rc != -EINVAL)
				fail_msg("'%s': rc %d, want -EINVAL", c->in, rc);
			if (strcmp(err, c->err) != 0)
				fail_msg("'%s': error\n%s\nwant\n%s", c->in, err, c->err);
		}
	}
	/* a host longer than the caller's buffer, and a name over 253 characters */
	char host[8], err[128];
	uint16_t port;
	assert_int_equal(
		et_hostport_parse("localhost:80", host, sizeof(host), &port, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "the host is longer than 7 characters");
	char big[300], h2[300];
	memset(big, 'a', 254);
	strcpy(big + 254, ":80");
	assert_int_equal(et_hostport_parse(big, h2, sizeof(h2), &port, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the host is longer than 253 characters");
	/* err may be tiny */
	assert_int_equal(et_hostport_parse("x", h2, sizeof(h2), &port, err, 4), -EINVAL);
	assert_string_equal(err, "nee");
}

/* ---- et_config_diff_fixed ---- */

static const struct diff_case {
	const char *text;
	const char *lines; /* what diff_fixed reports against the defaults */
} diffs[] = {
	/* reloadable: nothing to report */
	{"[mqtt]\ntopic_layout = x/{site}/{metric}\n", ""},
	{"[ingest]\nmax_payload_bytes = 1000\n", ""},
	{"[ingest]\nmax_readings = 7\n", ""},
	{"[ingest]\nmax_topic_bytes = 99\n", ""},
	{"[ingest]\nmax_future_s = 1\n", ""},
	{"[ingest]\nmax_past_s = 86400\n", ""},
	{"[ingest]\nmax_rejects_per_message = 3\n", ""},
	{"[log]\nlevel = debug\n", ""},
	/* the same values as the defaults: nothing either */
	{"[mqtt]\nuri = tcp://127.0.0.1:1883\nqos = 1\n[ingest]\nbatch_rows = 5000\n", ""},
	/* fixed ones, one by one */
	{"[mqtt]\nuri = tcp://other:1883\n", "[mqtt] uri cannot change without a restart\n"},
	{"[mqtt]\nclient_id = x\n", "[mqtt] client_id cannot change without a restart\n"},
	{"[mqtt]\ntopics = a/#\n", "[mqtt] topics cannot change without a restart\n"},
	{"[mqtt]\nqos = 0\n", "[mqtt] qos cannot change without a restart\n"},
	{"[mqtt]\nversion = 5\n", "[mqtt] version cannot change without a restart\n"},
	{"[mqtt]\nusername = u\n", "[mqtt] username cannot change without a restart\n"},
	{"[mqtt]\npassword_file = /p\n", "[mqtt] password_file cannot change without a restart\n"},
	{"[mqtt]\nkeepalive_s = 31\n", "[mqtt] keepalive_s cannot change without a restart\n"},
	{"[mqtt]\nca_file = /ca\n", "[mqtt] ca_file cannot change without a restart\n"},
	{"[postgres]\nconninfo = dbname=x\n",
	 "[postgres] conninfo cannot change without a restart\n"},
	{"[postgres]\npassword_file = /p\n",
	 "[postgres] password_file cannot change without a restart\n"},
	{"[ingest]\nbatch_rows = 1\n", "[ingest] batch_rows cannot change without a restart\n"},
	{"[ingest]\nflush_ms = 1\n", "[ingest] flush_ms cannot change without a restart\n"},
	{"[ingest]\nspool_dir = /tmp/s\n", "[ingest] spool_dir cannot change without a restart\n"},
	/* several, in table order, mixed with reloadable ones */
	{"[log]\nlevel = warn\n[ingest]\nflush_ms = 9\nmax_readings = 9\n[mqtt]\nqos = 2\n"
	 "cert_file = /c\nkey_file = /k\n",
	 "[mqtt] qos cannot change without a restart\n"
	 "[mqtt] cert_file cannot change without a restart\n"
	 "[mqtt] key_file cannot change without a restart\n"
	 "[ingest] flush_ms cannot change without a restart\n"},
};

static void test_diff_fixed(void **state)
{
	(void)state;
	et_config_t a, b;
	et_buf_t errs = ET_BUF_INIT, out = ET_BUF_INIT;
	assert_int_equal(parse(&a, "a.ini", "", 0, &errs), 0);
	for (size_t i = 0; i < ARRAY_LEN(diffs); i++) {
		int rc = parse(&b, "b.ini", diffs[i].text, strlen(diffs[i].text), &errs);
		if (rc != 0)
			fail_msg("case %zu: %s", i, errs.data);
		et_buf_reset(&out);
		int n = et_config_diff_fixed(&a, &b, &out);
		int want_n = 0;
		for (const char *p = diffs[i].lines; *p; p++)
			want_n += *p == '\n';
		assert_int_equal(et_buf_append(&out, "", 1), 0);
		if (strcmp(out.data, diffs[i].lines) != 0 || n != want_n)
			fail_msg("case %zu: %d lines\n%s\nwant %d\n%s", i, n, out.data, want_n,
				 diffs[i].lines);
		/* symmetric */
		et_buf_reset(&out);
		assert_int_equal(et_config_diff_fixed(&b, &a, &out), want_n);
		et_config_free(&b);
	}
	/* a configuration does not differ from itself */
	et_buf_reset(&out);
	assert_int_equal(et_config_diff_fixed(&a, &a, &out), 0);
	assert_int_equal(out.len, 0);
	et_config_free(&a);
	et_buf_free(&errs);
	et_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_good_file_crlf_bom),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_parse_appends),
		cmocka_unit_test(test_diff_fixed),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_digest_keys),
		cmocka_unit_test(test_language_parsed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
