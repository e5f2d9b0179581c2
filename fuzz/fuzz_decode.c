/* SPDX-License-Identifier: MIT */
/* libFuzzer harness of lib/decode.c, end to end with lib/copyenc.c as the
 * daemon uses them. Input: one byte of setup (layout, limits, whether the
 * sink stops early), the topic up to the first newline, then the payload.
 * Checked: every element ends in exactly one callback, in order, and the
 * return value counts the readings; every reason is a known one with a
 * detail; every accepted reading is valid (kind, site and metric ids, clean
 * UTF-8 text, finite values, units that fit, ts inside the window and
 * storable); and the COPY lines the daemon would write for it, or for the
 * rejection, read back exactly (fuzz_util.h). */
#include "fuzz_util.h"

#include <jansson.h>

#include "enertrack/buf.h"
#include "enertrack/copyenc.h"
#include "enertrack/decode.h"
#include "enertrack/units.h"

#define NOW_US	  1709280000000000LL /* 2024-03-01T08:00:00Z */
#define SEC	  1000000LL
#define KEEP	  64 /* payload bytes kept with a rejection */
#define INT_MAX_S 2147483647LL

static const char *const layouts[] = {
	"energy/{kind}/{site}/{metric}",
	"cz/+/{site}/{metric}",
	"{metric}/{site}",
	"a/b/c/d/e/f/g/h/i/j/k/l/m/{kind}/{site}/{metric}",
};

/* The configured defaults, the unit tests' (no past limit), the widest
 * window config.c allows with only jansson's depth limit, and the narrowest. */
static const et_decode_limits_t limits[] = {
	{.max_payload_bytes = 262144,
	 .max_readings = 10000,
	 .max_topic_bytes = 256,
	 .max_future_us = 300 * SEC,
	 .max_past_us = 315360000 * SEC,
	 .max_json_depth = 16},
	{.max_payload_bytes = 1024,
	 .max_readings = 4,
	 .max_topic_bytes = 64,
	 .max_future_us = 300 * SEC,
	 .max_past_us = 0,
	 .max_json_depth = 16},
	{.max_payload_bytes = 16777216,
	 .max_readings = 1000000,
	 .max_topic_bytes = 65535,
	 .max_future_us = INT_MAX_S * SEC,
	 .max_past_us = 0,
	 .max_json_depth = 0},
	{.max_payload_bytes = 64,
	 .max_readings = 1,
	 .max_topic_bytes = 8,
	 .max_future_us = 0,
	 .max_past_us = 1,
	 .max_json_depth = 2},
};

struct run {
	const et_decode_limits_t *lim;
	const char *topic;
	size_t topic_len;
	const uint8_t *payload;
	size_t len;
	int stop_at; /* on_reading call (1-based) that returns -ECANCELED; 0 never */
	int calls, readings;
	int last_element;
	enum et_reject last_reason; /* of the last on_reject */
	bool stopped;
	et_buf_t copy;
};

static bool is_clean(const char *s, size_t n)
{
	if (!fz_utf8_valid((const uint8_t *)s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		/* C0, DEL, and C1 (U+0080-U+009F is C2 80-9F in UTF-8) */
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < n && (uint8_t)s[i + 1] < 0xa0))
			return false;
	}
	return true;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool site_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > ET_SITE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
		if (!alnum && (i == 0 || !strchr("_.-", s[i])))
			return false;
	}
	return true;
}

static bool metric_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > ET_METRIC_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* How deeply arrays and objects nest in a parsed document: 0 for a scalar. */
static int tree_depth(json_t *j)
{
	int max = 0;
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			int d = tree_depth(json_array_get(j, i));
			max = d > max ? d : max;
		}
		return max + 1;
	}
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
		{
			int d = tree_depth(v);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	return 0;
}

static void check_element(struct run *rn, int element)
{
	CHECK(!rn->stopped); /* nothing after the sink said stop */
	rn->calls++;
	if (element < 0) {
		CHECK(element == -1 && rn->calls == 1);
	} else {
		CHECK(element == rn->last_element + 1);
	}
	rn->last_element = element;
}

static int on_reading(void *ctx, int element, const et_reading_t *r)
{
	static const char *const kinds[] = {"mine", "plant", "enterprise", "region", NULL};
	static const char *const sources[] = {"solar",	 "wind", "biomass", "hydro",
					      "storage", "coal", "gas",	    NULL};
	struct run *rn = ctx;
	check_element(rn, element);

	/* the fields are NUL-terminated inside their arrays */
	CHECK(memchr(r->kind, '\0', sizeof(r->kind)) && memchr(r->site, '\0', sizeof(r->site)));
	CHECK(memchr(r->metric, '\0', sizeof(r->metric)) &&
	      memchr(r->unit_in, '\0', sizeof(r->unit_in)));
	CHECK(memchr(r->source, '\0', sizeof(r->source)) &&
	      memchr(r->county, '\0', sizeof(r->county)) && memchr(r->name, '\0', sizeof(r->name)));
	CHECK(in_list(r->kind, kinds));
	CHECK(site_valid(r->site));
	CHECK(metric_valid(r->metric));
	size_t un = strlen(r->unit_in);
	CHECK(un >= 1 && un <= ET_UNIT_MAX && is_clean(r->unit_in, un));
	CHECK(r->source[0] == '\0' || in_list(r->source, sources));
	CHECK(is_clean(r->county, strlen(r->county)) && is_clean(r->name, strlen(r->name)));

	CHECK(isfinite(r->value) && isfinite(r->value_in));
	enum et_dim dim = et_metric_dim(r->metric, strlen(r->metric));
	if (dim == ET_DIM_NONE) {
		CHECK(r->value == r->value_in);
	} else {
		double v;
		CHECK(et_unit_convert(dim, r->unit_in, un, r->value_in, &v) == 0);
		CHECK(v == r->value);
		CHECK(r->value >= 0);
		CHECK(dim != ET_DIM_SHARE || r->value <= 100);
	}
	CHECK(fabs(r->value) <= et_dim_max(dim));
	CHECK(!r->has_seq || r->seq >= 0);

	/* inside the window, and an instant the database can hold */
	CHECK(r->ts_us <= NOW_US + rn->lim->max_future_us);
	CHECK(rn->lim->max_past_us == 0 || r->ts_us >= NOW_US - rn->lim->max_past_us);
	CHECK(r->ts_us >= FZ_US_MIN && r->ts_us <= FZ_US_MAX);

	size_t mark = rn->copy.len;
	CHECK(et_copy_reading(&rn->copy, (uint32_t)rn->readings, r, NOW_US) == 0);
	fz_check_copy_reading(rn->copy.data + mark, rn->copy.len - mark, (uint32_t)rn->readings, r,
			      NOW_US);
	rn->readings++;
	if (rn->readings == rn->stop_at) {
		rn->stopped = true;
		return -ECANCELED;
	}
	return 0;
}

static void on_reject(void *ctx, int element, enum et_reject reason, const char *detail)
{
	struct run *rn = ctx;
	check_element(rn, element);
	/* the writer's and the daemon's reasons are never the decoder's */
	CHECK(reason > ET_REJ_NONE && reason < ET_REJ_COUNT && reason != ET_REJ_DB_REFUSED &&
	      reason != ET_REJ_RATE_LIMITED);
	rn->last_reason = reason;
	CHECK(detail != NULL && detail[0] != '\0' && strlen(detail) < 256);
	const char *name = et_reject_name(reason);
	CHECK(name && strcmp(name, "unknown") != 0);

	size_t mark = rn->copy.len;
	CHECK(et_copy_reject(&rn->copy, NOW_US, rn->topic, rn->topic_len, name, detail, element,
			     rn->payload, rn->len, KEEP) == 0);
	fz_check_copy_reject(rn->copy.data + mark, rn->copy.len - mark, NOW_US, rn->topic,
			     rn->topic_len, name, detail, element, rn->payload, rn->len, KEEP);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static et_topic_layout_t compiled[sizeof(layouts) / sizeof(layouts[0])];
	static bool ready;
	if (!ready) {
		char err[128];
		for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
			CHECK(et_topic_layout_compile(&compiled[i], layouts[i], err, sizeof(err)) ==
			      0);
		ready = true;
	}
	if (size < 1)
		return 0;
	uint8_t setup = data[0];
	struct run rn = {.lim = &limits[(setup >> 2) & 3], .last_element = -1};
	rn.stop_at = setup & 0x10 ? (setup >> 5) + 1 : 0;
	const et_topic_layout_t *layout = &compiled[setup & 3];

	/* topic and payload, each in a buffer of its own size so that an
	 * over-read shows */
	const uint8_t *rest = data + 1;
	size_t rest_len = size - 1;
	const uint8_t *nl = memchr(rest, '\n', rest_len);
	size_t tl = nl ? (size_t)(nl - rest) : 0;
	char *topic = malloc(tl ? tl : 1);
	CHECK(topic);
	memcpy(topic, rest, tl);
	size_t off = nl ? tl + 1 : 0;
	rn.len = rest_len - off;
	uint8_t *payload = malloc(rn.len ? rn.len : 1);
	CHECK(payload);
	memcpy(payload, rest + off, rn.len);
	rn.topic = topic;
	rn.topic_len = tl;
	rn.payload = payload;

	et_decode_sink_t sink = {.ctx = &rn, .on_reading = on_reading, .on_reject = on_reject};
	int rc = et_decode(layout, rn.lim, topic, tl, payload, rn.len, NOW_US, &sink);
	if (rn.stopped) {
		CHECK(rc == -ECANCELED);
	} else {
		CHECK(rc == rn.readings);
		/* how many callbacks: one per element of an array that is
		 * decoded element by element, else one for the message */
		json_error_t jerr;
		json_t *root =
			rn.len > rn.lim->max_payload_bytes || tl > rn.lim->max_topic_bytes ||
					!is_clean(topic, tl)
				? NULL
				: json_loadb((const char *)payload, rn.len,
					     JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		/* a valid document nested deeper than max_json_depth is too_deep,
		 * whatever the decoder's own count of brackets says */
		bool deep =
			root && rn.lim->max_json_depth && tree_depth(root) > rn.lim->max_json_depth;
		size_t n = json_is_array(root) && !deep ? json_array_size(root) : 0;
		if (n > 0 && n <= rn.lim->max_readings) {
			CHECK((size_t)rn.calls == n && rn.last_element == (int)n - 1);
		} else {
			CHECK(rn.calls == 1 && rn.last_element == -1);
			if (root)
				CHECK(deep == (rn.last_reason == ET_REJ_TOO_DEEP));
		}
		json_decref(root);
	}
	et_buf_free(&rn.copy);
	free(payload);
	free(topic);
	return 0;
}
