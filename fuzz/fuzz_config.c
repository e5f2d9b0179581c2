/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/config.c (over libinih). The input is the text of
 * a configuration file. Checked: errors are appended after what the buffer
 * held, each one line "fuzz.ini:LINE: [section] key: message" with LINE
 * inside the file (0 for a problem of no one line); the result is 0 exactly
 * when there is no error; a configuration that passed holds only values
 * that validate() and the key table allow; every string is set (freeing
 * must work either way); a second parse of the same text says the same;
 * et_config_diff_fixed and et_config_limits agree with the fields. Leaks
 * are LeakSanitizer's to find. */
#include "fuzz_util.h"

#include <limits.h>

#include "enertrack/buf.h"
#include "enertrack/config.h"

#define FILE_NAME "fuzz.ini"
#define EARLIER	  "earlier\n"

/* The i-th string field, NSTR of them. */
static const char *str_field(const et_config_t *c, int i)
{
	const char *const f[] = {
		c->mqtt_uri,	      c->mqtt_client_id,   c->mqtt_topics,
		c->mqtt_topic_layout, c->mqtt_username,	   c->mqtt_password_file,
		c->mqtt_ca_file,      c->mqtt_cert_file,   c->mqtt_key_file,
		c->pg_conninfo,	      c->pg_password_file, c->spool_dir,
		c->log_level,	      c->http_listen,	   c->tz,
		c->smtp_url,	      c->smtp_tls,	   c->smtp_from,
		c->smtp_to,	      c->smtp_username,	   c->smtp_password_file,
		c->smtp_ca_file,
	};
	return f[i];
}

#define NSTR 22

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool blank(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

static int parse(et_config_t *cfg, const uint8_t *data, size_t size, et_buf_t *errs)
{
	CHECK(et_config_init(cfg) == 0);
	et_buf_reset(errs);
	CHECK(et_buf_append(errs, EARLIER, strlen(EARLIER)) == 0);
	int rc = et_config_parse(cfg, FILE_NAME, (const char *)data, size, errs);
	CHECK(rc == 0 || rc == -EINVAL);
	for (int i = 0; i < NSTR; i++)
		CHECK(str_field(cfg, i) != NULL);
	return rc;
}

/* Each line after EARLIER is "FILE:LINE: [" ... with 0 <= LINE <= nlines;
 * add_err cuts a message at 511 bytes, so only the start is sure. */
static void check_errs(const et_buf_t *errs, int rc, size_t nlines)
{
	size_t el = strlen(EARLIER);
	CHECK(errs->len >= el && memcmp(errs->data, EARLIER, el) == 0);
	CHECK((rc == 0) == (errs->len == el));
	const char *p = errs->data + el, *end = errs->data + errs->len;
	CHECK(p == end || end[-1] == '\n');
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		CHECK(nl);
		size_t n = (size_t)(nl - p);
		CHECK(n > 0 && n <= 511);
		CHECK(memchr(p, '\0', n) == NULL);
		size_t fl = strlen(FILE_NAME);
		CHECK(n > fl + 1 && memcmp(p, FILE_NAME ":", fl + 1) == 0);
		const char *q = p + fl + 1;
		unsigned long line = 0;
		int digits = 0;
		while (q < nl && *q >= '0' && *q <= '9') {
			line = line * 10 + (unsigned long)(*q++ - '0');
			CHECK(++digits <= 10);
		}
		CHECK(digits > 0 && line <= nlines);
		CHECK(nl - q >= 3 && memcmp(q, ": [", 3) == 0);
		/* a whole line names section and key: "] key: message" */
		if (n < 511) {
			const char *close = memchr(q, ']', (size_t)(nl - q));
			CHECK(close && close + 1 < nl && close[1] == ' ');
			const char *colon = memchr(close, ':', (size_t)(nl - close));
			CHECK(colon && colon + 1 < nl && colon[1] == ' ');
		}
		p = nl + 1;
	}
}

/* What validate() and the key table guarantee of a configuration that
 * parsed without error. */
static void check_valid(const et_config_t *c)
{
	CHECK(c->mqtt_qos >= 0 && c->mqtt_qos <= 2);
	CHECK(c->mqtt_version == 3 || c->mqtt_version == 5);
	CHECK(c->mqtt_keepalive_s >= 5 && c->mqtt_keepalive_s <= 3600);
	CHECK(c->batch_rows >= 1 && c->batch_rows <= 1000000);
	CHECK(c->flush_ms >= 1 && c->flush_ms <= 60000);
	CHECK(c->max_payload_bytes >= 64 && c->max_payload_bytes <= 16777216);
	CHECK(c->max_readings >= 1 && c->max_readings <= 1000000);
	CHECK(c->max_topic_bytes >= 8 && c->max_topic_bytes <= 65535);
	CHECK(c->max_future_s >= 0 && c->max_past_s >= 0);
	CHECK(c->max_rejects_per_message >= 1 && c->max_rejects_per_message <= 1000000);
	CHECK(c->spool_sync_ms >= 0 && c->spool_sync_ms <= 10000);
	CHECK(c->max_json_depth >= 2 && c->max_json_depth <= 1000);
	CHECK(c->max_site_readings_per_s >= 0 && c->max_site_readings_per_s <= 10000000);
	CHECK(c->spool_max_mb >= 1 && c->spool_max_mb <= 1048576);
	CHECK(c->http_quiet_alarm_s >= 0);
	CHECK(c->eval_interval_s >= 1 && c->eval_interval_s <= 86400);
	CHECK(isfinite(c->min_elapsed_pct) && c->min_elapsed_pct >= 0 && c->min_elapsed_pct <= 100);
	CHECK(c->stale_after_s >= 1);
	CHECK(isfinite(c->fire_pct) && c->fire_pct >= 0 && c->fire_pct <= 1000);
	CHECK(isfinite(c->resolve_pct) && c->resolve_pct >= 0 && c->resolve_pct < c->fire_pct);
	CHECK(c->pending_s >= 0 && c->repeat_s >= 0);
	CHECK(c->smtp_timeout_s >= 1 && c->smtp_timeout_s <= 3600);
	CHECK(c->smtp_retry_s >= 1 && c->smtp_retry_s <= 86400);

	size_t cl = strlen(c->mqtt_client_id);
	CHECK(cl >= 1 && cl <= 64);
	CHECK(!blank(c->mqtt_topics, " \t"));
	CHECK(starts(c->mqtt_uri, "tcp://") || starts(c->mqtt_uri, "ssl://") ||
	      starts(c->mqtt_uri, "mqtt://") || starts(c->mqtt_uri, "mqtts://") ||
	      starts(c->mqtt_uri, "ws://") || starts(c->mqtt_uri, "wss://"));
	CHECK((c->mqtt_cert_file[0] == '\0') == (c->mqtt_key_file[0] == '\0'));
	CHECK(c->spool_dir[0] == '/');
	CHECK(strcmp(c->log_level, "error") == 0 || strcmp(c->log_level, "warn") == 0 ||
	      strcmp(c->log_level, "info") == 0 || strcmp(c->log_level, "debug") == 0);
	CHECK(strcmp(c->smtp_tls, "starttls") == 0 || strcmp(c->smtp_tls, "none") == 0);
	CHECK(c->smtp_url[0] == '\0' || starts(c->smtp_url, "smtp://") ||
	      starts(c->smtp_url, "smtps://"));
	CHECK(!blank(c->smtp_from, " \t") && !strchr(c->smtp_from, '<') &&
	      !strchr(c->smtp_from, '>'));
	CHECK(c->smtp_url[0] == '\0' || !blank(c->smtp_to, " ,\t"));
	CHECK(c->tz[0] != '\0' && !strchr(c->tz, '\'') && strlen(c->tz) <= 64);

	/* the derived layout is the compiled topic_layout */
	et_topic_layout_t l;
	char err[160];
	CHECK(et_topic_layout_compile(&l, c->mqtt_topic_layout, err, sizeof(err)) == 0);
	CHECK(memcmp(&l, &c->layout, sizeof(l)) == 0);

	et_decode_limits_t lim;
	et_config_limits(c, &lim);
	CHECK(lim.max_payload_bytes == (size_t)c->max_payload_bytes);
	CHECK(lim.max_readings == (size_t)c->max_readings);
	CHECK(lim.max_topic_bytes == (size_t)c->max_topic_bytes);
	CHECK(lim.max_future_us == (int64_t)c->max_future_s * 1000000);
	CHECK(lim.max_past_us == (int64_t)c->max_past_s * 1000000);
	CHECK(lim.max_json_depth == c->max_json_depth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nlines = 0;
	for (size_t i = 0; i < size; i++)
		nlines += data[i] == '\n';
	if (size > 0 && data[size - 1] != '\n')
		nlines++;

	et_config_t cfg, again, defaults;
	et_buf_t errs = ET_BUF_INIT, errs2 = ET_BUF_INIT, diff = ET_BUF_INIT;
	int rc = parse(&cfg, data, size, &errs);
	check_errs(&errs, rc, nlines);
	if (rc == 0)
		check_valid(&cfg);

	/* the same text, the same answer */
	int rc2 = parse(&again, data, size, &errs2);
	CHECK(rc2 == rc && errs2.len == errs.len && memcmp(errs2.data, errs.data, errs.len) == 0);
	et_config_free(&again);

	/* one line per fixed key that differs from the defaults */
	CHECK(et_config_init(&defaults) == 0);
	int nd = et_config_diff_fixed(&defaults, &cfg, &diff);
	int nl = 0;
	for (size_t i = 0; i < diff.len; i++)
		nl += diff.data[i] == '\n';
	CHECK(nd >= 0 && nd == nl);
	CHECK(et_config_diff_fixed(&cfg, &cfg, &diff) == 0);
	et_config_free(&defaults);

	et_config_free(&cfg);
	et_config_free(&cfg); /* freeing twice is harmless: the strings are NULL */
	et_buf_free(&errs);
	et_buf_free(&errs2);
	et_buf_free(&diff);
	return 0;
}
