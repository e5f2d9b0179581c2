/* SPDX-License-Identifier: MIT */
/* Decoding of format v1 messages with jansson. jansson is strict where it
 * matters (docs/message-format.md): it refuses trailing garbage, duplicate keys (with
 * JSON_REJECT_DUPLICATES), invalid UTF-8, \u0000 and 1e999, which would
 * otherwise reach PostgreSQL and fail a whole COPY batch. What jansson lets
 * through is checked here field by field. */
#include "enertrack/decode.h"
#include "enertrack/rfc3339.h"
#include "enertrack/units.h"
#include "enertrack/utf8.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

enum { L_LITERAL, L_ANY, L_KIND, L_SITE, L_METRIC };

static const char *const reject_names[ET_REJ_COUNT] = {
	[ET_REJ_NONE] = "none",
	[ET_REJ_PAYLOAD_TOO_LARGE] = "payload_too_large",
	[ET_REJ_BAD_JSON] = "bad_json",
	[ET_REJ_NOT_OBJECT] = "not_an_object",
	[ET_REJ_EMPTY_BATCH] = "empty_batch",
	[ET_REJ_TOO_MANY_READINGS] = "too_many_readings",
	[ET_REJ_BAD_TOPIC] = "bad_topic",
	[ET_REJ_BAD_KIND] = "bad_kind",
	[ET_REJ_BAD_SITE] = "bad_site",
	[ET_REJ_BAD_METRIC] = "bad_metric",
	[ET_REJ_MISSING_TS] = "missing_ts",
	[ET_REJ_BAD_TS] = "bad_ts",
	[ET_REJ_TS_IN_FUTURE] = "ts_in_future",
	[ET_REJ_TS_TOO_OLD] = "ts_too_old",
	[ET_REJ_MISSING_VALUE] = "missing_value",
	[ET_REJ_BAD_VALUE] = "bad_value",
	[ET_REJ_OUT_OF_RANGE] = "out_of_range",
	[ET_REJ_MISSING_UNIT] = "missing_unit",
	[ET_REJ_UNKNOWN_UNIT] = "unknown_unit",
	[ET_REJ_UNIT_MISMATCH] = "unit_mismatch",
	[ET_REJ_BAD_FIELD] = "bad_field",
	[ET_REJ_DB_REFUSED] = "db_refused",
	[ET_REJ_TOO_DEEP] = "too_deep",
	[ET_REJ_RATE_LIMITED] = "rate_limited",
};

const char *et_reject_name(enum et_reject r)
{
	if ((unsigned)r >= ET_REJ_COUNT)
		return "unknown";
	return reject_names[r];
}

bool et_text_is_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned cp;
		size_t n = et_utf8_decode(p + i, len - i, &cp);
		/* invalid UTF-8, controls and bidirectional overrides */
		if (n == 0 || et_utf8_is_control(cp))
			return false;
		i += n;
	}
	return true;
}

int et_topic_layout_compile(et_topic_layout_t *ret, const char *spec, char *err, size_t errlen)
{
	memset(ret, 0, sizeof(*ret));
	int seen = 0;
	const char *p = spec;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (ret->nlevels == ET_LAYOUT_LEVELS) {
			snprintf(err, errlen, "more than %d levels", ET_LAYOUT_LEVELS);
			return -EINVAL;
		}
		int what = L_LITERAL;
		if (n == 1 && p[0] == '+')
			what = L_ANY;
		else if (n == 6 && memcmp(p, "{kind}", 6) == 0)
			what = L_KIND;
		else if (n == 6 && memcmp(p, "{site}", 6) == 0)
			what = L_SITE;
		else if (n == 8 && memcmp(p, "{metric}", 8) == 0)
			what = L_METRIC;
		if (what == L_LITERAL) {
			if (n == 0 || n >= sizeof(ret->level[0].literal) || memchr(p, '#', n) ||
			    memchr(p, '{', n) || memchr(p, '+', n)) {
				snprintf(err, errlen,
					 "level %d must be a word, +, {kind}, {site} or {metric}",
					 ret->nlevels + 1);
				return -EINVAL;
			}
			memcpy(ret->level[ret->nlevels].literal, p, n);
		} else if (what != L_ANY) {
			if (seen & (1 << what)) {
				snprintf(err, errlen, "a placeholder appears twice");
				return -EINVAL;
			}
			seen |= 1 << what;
		}
		ret->level[ret->nlevels++].what = what;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (!(seen & (1 << L_SITE)) || !(seen & (1 << L_METRIC))) {
		snprintf(err, errlen, "the layout needs {site} and {metric}");
		return -EINVAL;
	}
	return 0;
}

struct topic_parts {
	const char *kind, *site, *metric;
	size_t kind_len, site_len, metric_len;
	bool matched;
};

static void topic_split(const et_topic_layout_t *layout, const char *topic, size_t len,
			struct topic_parts *tp)
{
	memset(tp, 0, sizeof(*tp));
	size_t start = 0;
	int lvl = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && topic[i] != '/')
			continue;
		if (lvl >= layout->nlevels)
			return;
		const char *s = topic + start;
		size_t n = i - start;
		switch (layout->level[lvl].what) {
		case L_LITERAL:
			if (strlen(layout->level[lvl].literal) != n ||
			    memcmp(layout->level[lvl].literal, s, n) != 0)
				return;
			break;
		case L_KIND:
			tp->kind = s;
			tp->kind_len = n;
			break;
		case L_SITE:
			tp->site = s;
			tp->site_len = n;
			break;
		case L_METRIC:
			tp->metric = s;
			tp->metric_len = n;
			break;
		default:
			break;
		}
		lvl++;
		start = i + 1;
	}
	tp->matched = lvl == layout->nlevels;
}

static bool site_ok(const char *s, size_t n)
{
	if (n < 1 || n > ET_SITE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

static bool metric_ok(const char *s, size_t n)
{
	if (n < 1 || n > ET_METRIC_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool kind_ok(const char *s, size_t n)
{
	static const char *const kinds[] = {"mine", "plant", "enterprise", "region"};
	for (size_t i = 0; i < 4; i++)
		if (strlen(kinds[i]) == n && memcmp(kinds[i], s, n) == 0)
			return true;
	return false;
}

static bool source_ok(const char *s, size_t n)
{
	static const char *const sources[] = {"solar",	 "wind", "biomass", "hydro",
					      "storage", "coal", "gas"};
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strlen(sources[i]) == n && memcmp(sources[i], s, n) == 0)
			return true;
	return false;
}

static void copy_str(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* An optional string field: absent is fine; present must be a string. */
static int opt_string(json_t *obj, const char *key, const char **ret, size_t *ret_len)
{
	json_t *v = json_object_get(obj, key);
	*ret = NULL;
	*ret_len = 0;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*ret = json_string_value(v);
	*ret_len = json_string_length(v);
	return 0;
}

/* One of kind, site and metric (key): from the payload if given, else from
 * the topic (t[0..tn), NULL when the topic has none); checked by ok, whose
 * rule detail says when it fails (reason bad); copied into out. */
static enum et_reject identity_field(json_t *obj, const char *key, const char *t, size_t tn,
				     bool (*ok)(const char *, size_t), enum et_reject bad,
				     const char *rule, char *out, char *detail, size_t dlen)
{
	const char *s;
	size_t n;
	if (opt_string(obj, key, &s, &n)) {
		snprintf(detail, dlen, "%s must be a string", key);
		return bad;
	}
	if (!s) {
		s = t;
		n = tn;
	}
	if (!s) {
		snprintf(detail, dlen, "no %s in the topic or the payload", key);
		return ET_REJ_BAD_TOPIC;
	}
	if (!ok(s, n)) {
		snprintf(detail, dlen, "%s", rule);
		return bad;
	}
	copy_str(out, s, n);
	return ET_REJ_NONE;
}

/* kind, site and metric, in this order: the first that fails is said. */
static enum et_reject decode_identity(json_t *obj, const struct topic_parts *tp, et_reading_t *r,
				      char *detail, size_t dlen)
{
	enum et_reject rej = identity_field(
		obj, "kind", tp->kind, tp->kind_len, kind_ok, ET_REJ_BAD_KIND,
		"kind must be mine, plant, enterprise or region", r->kind, detail, dlen);
	if (rej == ET_REJ_NONE)
		rej = identity_field(obj, "site", tp->site, tp->site_len, site_ok, ET_REJ_BAD_SITE,
				     "site id must match [a-z0-9][a-z0-9_.-]{0,63}", r->site,
				     detail, dlen);
	if (rej == ET_REJ_NONE)
		rej = identity_field(obj, "metric", tp->metric, tp->metric_len, metric_ok,
				     ET_REJ_BAD_METRIC, "metric must match [a-z][a-z0-9_]{0,63}",
				     r->metric, detail, dlen);
	return rej;
}

/* ts: required, RFC 3339 with an offset, within the limits around now. */
static enum et_reject decode_ts(json_t *obj, const et_decode_limits_t *lim, int64_t now_us,
				et_reading_t *r, char *detail, size_t dlen)
{
	json_t *v = json_object_get(obj, "ts");
	if (!v) {
		snprintf(detail, dlen, "ts is required");
		return ET_REJ_MISSING_TS;
	}
	if (!json_is_string(v) ||
	    et_rfc3339_parse(json_string_value(v), json_string_length(v), &r->ts_us) != 0) {
		snprintf(detail, dlen, "ts must be an RFC 3339 time with an offset");
		return ET_REJ_BAD_TS;
	}
	if (r->ts_us > now_us + lim->max_future_us) {
		snprintf(detail, dlen, "ts is more than %lld s in the future",
			 (long long)(lim->max_future_us / 1000000));
		return ET_REJ_TS_IN_FUTURE;
	}
	if (lim->max_past_us > 0 && r->ts_us < now_us - lim->max_past_us) {
		snprintf(detail, dlen, "ts is more than %lld s in the past",
			 (long long)(lim->max_past_us / 1000000));
		return ET_REJ_TS_TOO_OLD;
	}
	return ET_REJ_NONE;
}

/* What a reading covers: a reading is stamped at the end of
 * what it covers. A publisher may say which period (`period`: YYYY-MM,
 * YYYY-Qn, YYYY-Hn or YYYY), and then ts must be that period's end, its
 * first instant after, in ts's own offset ("2024-01" -> 2024-02-01T00:00:00);
 * or where it starts (`start`, RFC 3339, before ts): it covers (start, ts].
 * Either way ts stays the reading's instant, and the start is kept
 * (covers_from_us, stored as reading.covers_from). */
/* The first day of a period YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn and the first
 * day after it, as "YYYY-MM-DD" (the statistics' periods, lib/statcsv.c,
 * without ranges); -1 when s is none of them. */
static int period_bounds(const char *s, size_t n, char start[11], char end[11])
{
	unsigned y = 0, m0, months;
	for (size_t i = 0; i < 4; i++) {
		if (n < 4 || s[i] < '0' || s[i] > '9')
			return -1;
		y = y * 10 + (unsigned)(s[i] - '0');
	}
	if (n == 4) {
		m0 = 1, months = 12;
	} else if (n == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4') {
		m0 = 3 * (unsigned)(s[6] - '0') - 2, months = 3;
	} else if (n == 7 && s[4] == '-' && s[5] == 'H' && s[6] >= '1' && s[6] <= '2') {
		m0 = 6 * (unsigned)(s[6] - '0') - 5, months = 6;
	} else if (n == 7 && s[4] == '-' && s[5] >= '0' && s[5] <= '1' && s[6] >= '0' &&
		   s[6] <= '9') {
		m0 = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0'), months = 1;
		if (m0 < 1 || m0 > 12)
			return -1;
	} else {
		return -1;
	}
	unsigned m1 = m0 - 1 + months;
	snprintf(start, 11, "%04u-%02u-01", y % 10000u, m0 % 100u);
	snprintf(end, 11, "%04u-%02u-01", (y + m1 / 12) % 10000u, (m1 % 12 + 1) % 100u);
	return 0;
}

static enum et_reject decode_period(json_t *obj, et_reading_t *r, char *detail, size_t dlen)
{
	r->has_covers_from = false;
	json_t *v = json_object_get(obj, "period");
	if (v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		size_t n = json_is_string(v) ? json_string_length(v) : 0;
		char start[11], end[11];
		if (period_bounds(s, n, start, end)) {
			snprintf(detail, dlen, "period must be YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY");
			return ET_REJ_BAD_FIELD;
		}
		const char *ts = json_string_value(json_object_get(obj, "ts"));
		size_t k = 19;
		bool at_end = strlen(ts) >= 19 && memcmp(ts, end, 10) == 0 &&
			      memcmp(ts + 11, "00:00:00", 8) == 0;
		if (at_end && ts[k] == '.')
			for (k++; ts[k] >= '0' && ts[k] <= '9'; k++)
				at_end &= ts[k] == '0';
		if (!at_end) {
			snprintf(detail, dlen,
				 "ts must be the end of period %.7s: %sT00:00:00 in its offset", s,
				 end);
			return ET_REJ_BAD_FIELD;
		}
		/* the period's first instant, in ts's own offset (ts + k) */
		char from[64];
		int len = snprintf(from, sizeof(from), "%sT00:00:00%s", start, ts + k);
		if (len < 0 || (size_t)len >= sizeof(from) ||
		    et_rfc3339_parse(from, (size_t)len, &r->covers_from_us) != 0) {
			snprintf(detail, dlen, "ts's offset cannot start period %.7s", s);
			return ET_REJ_BAD_FIELD;
		}
		r->has_covers_from = true;
	}
	v = json_object_get(obj, "start");
	if (v) {
		int64_t us;
		if (!json_is_string(v) ||
		    et_rfc3339_parse(json_string_value(v), json_string_length(v), &us) != 0 ||
		    us >= r->ts_us) {
			snprintf(detail, dlen,
				 "start must be an RFC 3339 time with an offset, before ts");
			return ET_REJ_BAD_FIELD;
		}
		if (r->has_covers_from && us != r->covers_from_us) {
			snprintf(detail, dlen, "start is not where period starts");
			return ET_REJ_BAD_FIELD;
		}
		r->covers_from_us = us;
		r->has_covers_from = true;
	}
	return ET_REJ_NONE;
}

/* value and unit: the value converted to the metric's canonical unit, and
 * checked against the dimension's sane bounds. */
static enum et_reject decode_value(json_t *obj, et_reading_t *r, char *detail, size_t dlen)
{
	const char *s;
	size_t n;
	json_t *v = json_object_get(obj, "value");
	if (!v) {
		snprintf(detail, dlen, "value is required");
		return ET_REJ_MISSING_VALUE;
	}
	if (!json_is_number(v)) {
		snprintf(detail, dlen, "value must be a JSON number");
		return ET_REJ_BAD_VALUE;
	}
	r->value_in = json_number_value(v);
	if (!isfinite(r->value_in)) {
		snprintf(detail, dlen, "value must be finite");
		return ET_REJ_BAD_VALUE;
	}

	v = json_object_get(obj, "unit");
	if (!v) {
		snprintf(detail, dlen, "unit is required");
		return ET_REJ_MISSING_UNIT;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > ET_UNIT_MAX ||
	    !et_text_is_clean(json_string_value(v), json_string_length(v))) {
		snprintf(detail, dlen, "unit must be a short printable string");
		return ET_REJ_UNKNOWN_UNIT;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	copy_str(r->unit_in, s, n);
	enum et_dim dim = et_metric_dim(r->metric, strlen(r->metric));
	if (dim == ET_DIM_NONE) {
		r->value = r->value_in;
	} else {
		int rc = et_unit_convert(dim, s, n, r->value_in, &r->value);
		if (rc == -ENOENT) {
			snprintf(detail, dlen, "unknown unit");
			return ET_REJ_UNKNOWN_UNIT;
		}
		if (rc) {
			snprintf(detail, dlen, "unit does not fit %s (canonical unit %s)",
				 r->metric, et_dim_unit(dim));
			return ET_REJ_UNIT_MISMATCH;
		}
		if (!isfinite(r->value)) {
			snprintf(detail, dlen, "value overflows in the canonical unit");
			return ET_REJ_OUT_OF_RANGE;
		}
		if (r->value < 0) {
			snprintf(detail, dlen, "%s cannot be negative", r->metric);
			return ET_REJ_OUT_OF_RANGE;
		}
		if (dim == ET_DIM_SHARE && r->value > 100) {
			snprintf(detail, dlen, "a share cannot exceed 100 %%");
			return ET_REJ_OUT_OF_RANGE;
		}
	}
	if (fabs(r->value) > et_dim_max(dim)) {
		snprintf(detail, dlen, "%g %s is beyond the sane bound for one reading (%g)",
			 r->value, dim == ET_DIM_NONE ? r->unit_in : et_dim_unit(dim),
			 et_dim_max(dim));
		return ET_REJ_OUT_OF_RANGE;
	}
	return ET_REJ_NONE;
}

/* The optional fields: seq, counter, rollover, source, county, name. */
static enum et_reject decode_optional(json_t *obj, et_reading_t *r, char *detail, size_t dlen)
{
	const char *s;
	size_t n;
	json_t *v;

	r->has_seq = false;
	r->seq = 0;
	v = json_object_get(obj, "seq");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(detail, dlen, "seq must be a non-negative integer");
			return ET_REJ_BAD_FIELD;
		}
		r->has_seq = true;
		r->seq = json_integer_value(v);
	}
	r->counter = false;
	v = json_object_get(obj, "counter");
	if (v) {
		if (!json_is_boolean(v)) {
			snprintf(detail, dlen, "counter must be true or false");
			return ET_REJ_BAD_FIELD;
		}
		r->counter = json_is_true(v);
	}
	r->rollover = 0;
	v = json_object_get(obj, "rollover");
	if (v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    json_number_value(v) <= 0 || !r->counter) {
			snprintf(detail, dlen,
				 "rollover must be a positive number, with counter true");
			return ET_REJ_BAD_FIELD;
		}
		r->rollover = json_number_value(v);
	}
	r->source[0] = '\0';
	if (opt_string(obj, "source", &s, &n) || (s && !source_ok(s, n))) {
		snprintf(detail, dlen,
			 "source must be solar, wind, biomass, hydro, storage, coal or gas");
		return ET_REJ_BAD_FIELD;
	}
	if (s)
		copy_str(r->source, s, n);
	r->county[0] = r->name[0] = '\0';
	static const char *const text_keys[] = {"county", "name"};
	for (int k = 0; k < 2; k++) {
		char *dst = k == 0 ? r->county : r->name;
		if (opt_string(obj, text_keys[k], &s, &n) ||
		    (s && (n > ET_TEXT_MAX || !et_text_is_clean(s, n)))) {
			snprintf(detail, dlen, "%s must be a printable string of at most %d bytes",
				 text_keys[k], ET_TEXT_MAX);
			return ET_REJ_BAD_FIELD;
		}
		if (s)
			copy_str(dst, s, n);
	}
	return ET_REJ_NONE;
}

/* A totaliser shows 0 up to its rollover: a total outside that is no
 * reading of one, whatever the metric (the bound of decode_value holds only
 * for the built-in metrics), and would count as a negative or huge delta. */
static enum et_reject check_total(const et_reading_t *r, char *detail, size_t dlen)
{
	if (!r->counter)
		return ET_REJ_NONE;
	if (r->value_in < 0) {
		snprintf(detail, dlen, "a counter total cannot be negative (%g)", r->value_in);
		return ET_REJ_OUT_OF_RANGE;
	}
	if (r->rollover > 0 && r->value_in > r->rollover) {
		snprintf(detail, dlen, "a counter total of %g is above its rollover (%g)",
			 r->value_in, r->rollover);
		return ET_REJ_OUT_OF_RANGE;
	}
	return ET_REJ_NONE;
}

/* Decodes one object into r; returns ET_REJ_NONE or a reason with detail. */
static enum et_reject decode_one(json_t *obj, const struct topic_parts *tp,
				 const et_decode_limits_t *lim, int64_t now_us, et_reading_t *r,
				 char *detail, size_t dlen)
{
	if (!json_is_object(obj)) {
		snprintf(detail, dlen, "a reading must be a JSON object");
		return ET_REJ_NOT_OBJECT;
	}
	enum et_reject why = decode_identity(obj, tp, r, detail, dlen);
	if (why == ET_REJ_NONE)
		why = decode_ts(obj, lim, now_us, r, detail, dlen);
	if (why == ET_REJ_NONE)
		why = decode_period(obj, r, detail, dlen);
	if (why == ET_REJ_NONE)
		why = decode_value(obj, r, detail, dlen);
	if (why == ET_REJ_NONE)
		why = decode_optional(obj, r, detail, dlen);
	if (why == ET_REJ_NONE)
		why = check_total(r, detail, dlen);
	return why;
}

/* True when the brackets of payload nest deeper than max (outside
 * strings). Cheaper than letting jansson build a deep tree first. */
static bool json_depth_exceeds(const void *payload, size_t len, int max)
{
	const unsigned char *p = payload;
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return true;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return false;
}

int et_decode(const et_topic_layout_t *layout, const et_decode_limits_t *lim, const char *topic,
	      size_t topic_len, const void *payload, size_t len, int64_t now_us,
	      const et_decode_sink_t *sink)
{
	char detail[256];
	struct topic_parts tp;
	et_reading_t r;
	int accepted = 0;

	if (len > lim->max_payload_bytes) {
		snprintf(detail, sizeof(detail),
			 "payload of %zu bytes exceeds max_payload_bytes %zu", len,
			 lim->max_payload_bytes);
		sink->on_reject(sink->ctx, -1, ET_REJ_PAYLOAD_TOO_LARGE, detail);
		return 0;
	}
	if (topic_len > lim->max_topic_bytes || !et_text_is_clean(topic, topic_len)) {
		snprintf(detail, sizeof(detail),
			 "topic is longer than %zu bytes or not clean UTF-8", lim->max_topic_bytes);
		sink->on_reject(sink->ctx, -1, ET_REJ_BAD_TOPIC, detail);
		return 0;
	}
	topic_split(layout, topic, topic_len, &tp);
	if (!tp.matched)
		memset(&tp, 0, sizeof(tp)); /* the payload must then name all three */

	if (lim->max_json_depth && json_depth_exceeds(payload, len, lim->max_json_depth)) {
		snprintf(detail, sizeof(detail), "JSON nested deeper than max_json_depth %d",
			 lim->max_json_depth);
		sink->on_reject(sink->ctx, -1, ET_REJ_TOO_DEEP, detail);
		return 0;
	}
	json_error_t jerr;
	/* JSON_DECODE_ANY: a payload such as 42 or "x" is valid JSON that is not
	 * an object, and is refused as not_an_object rather than bad_json. */
	json_t *root = json_loadb(payload, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) {
		snprintf(detail, sizeof(detail), "line %d column %d: %.160s", jerr.line,
			 jerr.column, jerr.text);
		sink->on_reject(sink->ctx, -1, ET_REJ_BAD_JSON, detail);
		return 0;
	}
	if (json_is_array(root)) {
		size_t n = json_array_size(root);
		if (n == 0) {
			sink->on_reject(sink->ctx, -1, ET_REJ_EMPTY_BATCH, "empty array");
		} else if (n > lim->max_readings) {
			snprintf(detail, sizeof(detail), "%zu readings exceed max_readings %zu", n,
				 lim->max_readings);
			sink->on_reject(sink->ctx, -1, ET_REJ_TOO_MANY_READINGS, detail);
		} else {
			for (size_t i = 0; i < n; i++) {
				enum et_reject why = decode_one(json_array_get(root, i), &tp, lim,
								now_us, &r, detail, sizeof(detail));
				if (why != ET_REJ_NONE) {
					sink->on_reject(sink->ctx, (int)i, why, detail);
					continue;
				}
				int rc = sink->on_reading(sink->ctx, (int)i, &r);
				if (rc < 0) {
					json_decref(root);
					return rc;
				}
				accepted++;
			}
		}
	} else {
		enum et_reject why = decode_one(root, &tp, lim, now_us, &r, detail, sizeof(detail));
		if (why != ET_REJ_NONE) {
			sink->on_reject(sink->ctx, -1, why, detail);
		} else {
			int rc = sink->on_reading(sink->ctx, -1, &r);
			if (rc < 0) {
				json_decref(root);
				return rc;
			}
			accepted++;
		}
	}
	json_decref(root);
	return accepted;
}
