/* SPDX-License-Identifier: MIT */
/* Sparkplug B host application, pure (no I/O, no clock: callers pass the
 * time). Topics "spBv1.0/<group>/<type>/<edge node>[/<device>]", payloads
 * decoded with protobuf-c's code generated from proto/sparkplug_b.proto,
 * and the host's state per edge node: the births (metric names, aliases and
 * datatypes), the bdSeq of the current session and the 0-255 seq. The
 * daemon feeds it spool records in order and gets back values, deaths,
 * rebirth requests and rejections through a sink. Not thread-safe: one
 * et_sp_host_t per thread (the loop's). */
#ifndef ENERTRACK_SPARKPLUG_H
#define ENERTRACK_SPARKPLUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enertrack/buf.h"

#define ET_SP_PREFIX "spBv1.0/"
/* The spool record the daemon writes when the host loses the broker (no
 * MQTT topic can start with '$' and match a subscription's wildcard). */
#define ET_SP_HOST_LOST_TOPIC "$enertrack/sparkplug/host-lost"
#define ET_SP_ID_MAX	      64  /* group, edge node, device */
#define ET_SP_NAME_MAX	      256 /* metric name */

enum et_sp_type {
	ET_SP_NBIRTH,
	ET_SP_NDEATH,
	ET_SP_DBIRTH,
	ET_SP_DDEATH,
	ET_SP_NDATA,
	ET_SP_DDATA,
	ET_SP_NCMD,
	ET_SP_DCMD,
	ET_SP_STATE, /* spBv1.0/STATE/<host_id>: a host's, not an edge node's */
};

typedef struct et_sp_topic {
	enum et_sp_type type;
	char group[ET_SP_ID_MAX + 1];
	char node[ET_SP_ID_MAX + 1];
	char device[ET_SP_ID_MAX + 1]; /* "" for node messages */
} et_sp_topic_t;

/* True when the topic is in the Sparkplug B namespace. */
bool et_sp_is_topic(const char *topic, size_t len);

/* Parses a Sparkplug B topic. Returns 0, or -EINVAL with a reason in err
 * (unknown type, missing or extra levels, an id longer than ET_SP_ID_MAX or
 * not clean UTF-8). */
int et_sp_topic_parse(const char *topic, size_t len, et_sp_topic_t *ret, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* One numeric metric value, resolved to its name. Borrowed for the call. */
typedef struct et_sp_value {
	const et_sp_topic_t *topic; /* group, node, device */
	const char *name;
	uint32_t datatype;
	int64_t ts_us;
	double value;
	bool historical;
} et_sp_value_t;

typedef struct et_sp_sink {
	void *ctx;
	/* 0, or a negative code that stops decoding and is returned */
	int (*on_value)(void *ctx, const et_sp_value_t *v);
	/* an NDEATH of the current session (device "", at recv_us: an NDEATH
	 * is the edge node's Will, and the timestamp in it is from when the
	 * node connected) or a DDEATH of a born device (at the payload's
	 * timestamp, ts_us) */
	void (*on_death)(void *ctx, const et_sp_topic_t *t, int64_t ts_us, int64_t recv_us);
	/* an NBIRTH (device "") or DBIRTH, received at recv_us */
	void (*on_birth)(void *ctx, const et_sp_topic_t *t, int64_t recv_us);
	/* a rebirth is due for t's edge node (already rate-limited); returns
	 * 0 when the request went out, else it is due again at once */
	int (*on_rebirth)(void *ctx, const et_sp_topic_t *t, const char *why);
	/* the message or one of its metrics is refused; reason is one of the
	 * "sparkplug_*" names stored in rejected_message.reason */
	void (*on_reject)(void *ctx, int element, const char *reason, const char *detail);
} et_sp_sink_t;

typedef struct et_sp_host et_sp_host_t;

/* rebirth_min_us: at most one rebirth request per edge node this often.
 * NULL when out of memory. */
et_sp_host_t *et_sp_host_new(int64_t rebirth_min_us);
void et_sp_host_set_rebirth_interval(et_sp_host_t *h, int64_t rebirth_min_us);
/* Frees h and its state; NULL does nothing. */
void et_sp_host_free(et_sp_host_t *h);

/* The limits against an edge node that lies; 0 is no limit for each.
 * A metric's timestamp later than now + max_future_us or earlier than now -
 * max_past_us is refused. Edge nodes are taken up to max_nodes alive at
 * once (a dead one is forgotten at its death); a birth of more than
 * max_birth_metrics metrics, or that would take the edge node's births
 * (its NBIRTH and DBIRTHs together) past max_birth_bytes, is refused. A
 * seq gap waits reorder_us for the missing seqs before a rebirth is asked
 * for; rebirth requests go out at most rebirths_per_s a second in all. */
typedef struct et_sp_limits {
	size_t max_payload_bytes;
	int64_t max_future_us;
	int64_t max_past_us;
	size_t max_nodes;
	size_t max_birth_metrics;
	size_t max_birth_bytes;
	int64_t reorder_us;
	double rebirths_per_s;
} et_sp_limits_t;

/* Handles one message received at recv_us (the timestamp of metrics that
 * carry none, and of a payload without one), with now_us the clock for the
 * rebirth interval and the limits. With `restore`, only births are taken
 * (their metric definitions and bdSeq), nothing reaches the sink, and the
 * seq is not checked afterwards until the next message sets it: this
 * replays the births saved by et_sp_host_births. Returns the number of
 * values given to on_value, or the first negative code of on_value, or
 * -ENOMEM. */
int et_sp_host_message(et_sp_host_t *h, const char *topic, size_t topic_len, const void *payload,
		       size_t len, int64_t recv_us, int64_t now_us, const et_sp_limits_t *lim,
		       bool restore, const et_sp_sink_t *sink);

/* Asks for the rebirths whose reordering time-out passed by now_us; call
 * it every few tens of ms. */
void et_sp_host_tick(et_sp_host_t *h, int64_t now_us, const et_sp_limits_t *lim,
		     const et_sp_sink_t *sink);

/* The host lost the broker at lost_us: every edge node's session is void
 * (a new connection is a new session), so each born node dies (on_death
 * at lost_us) and is forgotten until it is born again. */
void et_sp_host_lost(et_sp_host_t *h, int64_t lost_us, const et_sp_sink_t *sink);

/* The "sparkplug_*" reasons on_reject gives (besides the v1 reasons
 * "out_of_range" and "rate_limited"): the i-th name for i below
 * ET_SP_REJECT_REASONS, else NULL; and a reason's index, or -1. */
#define ET_SP_REJECT_REASONS 11
const char *et_sp_reject_name(int i);
int et_sp_reject_index(const char *reason);

/* Rebirth requests not sent because the global rate was spent. */
uint64_t et_sp_host_rebirths_dropped(const et_sp_host_t *h);

/* True when births changed since the last call (for saving them). */
bool et_sp_host_births_changed(et_sp_host_t *h);

/* Calls cb with the topic and payload of every birth (NBIRTH then its
 * DBIRTHs) of the current sessions, as received. Returns the first
 * non-zero return of cb, else 0. */
int et_sp_host_births(const et_sp_host_t *h,
		      int (*cb)(void *ctx, const char *topic, const void *payload, size_t len),
		      void *ctx);

/* The births of the current sessions, shared with a thread that writes
 * them out while the host goes on: *ret is a new array of *ret_n births
 * (each node's NBIRTH then its DBIRTHs, as et_sp_host_births gives them),
 * each with a reference taken, so that it stays valid and unchanged when
 * the host replaces or forgets it. Taking and releasing run on the host's
 * thread only (the counts are not atomic); between them any thread may
 * read the births. Costs a pointer a birth, no copy. 0 or -ENOMEM. */
typedef struct et_sp_birth et_sp_birth_t;
int et_sp_host_births_hold(const et_sp_host_t *h, et_sp_birth_t ***ret, size_t *ret_n)
	__attribute__((warn_unused_result));
/* A held birth's topic (NUL-terminated) and payload, as received. */
const char *et_sp_birth_topic(const et_sp_birth_t *b, size_t *ret_len);
const void *et_sp_birth_payload(const et_sp_birth_t *b, size_t *ret_len);
/* A held birth's serial: unique among the births of its host, so that a
 * saver holding no reference can tell a birth it wrote from a new one
 * (a pointer could be reused). */
uint64_t et_sp_birth_serial(const et_sp_birth_t *b);
/* Drops the references of et_sp_host_births_hold and frees v; NULL does
 * nothing. On the host's thread. */
void et_sp_births_release(et_sp_birth_t **v, size_t n);

/* Number of edge nodes known (alive). */
size_t et_sp_host_nodes(const et_sp_host_t *h);

/* Encodes the NCMD payload of a rebirth request (metric "Node
 * Control/Rebirth" = true, Boolean) at ts_ms into b (reset first). 0 or
 * -ENOMEM. */
int et_sp_rebirth_payload(et_buf_t *b, int64_t ts_ms) __attribute__((warn_unused_result));

/* Staging lines for pg_temp.et_stage_sparkplug (sparkplug_prepare() in
 * sql/functions/sparkplug_prepare.sql), columns ET_SP_COPY_COLUMNS. */
#define ET_SP_COPY_COLUMNS                                                                         \
	"n, event, group_id, edge_node, device, metric_name, datatype, ts, value, historical, "    \
	"received_at"
int et_sp_copy_value(et_buf_t *b, uint32_t n, const et_sp_value_t *v, int64_t recv_us)
	__attribute__((warn_unused_result));
/* A birth or death at ts_us: event "nbirth", "dbirth", "ndeath" or "ddeath" */
int et_sp_copy_event(et_buf_t *b, uint32_t n, const char *event, const et_sp_topic_t *t,
		     int64_t ts_us, int64_t recv_us) __attribute__((warn_unused_result));

#endif
