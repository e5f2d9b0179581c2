/* SPDX-License-Identifier: MIT */
/* Message decoding (format v1, docs/message-format.md): topic + JSON payload -> readings
 * in canonical units, or reasons for rejection. Pure: no I/O, no clock (the
 * caller passes `now`), no globals; safe to call from any one thread at a time
 * per et_topic_layout_t (layouts are read-only after compilation). */
#ifndef ENERTRACK_DECODE_H
#define ENERTRACK_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a message or one element of a batch was refused. The names (see
 * et_reject_name) are stored in rejected_message.reason: they are a public,
 * stable interface. */
enum et_reject {
	ET_REJ_NONE = 0,
	ET_REJ_PAYLOAD_TOO_LARGE,
	ET_REJ_BAD_JSON,
	ET_REJ_NOT_OBJECT,
	ET_REJ_EMPTY_BATCH,
	ET_REJ_TOO_MANY_READINGS,
	ET_REJ_BAD_TOPIC,
	ET_REJ_BAD_KIND,
	ET_REJ_BAD_SITE,
	ET_REJ_BAD_METRIC,
	ET_REJ_MISSING_TS,
	ET_REJ_BAD_TS,
	ET_REJ_TS_IN_FUTURE,
	ET_REJ_TS_TOO_OLD,
	ET_REJ_MISSING_VALUE,
	ET_REJ_BAD_VALUE,
	ET_REJ_OUT_OF_RANGE,
	ET_REJ_MISSING_UNIT,
	ET_REJ_UNKNOWN_UNIT,
	ET_REJ_UNIT_MISMATCH,
	ET_REJ_BAD_FIELD,
	ET_REJ_DB_REFUSED, /* set by the writer, never by the decoder */
	ET_REJ_TOO_DEEP,
	ET_REJ_RATE_LIMITED, /* set by the daemon's per-site limit */
	ET_REJ_COUNT
};

const char *et_reject_name(enum et_reject r);

#define ET_SITE_MAX	 64
#define ET_METRIC_MAX	 64
#define ET_UNIT_MAX	 32
#define ET_TEXT_MAX	 128 /* county, name */
#define ET_LAYOUT_LEVELS 16

/* A reading, fixed-size so that decoding allocates nothing of its own. */
typedef struct et_reading {
	char site[ET_SITE_MAX + 1];
	char metric[ET_METRIC_MAX + 1];
	char kind[16];
	char unit_in[ET_UNIT_MAX + 1];
	char source[16]; /* "" when absent */
	char county[ET_TEXT_MAX + 1];
	char name[ET_TEXT_MAX + 1];
	int64_t ts_us; /* microseconds since the epoch, UTC */
	double value;  /* in the metric's canonical unit */
	double value_in;
	int64_t seq; /* valid when has_seq */
	bool has_seq;
	bool counter; /* value_in is a running total (totaliser); the write path derives deltas */
	double rollover; /* 0: none; else where the counter wraps, in unit_in (with counter) */
	/* What the reading covers, when its message says (`period` or `start`):
	 * (covers_from_us, ts_us]; valid when has_covers_from. */
	int64_t covers_from_us;
	bool has_covers_from;
} et_reading_t;

/* A compiled topic layout such as "energy/{kind}/{site}/{metric}": each
 * level is a literal, "+" (any) or one of {kind} {site} {metric}. */
typedef struct et_topic_layout {
	int nlevels;
	struct {
		int what; /* 0 literal, 1 any, 2 kind, 3 site, 4 metric */
		char literal[64];
	} level[ET_LAYOUT_LEVELS];
} et_topic_layout_t;

/* Compiles `spec`. Returns 0, or -EINVAL with a reason in err. */
int et_topic_layout_compile(et_topic_layout_t *ret, const char *spec, char *err, size_t errlen)
	__attribute__((warn_unused_result));

typedef struct et_decode_limits {
	size_t max_payload_bytes;
	size_t max_readings; /* elements of one array */
	size_t max_topic_bytes;
	int64_t max_future_us; /* ts later than now + this is refused */
	int64_t max_past_us;   /* ts earlier than now - this is refused; 0: no limit */
	int max_json_depth;    /* brackets nested deeper are refused; 0: jansson's own limit */
} et_decode_limits_t;

/* Receives the results of et_decode. `element` is the index in a batch array,
 * or -1 for a single object or a failure of the whole message. Both
 * callbacks borrow their arguments for the duration of the call. on_reading
 * returns 0, or a negative code that stops decoding and is returned. */
typedef struct et_decode_sink {
	void *ctx;
	int (*on_reading)(void *ctx, int element, const et_reading_t *r);
	void (*on_reject)(void *ctx, int element, enum et_reject reason, const char *detail);
} et_decode_sink_t;

/* Decodes one message. The payload need not be NUL-terminated and may hold
 * any bytes. Returns the number of readings accepted (>= 0), or the first
 * negative code of on_reading. Every element ends in exactly one callback. */
int et_decode(const et_topic_layout_t *layout, const et_decode_limits_t *lim, const char *topic,
	      size_t topic_len, const void *payload, size_t len, int64_t now_us,
	      const et_decode_sink_t *sink);

/* True when s[0..len) is valid UTF-8 without a control character or a
 * bidirectional override (et_utf8_is_control). */
bool et_text_is_clean(const char *s, size_t len);

#endif
