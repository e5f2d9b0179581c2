/* SPDX-License-Identifier: MIT */
/* The configuration table and its parser (libinih). inih's stream reader is
 * wrapped to count lines, because Debian's libinih is built without
 * INI_HANDLER_LINENO and errors must name their line. */
#include "enertrack/config.h"

#include "enertrack/hostport.h"
#include "enertrack/i18n.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key_type { K_STR, K_INT, K_LEVEL, K_DBL };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;
	long min, max; /* K_INT and K_DBL */
	bool reloadable;
};

#define OFF(f) offsetof(et_config_t, f)

static const struct key keys[] = {
	{"mqtt", "uri", K_STR, OFF(mqtt_uri), "tcp://127.0.0.1:1883", 0, 0, false},
	{"mqtt", "client_id", K_STR, OFF(mqtt_client_id), "enertrack", 0, 0, false},
	{"mqtt", "topics", K_STR, OFF(mqtt_topics), "energy/#", 0, 0, false},
	{"mqtt", "topic_layout", K_STR, OFF(mqtt_topic_layout), "energy/{kind}/{site}/{metric}", 0,
	 0, true},
	{"mqtt", "qos", K_INT, OFF(mqtt_qos), "1", 0, 2, false},
	{"mqtt", "version", K_INT, OFF(mqtt_version), "3", 3, 5, false},
	{"mqtt", "username", K_STR, OFF(mqtt_username), "", 0, 0, false},
	{"mqtt", "password_file", K_STR, OFF(mqtt_password_file), "", 0, 0, false},
	{"mqtt", "keepalive_s", K_INT, OFF(mqtt_keepalive_s), "30", 5, 3600, false},
	{"mqtt", "ca_file", K_STR, OFF(mqtt_ca_file), "", 0, 0, false},
	{"mqtt", "cert_file", K_STR, OFF(mqtt_cert_file), "", 0, 0, false},
	{"mqtt", "key_file", K_STR, OFF(mqtt_key_file), "", 0, 0, false},
	{"mqtt", "session_expiry_s", K_INT, OFF(mqtt_session_expiry_s), "604800", 0, INT_MAX,
	 false},
	{"mqtt", "member_down_alarm_s", K_INT, OFF(mqtt_member_down_alarm_s), "300", 0, INT_MAX,
	 true},
	{"postgres", "conninfo", K_STR, OFF(pg_conninfo), "", 0, 0, false},
	{"postgres", "password_file", K_STR, OFF(pg_password_file), "", 0, 0, false},
	{"postgres", "reader_conninfo", K_STR, OFF(pg_reader_conninfo), "", 0, 0, false},
	{"ingest", "batch_rows", K_INT, OFF(batch_rows), "5000", 1, 1000000, false},
	{"ingest", "flush_ms", K_INT, OFF(flush_ms), "200", 1, 60000, false},
	{"ingest", "max_payload_bytes", K_INT, OFF(max_payload_bytes), "262144", 64, 16777216,
	 true},
	{"ingest", "max_readings", K_INT, OFF(max_readings), "10000", 1, 1000000, true},
	{"ingest", "max_topic_bytes", K_INT, OFF(max_topic_bytes), "256", 8, 65535, true},
	{"ingest", "max_future_s", K_INT, OFF(max_future_s), "300", 0, INT_MAX, true},
	{"ingest", "max_past_s", K_INT, OFF(max_past_s), "315360000", 0, INT_MAX, true},
	{"ingest", "max_json_depth", K_INT, OFF(max_json_depth), "16", 2, 1000, true},
	{"ingest", "max_site_readings_per_s", K_INT, OFF(max_site_readings_per_s), "1000", 0,
	 10000000, true},
	{"ingest", "max_rejects_per_message", K_INT, OFF(max_rejects_per_message), "100", 1,
	 1000000, true},
	{"ingest", "spool_dir", K_STR, OFF(spool_dir), "/var/lib/enertrack/spool", 0, 0, false},
	{"ingest", "spool_sync_ms", K_INT, OFF(spool_sync_ms), "100", 0, 10000, false},
	{"ingest", "spool_max_mb", K_INT, OFF(spool_max_mb), "1024", 1, 1048576, false},
	{"ingest", "counter_reset", K_STR, OFF(counter_reset), "restart", 0, 0, false},
	{"ingest", "counter_jitter", K_DBL, OFF(counter_jitter), "1", 0, 1e12, false},
	{"log", "level", K_LEVEL, OFF(log_level), "info", 0, 0, true},
	{"http", "listen", K_STR, OFF(http_listen), "127.0.0.1:9464", 0, 0, false},
	{"http", "quiet_alarm_s", K_INT, OFF(http_quiet_alarm_s), "300", 0, INT_MAX, true},
	{"targets", "timezone", K_STR, OFF(tz), "Asia/Shanghai", 0, 0, true},
	{"targets", "eval_interval_s", K_INT, OFF(eval_interval_s), "60", 1, 86400, true},
	{"targets", "min_elapsed_pct", K_DBL, OFF(min_elapsed_pct), "5", 0, 100, true},
	{"targets", "stale_after_s", K_INT, OFF(stale_after_s), "3600", 1, INT_MAX, true},
	{"targets", "statistics_sources", K_STR, OFF(statistics_sources), "", 0, 0, true},
	{"alerts", "fire_pct", K_DBL, OFF(fire_pct), "5", 0, 1000, true},
	{"alerts", "resolve_pct", K_DBL, OFF(resolve_pct), "3", 0, 1000, true},
	{"alerts", "pending_s", K_INT, OFF(pending_s), "3600", 0, INT_MAX, true},
	{"alerts", "repeat_s", K_INT, OFF(repeat_s), "86400", 0, INT_MAX, true},
	{"alerts", "milestone_grace_days", K_INT, OFF(milestone_grace_days), "14", 0, 3660, true},
	{"alerts", "reconcile_pct", K_DBL, OFF(reconcile_pct), "5", 0, 1000, true},
	{"alerts", "no_data_days", K_INT, OFF(no_data_days), "30", 0, 3660, true},
	{"alerts", "eval_fail_s", K_INT, OFF(eval_fail_s), "60", 1, INT_MAX, true},
	{"alerts", "language", K_STR, OFF(language), "en", 0, 0, true},
	{"alerts", "units", K_STR, OFF(units), "local", 0, 0, true},
	{"smtp", "url", K_STR, OFF(smtp_url), "", 0, 0, true},
	{"smtp", "tls", K_STR, OFF(smtp_tls), "starttls", 0, 0, true},
	{"smtp", "from", K_STR, OFF(smtp_from), "enertrack@localhost", 0, 0, true},
	{"smtp", "to", K_STR, OFF(smtp_to), "", 0, 0, true},
	{"smtp", "username", K_STR, OFF(smtp_username), "", 0, 0, true},
	{"smtp", "password_file", K_STR, OFF(smtp_password_file), "", 0, 0, true},
	{"smtp", "ca_file", K_STR, OFF(smtp_ca_file), "", 0, 0, true},
	{"smtp", "timeout_s", K_INT, OFF(smtp_timeout_s), "30", 1, 3600, true},
	{"smtp", "retry_s", K_INT, OFF(smtp_retry_s), "30", 1, 86400, true},
	{"smtp", "max_age_h", K_INT, OFF(smtp_max_age_h), "72", 1, 8760, true},
	{"sparkplug", "enabled", K_INT, OFF(sp_enabled), "0", 0, 1, false},
	{"sparkplug", "group_filter", K_STR, OFF(sp_group_filter), "+", 0, 0, false},
	{"sparkplug", "host_id", K_STR, OFF(sp_host_id), "enertrack", 0, 0, false},
	{"sparkplug", "rebirth_min_interval_s", K_INT, OFF(sp_rebirth_min_interval_s), "30", 1,
	 86400, true},
	{"sparkplug", "max_nodes", K_INT, OFF(sp_max_nodes), "10000", 1, 10000000, true},
	{"sparkplug", "max_birth_metrics", K_INT, OFF(sp_max_birth_metrics), "10000", 1, 1000000,
	 true},
	{"sparkplug", "max_birth_bytes", K_INT, OFF(sp_max_birth_bytes), "1048576", 1024,
	 1073741824, true},
	{"sparkplug", "reorder_timeout_ms", K_INT, OFF(sp_reorder_timeout_ms), "2000", 0, 60000,
	 true},
	{"sparkplug", "max_rebirths_per_s", K_INT, OFF(sp_max_rebirths_per_s), "100", 1, 100000,
	 true},
	{"retention", "interval_s", K_INT, OFF(ret_interval_s), "3600", 0, 86400 * 31, true},
	{"retention", "ahead_months", K_INT, OFF(ret_ahead_months), "3", 1, 120, true},
	{"retention", "raw_months", K_INT, OFF(ret_raw_months), "36", 1, 100000, true},
	{"retention", "rollup_months", K_INT, OFF(ret_rollup_months), "0", 0, 100000, true},
	{"retention", "rejected_days", K_INT, OFF(ret_rejected_days), "90", 0, 3650000, true},
	{"retention", "corrections_days", K_INT, OFF(ret_corrections_days), "730", 0, 3650000,
	 true},
	{"digest", "at", K_STR, OFF(digest_at), "", 0, 0, true},
	{"digest", "days", K_STR, OFF(digest_days), "mon..sun", 0, 0, true},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const levels[] = {"error", "warn", "info", "debug", NULL};

static char **str_at(et_config_t *cfg, const struct key *k)
{
	return (char **)((char *)cfg + k->offset);
}

static int *int_at(et_config_t *cfg, const struct key *k)
{
	return (int *)((char *)cfg + k->offset);
}

/* Sets one key from its text; returns NULL or a static error message. */
static const char *key_set(et_config_t *cfg, const struct key *k, const char *value)
{
	switch (k->type) {
	case K_STR:
	case K_LEVEL: {
		if (k->type == K_LEVEL) {
			int ok = 0;
			for (int i = 0; levels[i]; i++)
				ok |= strcmp(levels[i], value) == 0;
			if (!ok)
				return "must be error, warn, info or debug";
		}
		char *dup = strdup(value);
		if (!dup)
			return "out of memory";
		free(*str_at(cfg, k));
		*str_at(cfg, k) = dup;
		return NULL;
	}
	case K_DBL: {
		char *end;
		errno = 0;
		double v = strtod(value, &end);
		if (errno || end == value || *end != '\0' || !isfinite(v))
			return "must be a number";
		if (v < (double)k->min || v > (double)k->max)
			return "is out of range";
		*(double *)((char *)cfg + k->offset) = v;
		return NULL;
	}
	case K_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0')
			return "must be a whole number";
		if (v < k->min || v > k->max)
			return "is out of range";
		*int_at(cfg, k) = (int)v;
		return NULL;
	}
	}
	return "bad key type";
}

int et_config_init(et_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++) {
		if (key_set(cfg, &keys[i], keys[i].def) != NULL) {
			et_config_free(cfg);
			return -ENOMEM;
		}
	}
	return 0;
}

void et_config_free(et_config_t *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].type == K_STR || keys[i].type == K_LEVEL) {
			free(*str_at(cfg, &keys[i]));
			*str_at(cfg, &keys[i]) = NULL;
		}
	}
}

struct parse_ctx {
	et_config_t *cfg;
	const char *file;
	const char *text;
	size_t len, pos;
	int line;
	int nerr;
	et_buf_t *errs;
	int seen_line[NKEYS];
};

static void add_err(struct parse_ctx *c, int line, const char *section, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_err(struct parse_ctx *c, int line, const char *section, const char *name,
		    const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s:%d: [%s] %s: ", c->file, line, section, name);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(msg)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* Out of memory loses the message, never the error itself. */
	if (et_buf_append(c->errs, msg, strlen(msg)) == 0 && et_buf_append(c->errs, "\n", 1) != 0)
		c->errs->len -= strlen(msg);
	c->nerr++;
}

/* An fgets-like reader over the text that counts lines. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	if (c->pos >= c->len)
		return NULL;
	size_t i = c->pos;
	while (i < c->len && c->text[i] != '\n')
		i++;
	size_t n = i - c->pos;
	c->line++;
	if (n + 2 > (size_t)num) {
		add_err(c, c->line, "-", "-", "line longer than %d bytes", num - 2);
		n = 0; /* parse it as an empty line */
	} else {
		memcpy(str, c->text + c->pos, n);
		/* a NUL inside would hide the rest of the line from inih */
		if (memchr(str, '\0', n)) {
			add_err(c, c->line, "-", "-", "NUL byte in line%s", "");
			n = 0;
		}
	}
	str[n] = '\0';
	c->pos = i < c->len ? i + 1 : i;
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	int known_section = 0;
	if (!value) {
		/* With ini_allow_no_value, inih hands us each line that has no '='
		 * or ':', so that every such line is reported, not only the first
		 * (ini_parse_stream returns one line number). */
		add_err(c, c->line, "-", "-", "not a section header or key = value line%s", "");
		return 1;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(keys[i].name, name) != 0)
			continue;
		if (c->seen_line[i]) {
			char first[32];
			snprintf(first, sizeof(first), "%d", c->seen_line[i]);
			add_err(c, c->line, section, name, "given twice (first on line %s)", first);
			return 1;
		}
		c->seen_line[i] = c->line;
		const char *why = key_set(c->cfg, &keys[i], value);
		if (why)
			add_err(c, c->line, section, name, "%s", why);
		return 1;
	}
	if (!known_section)
		add_err(c, c->line, section, name, "unknown section [%s]", section);
	else
		add_err(c, c->line, section, name, "unknown key%s", "");
	return 1; /* keep going: report every error at once */
}

static int line_of(struct parse_ctx *c, const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return c->seen_line[i];
	return 0;
}

int et_config_clock_parse(const char *s, int *ret)
{
	if (strlen(s) != 5 || s[2] != ':' || !strchr("012", s[0]) || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -EINVAL;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return -EINVAL;
	*ret = h * 60 + m;
	return 0;
}

static int day_of(const char *s, size_t len)
{
	static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	for (int d = 0; d < 7; d++)
		if (len == 3 && strncmp(s, names[d], 3) == 0)
			return d + 1;
	return -1;
}

int et_config_days_parse(const char *s, unsigned *ret)
{
	unsigned mask = 0;
	while (*s) {
		s += strspn(s, " \t");
		size_t len = strcspn(s, ",");
		const char *item_end = s + len;
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		const char *dots = memchr(s, '.', len);
		int a, b;
		if (dots) {
			if (dots + 1 >= s + len || dots[1] != '.')
				return -EINVAL;
			a = day_of(s, (size_t)(dots - s));
			b = day_of(dots + 2, len - (size_t)(dots + 2 - s));
		} else {
			a = b = day_of(s, len);
		}
		if (a < 0 || b < 0)
			return -EINVAL;
		for (int d = a;; d = d % 7 + 1) {
			mask |= 1u << d;
			if (d == b)
				break;
		}
		s = *item_end ? item_end + 1 : item_end;
		if (*item_end && !*s)
			return -EINVAL; /* a trailing comma */
	}
	if (!mask)
		return -EINVAL;
	*ret = mask;
	return 0;
}

static void validate(struct parse_ctx *c)
{
	et_config_t *cfg = c->cfg;
	char err[160];

	if (cfg->mqtt_client_id[0] == '\0' || strlen(cfg->mqtt_client_id) > 64)
		add_err(c, line_of(c, "mqtt", "client_id"), "mqtt", "client_id",
			"must be 1 to 64 characters%s", "");
	if (strspn(cfg->mqtt_topics, " \t") == strlen(cfg->mqtt_topics))
		add_err(c, line_of(c, "mqtt", "topics"), "mqtt", "topics",
			"needs at least one filter%s", "");
	if (cfg->mqtt_version != 3 && cfg->mqtt_version != 5)
		add_err(c, line_of(c, "mqtt", "version"), "mqtt", "version",
			"must be 3 (MQTT 3.1.1) or 5%s", "");
	if (et_topic_layout_compile(&cfg->layout, cfg->mqtt_topic_layout, err, sizeof(err)))
		add_err(c, line_of(c, "mqtt", "topic_layout"), "mqtt", "topic_layout", "%s", err);
	if (strncmp(cfg->mqtt_uri, "tcp://", 6) != 0 && strncmp(cfg->mqtt_uri, "ssl://", 6) != 0 &&
	    strncmp(cfg->mqtt_uri, "mqtt://", 7) != 0 &&
	    strncmp(cfg->mqtt_uri, "mqtts://", 8) != 0 && strncmp(cfg->mqtt_uri, "ws://", 5) != 0 &&
	    strncmp(cfg->mqtt_uri, "wss://", 6) != 0)
		add_err(c, line_of(c, "mqtt", "uri"), "mqtt", "uri",
			"must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or wss://%s", "");
	if ((cfg->mqtt_cert_file[0] == '\0') != (cfg->mqtt_key_file[0] == '\0')) {
		/* Name the one that was given, on its line. */
		const char *given = cfg->mqtt_cert_file[0] ? "cert_file" : "key_file";
		add_err(c, line_of(c, "mqtt", given), "mqtt", given,
			"cert_file and key_file go together%s", "");
	}
	/* one topic level each: a group id or "+"; the host id is a level of
	 * spBv1.0/STATE/<host_id> */
	if (!cfg->sp_group_filter[0] || strpbrk(cfg->sp_group_filter, "/# \t") ||
	    (strchr(cfg->sp_group_filter, '+') && strcmp(cfg->sp_group_filter, "+") != 0))
		add_err(c, line_of(c, "sparkplug", "group_filter"), "sparkplug", "group_filter",
			"must be one group id, or + for every group%s", "");
	if (!cfg->sp_host_id[0] || strlen(cfg->sp_host_id) > 64 ||
	    strpbrk(cfg->sp_host_id, "/#+ \t"))
		add_err(c, line_of(c, "sparkplug", "host_id"), "sparkplug", "host_id",
			"must be 1 to 64 characters without / # + or spaces%s", "");
	if (cfg->spool_dir[0] != '/')
		add_err(c, line_of(c, "ingest", "spool_dir"), "ingest", "spool_dir",
			"must be an absolute path%s", "");
	if (strcmp(cfg->counter_reset, "restart") != 0 && strcmp(cfg->counter_reset, "hold") != 0)
		add_err(c, line_of(c, "ingest", "counter_reset"), "ingest", "counter_reset",
			"must be restart or hold%s", "");
	if (cfg->resolve_pct >= cfg->fire_pct)
		add_err(c, line_of(c, "alerts", "resolve_pct"), "alerts", "resolve_pct",
			"must be smaller than fire_pct (%g), so that a drift at the threshold does "
			"not flap",
			cfg->fire_pct);
	/* the one place the language is parsed: everything else reads cfg->lang */
	if (et_lang_parse(cfg->language, &cfg->lang))
		add_err(c, line_of(c, "alerts", "language"), "alerts", "language",
			"must be en or zh-CN");
	/* local: the language's units (the bureau's in zh-CN); si: SI everywhere */
	cfg->units_bureau = cfg->lang == ET_LANG_ZH_CN && strcmp(cfg->units, "si") != 0;
	if (strcmp(cfg->units, "local") != 0 && strcmp(cfg->units, "si") != 0)
		add_err(c, line_of(c, "alerts", "units"), "alerts", "units", "must be local or si");
	if (strcmp(cfg->smtp_tls, "starttls") != 0 && strcmp(cfg->smtp_tls, "none") != 0)
		add_err(c, line_of(c, "smtp", "tls"), "smtp", "tls", "must be starttls or none");
	if (cfg->smtp_url[0] && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0)
		add_err(c, line_of(c, "smtp", "url"), "smtp", "url",
			"must start with smtp:// or smtps://");
	if (strspn(cfg->smtp_from, " \t") == strlen(cfg->smtp_from) ||
	    strchr(cfg->smtp_from, '<') || strchr(cfg->smtp_from, '>'))
		add_err(c, line_of(c, "smtp", "from"), "smtp", "from",
			"must be a plain address such as enertrack@example.org");
	if (cfg->smtp_url[0] && strspn(cfg->smtp_to, " ,\t") == strlen(cfg->smtp_to))
		add_err(c, line_of(c, "smtp", "to"), "smtp", "to",
			"needs at least one address when url is set");
	if (cfg->http_listen[0]) {
		/* the syntax here; whether the name resolves to an address of
		 * this machine is for enertrackd --check-config (common/net.c) */
		char host[256], why[200];
		uint16_t port;
		if (et_hostport_parse(cfg->http_listen, host, sizeof(host), &port, why,
				      sizeof(why)))
			add_err(c, line_of(c, "http", "listen"), "http", "listen", "%s", why);
	}
	cfg->digest_minute = -1;
	if (cfg->digest_at[0] && et_config_clock_parse(cfg->digest_at, &cfg->digest_minute))
		add_err(c, line_of(c, "digest", "at"), "digest", "at",
			"must be a local time HH:MM such as 08:30 (empty: no digest)");
	if (et_config_days_parse(cfg->digest_days, &cfg->digest_dows))
		add_err(c, line_of(c, "digest", "days"), "digest", "days",
			"must be days or ranges such as mon..sun, mon..fri or mon,wed,fri");
	/* whether the zone exists is the tz database's to say: common/tzcheck.c,
	 * after the parse, names this line */
	cfg->tz_line = line_of(c, "targets", "timezone");
	if (cfg->tz[0] == '\0' || strchr(cfg->tz, '\'') || strlen(cfg->tz) > 64)
		add_err(c, line_of(c, "targets", "timezone"), "targets", "timezone",
			"must be a time zone name such as Asia/Shanghai");
}

int et_config_parse(et_config_t *cfg, const char *file, const char *text, size_t len,
		    et_buf_t *errs)
{
	struct parse_ctx c = {.cfg = cfg, .file = file, .text = text, .len = len, .errs = errs};

	/* Debian's libinih exposes these settings as variables. */
	ini_max_line = 4096;
	ini_use_stack = false;
	/* With the heap buffer and no realloc, this build of inih allocates
	 * ini_initial_alloc bytes (default 200), not ini_max_line: without this,
	 * any line over 198 bytes (a long conninfo) would be refused. */
	ini_initial_alloc = ini_max_line;
	ini_allow_realloc = false;
	ini_allow_multiline = false;
	ini_stop_on_first_error = false;
	ini_allow_no_value = true; /* see handler() */
	int rc = ini_parse_stream(reader, &c, handler, &c);
	if (rc > 0)
		add_err(&c, rc, "-", "-", "not a section header or key = value line%s", "");
	else if (rc < 0)
		add_err(&c, 0, "-", "-", "cannot parse (out of memory)%s", "");
	validate(&c);
	return c.nerr ? -EINVAL : 0;
}

int et_config_diff_fixed(const et_config_t *a, const et_config_t *b, et_buf_t *out)
{
	int n = 0;
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->reloadable)
			continue;
		const char *pa = (const char *)a + k->offset;
		const char *pb = (const char *)b + k->offset;
		int differs = k->type == K_INT ? *(const int *)pa != *(const int *)pb
			      : k->type == K_DBL
				      ? *(const double *)pa != *(const double *)pb
				      : strcmp(*(char *const *)pa, *(char *const *)pb) != 0;
		if (!differs)
			continue;
		char line[160];
		snprintf(line, sizeof(line), "[%s] %s cannot change without a restart\n",
			 k->section, k->name);
		if (et_buf_append(out, line, strlen(line)) == 0)
			n++;
	}
	return n;
}

void et_config_limits(const et_config_t *cfg, et_decode_limits_t *ret)
{
	ret->max_payload_bytes = (size_t)cfg->max_payload_bytes;
	ret->max_readings = (size_t)cfg->max_readings;
	ret->max_topic_bytes = (size_t)cfg->max_topic_bytes;
	ret->max_future_us = (int64_t)cfg->max_future_s * 1000000;
	ret->max_past_us = (int64_t)cfg->max_past_s * 1000000;
	ret->max_json_depth = cfg->max_json_depth;
}
