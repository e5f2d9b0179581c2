/* SPDX-License-Identifier: MIT */
/* Sparkplug B host state over protobuf-c's generated decoder: births define
 * aliases, DATA carries them, seq is checked per edge node and a gap asks for
 * a rebirth, deaths are matched to their birth by bdSeq. Pure: see
 * enertrack/sparkplug.h. */
#include "enertrack/sparkplug.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/copyenc.h"
#include "enertrack/rfc3339.h"
#include "enertrack/decode.h"
#include "sparkplug_b.pb-c.h"

typedef Org__Eclipse__Tahu__Protobuf__Payload pb_payload_t;
typedef Org__Eclipse__Tahu__Protobuf__Payload__Metric pb_metric_t;

enum {
	DT_INT8 = 1,
	DT_INT16,
	DT_INT32,
	DT_INT64,
	DT_UINT8,
	DT_UINT16,
	DT_UINT32,
	DT_UINT64,
	DT_FLOAT,
	DT_DOUBLE,
	DT_BOOLEAN,
	DT_STRING,
	DT_DATETIME,
};

bool et_sp_is_topic(const char *topic, size_t len)
{
	return len >= sizeof(ET_SP_PREFIX) - 1 &&
	       memcmp(topic, ET_SP_PREFIX, sizeof(ET_SP_PREFIX) - 1) == 0;
}

static const char *const type_names[] = {
	[ET_SP_NBIRTH] = "NBIRTH", [ET_SP_NDEATH] = "NDEATH", [ET_SP_DBIRTH] = "DBIRTH",
	[ET_SP_DDEATH] = "DDEATH", [ET_SP_NDATA] = "NDATA",   [ET_SP_DDATA] = "DDATA",
	[ET_SP_NCMD] = "NCMD",	   [ET_SP_DCMD] = "DCMD",
};

static int copy_id(char *dst, const char *s, size_t n, const char *what, char *err, size_t errlen)
{
	if (n == 0 || n > ET_SP_ID_MAX || !et_text_is_clean(s, n) || memchr(s, '+', n) ||
	    memchr(s, '#', n)) {
		snprintf(err, errlen, "the %s id is empty, longer than %d bytes or not clean UTF-8",
			 what, ET_SP_ID_MAX);
		return -EINVAL;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int et_sp_topic_parse(const char *topic, size_t len, et_sp_topic_t *t, char *err, size_t errlen)
{
	const char *lv[6];
	size_t ll[6];
	int n = 0;
	memset(t, 0, sizeof(*t));
	if (!et_sp_is_topic(topic, len)) {
		snprintf(err, errlen, "not a spBv1.0 topic");
		return -EINVAL;
	}
	const char *p = topic + sizeof(ET_SP_PREFIX) - 1, *end = topic + len;
	for (;;) {
		const char *s = memchr(p, '/', (size_t)(end - p));
		if (n == 5) {
			snprintf(err, errlen, "too many topic levels");
			return -EINVAL;
		}
		lv[n] = p;
		ll[n] = s ? (size_t)(s - p) : (size_t)(end - p);
		n++;
		if (!s)
			break;
		p = s + 1;
	}
	if (n == 2 && ll[0] == 5 && memcmp(lv[0], "STATE", 5) == 0) {
		t->type = ET_SP_STATE;
		return copy_id(t->node, lv[1], ll[1], "host", err, errlen);
	}
	if (n < 3) {
		snprintf(err, errlen, "a Sparkplug topic needs group, message type and edge node");
		return -EINVAL;
	}
	int type = -1;
	for (int i = 0; i < (int)(sizeof(type_names) / sizeof(type_names[0])); i++) {
		if (strlen(type_names[i]) == ll[1] && memcmp(type_names[i], lv[1], ll[1]) == 0)
			type = i;
	}
	if (type < 0) {
		snprintf(err, errlen, "unknown message type %.*s", (int)(ll[1] > 16 ? 16 : ll[1]),
			 lv[1]);
		return -EINVAL;
	}
	t->type = (enum et_sp_type)type;
	bool dev = type == ET_SP_DBIRTH || type == ET_SP_DDEATH || type == ET_SP_DDATA ||
		   type == ET_SP_DCMD;
	if (n != (dev ? 4 : 3)) {
		snprintf(err, errlen, "%s takes %s", type_names[type],
			 dev ? "group, edge node and device" : "group and edge node only");
		return -EINVAL;
	}
	if (copy_id(t->group, lv[0], ll[0], "group", err, errlen) ||
	    copy_id(t->node, lv[2], ll[2], "edge node", err, errlen) ||
	    (dev && copy_id(t->device, lv[3], ll[3], "device", err, errlen)))
		return -EINVAL;
	return 0;
}

/* The state. An alias table per edge node (the specification makes
 * aliases unique across a node and its devices), open addressing on the
 * alias; names are kept for metrics sent by name. */
typedef struct alias_ent {
	uint64_t alias;
	char *name;
	int dev; /* index in node's devices, -1 for the node */
	uint32_t datatype;
	bool used;
} alias_ent_t;

typedef struct birth {
	char *topic;
	void *payload;
	size_t len;
} birth_t;

typedef struct device {
	char name[ET_SP_ID_MAX + 1];
	bool born;
	birth_t birth;
} device_t;

typedef struct node {
	struct node *next;
	char group[ET_SP_ID_MAX + 1];
	char node[ET_SP_ID_MAX + 1];
	bool born;
	bool has_bdseq;
	uint64_t bdseq;
	int last_seq; /* -1: unknown, the next message sets it */
	int64_t last_rebirth_us;
	bool rebirth_sent;
	alias_ent_t *aliases;
	size_t acap, acount;
	device_t *devices;
	size_t ndev, devcap;
	birth_t birth;
} node_t;

struct et_sp_host {
	node_t *nodes;
	size_t nnodes;
	int64_t rebirth_min_us;
	bool births_changed;
};

et_sp_host_t *et_sp_host_new(int64_t rebirth_min_us)
{
	et_sp_host_t *h = calloc(1, sizeof(*h));
	if (h)
		h->rebirth_min_us = rebirth_min_us;
	return h;
}

void et_sp_host_set_rebirth_interval(et_sp_host_t *h, int64_t rebirth_min_us)
{
	h->rebirth_min_us = rebirth_min_us;
}

static void birth_clear(birth_t *b)
{
	free(b->topic);
	free(b->payload);
	memset(b, 0, sizeof(*b));
}

static int birth_set(birth_t *b, const char *topic, size_t tlen, const void *payload, size_t len)
{
	birth_t nb = {0};
	nb.topic = strndup(topic, tlen);
	nb.payload = malloc(len ? len : 1);
	if (!nb.topic || !nb.payload) {
		birth_clear(&nb);
		return -ENOMEM;
	}
	memcpy(nb.payload, payload, len);
	nb.len = len;
	birth_clear(b);
	*b = nb;
	return 0;
}

static void aliases_clear(node_t *n, int dev)
{
	/* dev -2: all; else only that device's (a DBIRTH redefines them) */
	for (size_t i = 0; i < n->acap; i++) {
		alias_ent_t *e = &n->aliases[i];
		if (e->used && (dev == -2 || e->dev == dev)) {
			free(e->name);
			e->name = NULL;
			/* keep `used` as a tombstone so that probing goes on; the
			 * name NULL says it is empty */
		}
	}
	if (dev == -2) {
		free(n->aliases);
		n->aliases = NULL;
		n->acap = n->acount = 0;
	}
}

static void node_reset(node_t *n)
{
	aliases_clear(n, -2);
	for (size_t i = 0; i < n->ndev; i++)
		birth_clear(&n->devices[i].birth);
	free(n->devices);
	n->devices = NULL;
	n->ndev = n->devcap = 0;
}

void et_sp_host_free(et_sp_host_t *h)
{
	if (!h)
		return;
	for (node_t *n = h->nodes; n;) {
		node_t *next = n->next;
		node_reset(n);
		birth_clear(&n->birth);
		free(n);
		n = next;
	}
	free(h);
}

static node_t *node_get(et_sp_host_t *h, const et_sp_topic_t *t, bool create)
{
	for (node_t *n = h->nodes; n; n = n->next)
		if (strcmp(n->node, t->node) == 0 && strcmp(n->group, t->group) == 0)
			return n;
	if (!create)
		return NULL;
	node_t *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	memcpy(n->group, t->group, sizeof(n->group));
	memcpy(n->node, t->node, sizeof(n->node));
	n->last_seq = -1;
	n->next = h->nodes;
	h->nodes = n;
	h->nnodes++;
	return n;
}

static int device_index(node_t *n, const char *name, bool create)
{
	for (size_t i = 0; i < n->ndev; i++)
		if (strcmp(n->devices[i].name, name) == 0)
			return (int)i;
	if (!create)
		return -1;
	if (n->ndev == n->devcap) {
		size_t cap = n->devcap ? n->devcap * 2 : 4;
		device_t *d = realloc(n->devices, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		n->devices = d;
		n->devcap = cap;
	}
	device_t *d = &n->devices[n->ndev];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	return (int)n->ndev++;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static alias_ent_t *alias_find(const node_t *n, uint64_t alias)
{
	if (!n->acap)
		return NULL;
	for (size_t i = mix(alias) & (n->acap - 1), k = 0; k < n->acap;
	     i = (i + 1) & (n->acap - 1), k++) {
		alias_ent_t *e = &n->aliases[i];
		if (!e->used)
			return NULL;
		if (e->alias == alias)
			return e->name ? e : NULL;
	}
	return NULL;
}

static int alias_put(node_t *n, uint64_t alias, const char *name, int dev, uint32_t datatype)
{
	if ((n->acount + 1) * 2 > n->acap) {
		size_t cap = n->acap ? n->acap * 2 : 64;
		alias_ent_t *a = calloc(cap, sizeof(*a));
		if (!a)
			return -ENOMEM;
		alias_ent_t *old = n->aliases;
		size_t ocap = n->acap;
		n->aliases = a;
		n->acap = cap;
		n->acount = 0;
		for (size_t i = 0; i < ocap; i++) {
			if (old[i].used && old[i].name) {
				size_t j = mix(old[i].alias) & (cap - 1);
				while (a[j].used)
					j = (j + 1) & (cap - 1);
				a[j] = old[i];
				n->acount++;
			}
		}
		free(old);
	}
	char *nm = strdup(name);
	if (!nm)
		return -ENOMEM;
	size_t i = mix(alias) & (n->acap - 1);
	while (n->aliases[i].used && n->aliases[i].alias != alias)
		i = (i + 1) & (n->acap - 1);
	alias_ent_t *e = &n->aliases[i];
	if (!e->used)
		n->acount++;
	free(e->name);
	*e = (alias_ent_t){
		.alias = alias, .name = nm, .dev = dev, .datatype = datatype, .used = true};
	return 0;
}

/* The metric's value as a double; false when it has none that is a number
 * (strings, bytes, data sets, templates). */
static bool metric_number(const pb_metric_t *m, uint32_t datatype, double *ret)
{
	switch (m->value_case) {
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE:
		if (datatype == DT_INT8)
			*ret = (double)(int8_t)m->int_value;
		else if (datatype == DT_INT16)
			*ret = (double)(int16_t)m->int_value;
		else if (datatype == DT_INT32)
			*ret = (double)(int32_t)m->int_value;
		else
			*ret = (double)m->int_value;
		return true;
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE:
		if (datatype == DT_INT64 || datatype == DT_INT32 || datatype == DT_INT16 ||
		    datatype == DT_INT8)
			*ret = (double)(int64_t)m->long_value;
		else
			*ret = (double)m->long_value;
		return true;
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
		*ret = (double)m->float_value;
		return isfinite(*ret);
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		*ret = m->double_value;
		return isfinite(*ret);
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
		*ret = m->boolean_value ? 1.0 : 0.0;
		return true;
	default:
		return false;
	}
}

/* A payload's timestamp in µs, or recv_us when it has none or one that
 * cannot be stored. */
static int64_t payload_ts(const pb_payload_t *p, int64_t recv_us)
{
	if (p->has_timestamp && p->timestamp <= 253402300799999ULL)
		return (int64_t)p->timestamp * 1000;
	return recv_us;
}

static bool is_control_metric(const char *name)
{
	return strcmp(name, "bdSeq") == 0 || strncmp(name, "Node Control/", 13) == 0 ||
	       strncmp(name, "Device Control/", 15) == 0 || strncmp(name, "Properties/", 11) == 0;
}

static void want_rebirth(et_sp_host_t *h, node_t *n, const et_sp_topic_t *t, int64_t now_us,
			 const et_sp_sink_t *s, const char *why)
{
	if (n->rebirth_sent && now_us - n->last_rebirth_us < h->rebirth_min_us)
		return;
	if (s->on_rebirth && s->on_rebirth(s->ctx, t, why) == 0) {
		n->rebirth_sent = true;
		n->last_rebirth_us = now_us;
	}
}

static bool find_bdseq(const pb_payload_t *p, uint64_t *ret)
{
	for (size_t i = 0; i < p->n_metrics; i++) {
		const pb_metric_t *m = p->metrics[i];
		if (m->name && strcmp(m->name, "bdSeq") == 0) {
			if (m->value_case ==
			    ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE)
				*ret = m->long_value;
			else if (m->value_case ==
				 ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE)
				*ret = m->int_value;
			else
				return false;
			return true;
		}
	}
	return false;
}

/* The metrics of a birth or a DATA message, resolved and handed to the
 * sink. Returns the number of values, or a negative code. */
static int emit_metrics(et_sp_host_t *h, node_t *n, int dev, const et_sp_topic_t *t,
			const pb_payload_t *p, bool birth, bool restore, int64_t recv_us,
			int64_t now_us, const et_sp_limits_t *lim, const et_sp_sink_t *s)
{
	int nvalues = 0;
	int64_t msg_ts = payload_ts(p, recv_us);
	for (size_t i = 0; i < p->n_metrics; i++) {
		const pb_metric_t *m = p->metrics[i];
		const char *name = m->name;
		uint32_t dt = m->has_datatype ? m->datatype : 0;
		char detail[ET_SP_NAME_MAX + 96];
		if (name && (!*name || strlen(name) > ET_SP_NAME_MAX ||
			     !et_text_is_clean(name, strlen(name)))) {
			if (!restore && s->on_reject)
				s->on_reject(
					s->ctx, (int)i, "sparkplug_bad_metric",
					"the metric name is empty, too long or not clean UTF-8");
			continue;
		}
		if (birth) {
			if (!name) {
				if (!restore && s->on_reject)
					s->on_reject(s->ctx, (int)i, "sparkplug_bad_metric",
						     "a birth metric without a name");
				continue;
			}
			if (m->has_alias && alias_put(n, m->alias, name, dev, dt))
				return -ENOMEM;
		} else if (m->has_alias && !name) {
			const alias_ent_t *e = alias_find(n, m->alias);
			if (!e || e->dev != dev) {
				want_rebirth(h, n, t, now_us, s, "an alias no birth defined");
				if (s->on_reject) {
					snprintf(detail, sizeof(detail),
						 "alias %" PRIu64 " is not defined by the current "
						 "birth of this %s; a rebirth was requested",
						 m->alias, dev >= 0 ? "device" : "edge node");
					s->on_reject(s->ctx, (int)i, "sparkplug_unknown_alias",
						     detail);
				}
				continue;
			}
			name = e->name;
			if (!dt)
				dt = e->datatype;
		} else if (!name) {
			if (s->on_reject)
				s->on_reject(s->ctx, (int)i, "sparkplug_bad_metric",
					     "a metric with neither name nor alias");
			continue;
		}
		if (restore || (m->has_is_null && m->is_null) || is_control_metric(name))
			continue;
		double v;
		if (!metric_number(m, dt, &v))
			continue; /* not a number: strings, data sets, templates */
		int64_t ts = msg_ts;
		if (m->has_timestamp) {
			if (m->timestamp >= (uint64_t)INT64_MAX / 1000) {
				ts = INT64_MAX;
			} else {
				ts = (int64_t)m->timestamp * 1000;
			}
		}
		/* years 1970..9999 only: et_ts_format's range */
		if (ts < 0 || ts > 253402300799999999LL ||
		    (lim->max_future_us && ts > now_us + lim->max_future_us) ||
		    (lim->max_past_us && ts < now_us - lim->max_past_us)) {
			if (s->on_reject) {
				snprintf(detail, sizeof(detail),
					 "metric %s: timestamp outside the accepted range "
					 "(max_future_s, max_past_s)",
					 name);
				s->on_reject(s->ctx, (int)i, "sparkplug_bad_ts", detail);
			}
			continue;
		}
		et_sp_value_t val = {.topic = t,
				     .name = name,
				     .datatype = dt,
				     .ts_us = ts,
				     .value = v,
				     .historical = m->has_is_historical && m->is_historical};
		int rc = s->on_value ? s->on_value(s->ctx, &val) : 0;
		if (rc < 0)
			return rc;
		nvalues++;
	}
	return nvalues;
}

int et_sp_host_message(et_sp_host_t *h, const char *topic, size_t topic_len, const void *payload,
		       size_t len, int64_t recv_us, int64_t now_us, const et_sp_limits_t *lim,
		       bool restore, const et_sp_sink_t *s)
{
	et_sp_topic_t t;
	char err[160];
	if (et_sp_topic_parse(topic, topic_len, &t, err, sizeof(err))) {
		if (!restore && s->on_reject)
			s->on_reject(s->ctx, -1, "sparkplug_bad_topic", err);
		return 0;
	}
	/* what a host does not consume: other hosts' state, commands */
	if (t.type == ET_SP_STATE || t.type == ET_SP_NCMD || t.type == ET_SP_DCMD)
		return 0;
	if (restore && t.type != ET_SP_NBIRTH && t.type != ET_SP_DBIRTH)
		return 0;
	if (lim->max_payload_bytes && len > lim->max_payload_bytes) {
		if (s->on_reject) {
			snprintf(err, sizeof(err), "%zu bytes, max_payload_bytes is %zu", len,
				 lim->max_payload_bytes);
			s->on_reject(s->ctx, -1, "sparkplug_payload_too_large", err);
		}
		return 0;
	}
	pb_payload_t *p = org__eclipse__tahu__protobuf__payload__unpack(NULL, len, payload);
	if (!p) {
		if (!restore && s->on_reject)
			s->on_reject(s->ctx, -1, "sparkplug_bad_payload",
				     "not a Sparkplug B payload (protobuf decoding failed)");
		return 0;
	}
	int rc = 0;
	node_t *n = node_get(h, &t, true);
	if (!n) {
		rc = -ENOMEM;
		goto out;
	}
	bool has_seq = p->has_seq && p->seq <= 255;
	if (t.type != ET_SP_NDEATH && !has_seq && !restore) {
		if (s->on_reject)
			s->on_reject(s->ctx, -1, "sparkplug_bad_payload",
				     p->has_seq ? "seq out of 0-255" : "no seq");
		goto out;
	}
	int seq = has_seq ? (int)p->seq : -1;

	switch (t.type) {
	case ET_SP_NBIRTH: {
		node_reset(n);
		uint64_t bd;
		n->has_bdseq = find_bdseq(p, &bd);
		n->bdseq = n->has_bdseq ? bd : 0;
		n->born = true;
		n->rebirth_sent = false;
		n->last_seq = restore ? -1 : seq;
		if (birth_set(&n->birth, topic, topic_len, payload, len)) {
			rc = -ENOMEM;
			goto out;
		}
		if (!restore) {
			h->births_changed = true;
			if (s->on_birth)
				s->on_birth(s->ctx, &t, recv_us);
		}
		rc = emit_metrics(h, n, -1, &t, p, true, restore, recv_us, now_us, lim, s);
		goto out;
	}
	case ET_SP_NDEATH: {
		uint64_t bd;
		if (n->has_bdseq && find_bdseq(p, &bd) && bd != n->bdseq)
			goto out; /* a late death of an earlier session */
		n->born = false;
		n->last_seq = -1;
		node_reset(n);
		birth_clear(&n->birth);
		h->births_changed = true;
		if (s->on_death)
			s->on_death(s->ctx, &t, recv_us);
		goto out;
	}
	default:
		break;
	}

	/* DBIRTH, DDEATH, NDATA, DDATA: in sequence after the NBIRTH */
	if (!restore) {
		if (!n->born) {
			want_rebirth(h, n, &t, now_us, s, "a message before the edge node's birth");
		} else if (n->last_seq >= 0 && seq != ((n->last_seq + 1) & 255)) {
			char why[96];
			snprintf(why, sizeof(why), "seq %d after %d", seq, n->last_seq);
			want_rebirth(h, n, &t, now_us, s, why);
		}
		n->last_seq = seq;
	}
	int dev = -1;
	if (t.type == ET_SP_DBIRTH || t.type == ET_SP_DDEATH || t.type == ET_SP_DDATA) {
		dev = device_index(n, t.device, t.type == ET_SP_DBIRTH);
		if (dev == -ENOMEM) {
			rc = -ENOMEM;
			goto out;
		}
	}
	switch (t.type) {
	case ET_SP_DBIRTH:
		aliases_clear(n, dev);
		n->devices[dev].born = true;
		if (birth_set(&n->devices[dev].birth, topic, topic_len, payload, len)) {
			rc = -ENOMEM;
			goto out;
		}
		if (!restore) {
			h->births_changed = true;
			if (s->on_birth)
				s->on_birth(s->ctx, &t, recv_us);
		}
		rc = emit_metrics(h, n, dev, &t, p, true, restore, recv_us, now_us, lim, s);
		break;
	case ET_SP_DDEATH:
		if (dev >= 0) {
			n->devices[dev].born = false;
			birth_clear(&n->devices[dev].birth);
			aliases_clear(n, dev);
			h->births_changed = true;
		}
		if (s->on_death)
			s->on_death(s->ctx, &t, recv_us);
		break;
	case ET_SP_DDATA:
		if (dev < 0 || !n->devices[dev].born)
			want_rebirth(h, n, &t, now_us, s, "DDATA of a device without a birth");
		rc = emit_metrics(h, n, dev, &t, p, false, restore, recv_us, now_us, lim, s);
		break;
	case ET_SP_NDATA:
		rc = emit_metrics(h, n, -1, &t, p, false, restore, recv_us, now_us, lim, s);
		break;
	default:
		break;
	}
out:
	org__eclipse__tahu__protobuf__payload__free_unpacked(p, NULL);
	return rc;
}

bool et_sp_host_births_changed(et_sp_host_t *h)
{
	bool c = h->births_changed;
	h->births_changed = false;
	return c;
}

int et_sp_host_births(const et_sp_host_t *h,
		      int (*cb)(void *ctx, const char *topic, const void *payload, size_t len),
		      void *ctx)
{
	for (const node_t *n = h->nodes; n; n = n->next) {
		if (!n->born || !n->birth.topic)
			continue;
		int rc = cb(ctx, n->birth.topic, n->birth.payload, n->birth.len);
		for (size_t i = 0; !rc && i < n->ndev; i++)
			if (n->devices[i].born && n->devices[i].birth.topic)
				rc = cb(ctx, n->devices[i].birth.topic, n->devices[i].birth.payload,
					n->devices[i].birth.len);
		if (rc)
			return rc;
	}
	return 0;
}

size_t et_sp_host_nodes(const et_sp_host_t *h)
{
	return h->nnodes;
}

int et_sp_rebirth_payload(et_buf_t *b, int64_t ts_ms)
{
	pb_payload_t p = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
	pb_metric_t m = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__INIT;
	pb_metric_t *ms[1] = {&m};
	m.name = "Node Control/Rebirth";
	m.has_timestamp = true;
	m.timestamp = (uint64_t)ts_ms;
	m.has_datatype = true;
	m.datatype = DT_BOOLEAN;
	m.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
	m.boolean_value = 1;
	p.has_timestamp = true;
	p.timestamp = (uint64_t)ts_ms;
	p.n_metrics = 1;
	p.metrics = ms;
	size_t need = org__eclipse__tahu__protobuf__payload__get_packed_size(&p);
	et_buf_reset(b);
	if (et_buf_reserve(b, need))
		return -ENOMEM;
	b->len = org__eclipse__tahu__protobuf__payload__pack(&p, (uint8_t *)b->data);
	return 0;
}

/* COPY text: the same field encodings as lib/copyenc.c. */
static int put(et_buf_t *b, const char *s)
{
	return et_buf_append(b, s, strlen(s));
}

static int put_ts(et_buf_t *b, int64_t us)
{
	char t[ET_TS_TEXT_MAX];
	return et_buf_append(b, t, et_ts_format(us, t));
}

static int put_fmt(et_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int put_fmt(et_buf_t *b, const char *fmt, ...)
{
	char t[48];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	return et_buf_append(b, t, (size_t)n);
}

static int put_ids(et_buf_t *b, uint32_t n, const char *event, const et_sp_topic_t *t)
{
	int rc = put_fmt(b, "%u\t%s\t", n, event);
	rc = rc ? rc : et_copy_text(b, t->group, strlen(t->group));
	rc = rc ? rc : put(b, "\t");
	rc = rc ? rc : et_copy_text(b, t->node, strlen(t->node));
	rc = rc ? rc : put(b, "\t");
	rc = rc ? rc : et_copy_text(b, t->device, strlen(t->device));
	rc = rc ? rc : put(b, "\t");
	return rc;
}

int et_sp_copy_value(et_buf_t *b, uint32_t n, const et_sp_value_t *v, int64_t recv_us)
{
	size_t mark = b->len;
	int rc = put_ids(b, n, "data", v->topic);
	rc = rc ? rc : et_copy_text(b, v->name, strlen(v->name));
	rc = rc ? rc : put_fmt(b, "\t%u\t", v->datatype);
	rc = rc ? rc : put_ts(b, v->ts_us);
	rc = rc ? rc : put_fmt(b, "\t%.17g\t%s\t", v->value, v->historical ? "t" : "f");
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : put(b, "\n");
	if (rc)
		b->len = mark;
	return rc;
}

int et_sp_copy_event(et_buf_t *b, uint32_t n, const char *event, const et_sp_topic_t *t,
		     int64_t recv_us)
{
	size_t mark = b->len;
	int rc = put_ids(b, n, event, t);
	rc = rc ? rc : put(b, "\t\\N\t");
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : put(b, "\t\\N\tf\t");
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : put(b, "\n");
	if (rc)
		b->len = mark;
	return rc;
}
