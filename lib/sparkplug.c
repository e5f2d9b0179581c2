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

/* The state. Edge nodes are kept in a hash table (chained on the hash of
 * group and node), and only once they are born: a DATA or a death from a
 * node without a birth creates nothing, so spoofed node names cost no
 * memory. The metric definitions of a node and its devices are one array
 * with two open-addressing indexes, by alias (the specification makes
 * aliases unique across a node and its devices) and by (device, name), so
 * that DATA by alias or by name finds the birth's datatype. */
typedef struct def {
	char *name;
	uint64_t alias;
	int dev; /* index in node's devices, -1 for the node */
	uint32_t datatype;
	bool has_alias;
	bool live; /* false once a DBIRTH of its device replaced it */
} def_t;

/* A birth as received, in one allocation that the host and a save of the
 * births in progress share (et_sp_host_births_hold): counted references,
 * taken and dropped on the host's thread only; the bytes never change, so
 * another thread may read them while it holds a reference. */
struct et_sp_birth {
	unsigned refs;
	uint64_t serial; /* unique in its host: which births a save has written */
	size_t topic_len, len;
	char *topic; /* NUL-terminated, in data */
	void *payload;
	char data[];
};

/* topic and payload point into blob; all NULL when there is none */
typedef struct birth {
	char *topic;
	void *payload;
	size_t len;
	et_sp_birth_t *blob;
} birth_t;

typedef struct device {
	char name[ET_SP_ID_MAX + 1];
	bool born;
	birth_t birth;
} device_t;

typedef struct node {
	struct node *hnext;
	uint64_t hash;
	char group[ET_SP_ID_MAX + 1];
	char node[ET_SP_ID_MAX + 1];
	bool born;
	/* born in this session: a birth restored from the births file may be
	 * stale (the node may have been born again, with other aliases, while
	 * the daemon was down), so its DATA is not mapped until a new NBIRTH */
	bool confirmed;
	bool has_bdseq;
	uint64_t bdseq;
	int expect; /* the next seq; -1: unknown, the next message sets it */
	/* a gap waiting for its missing seqs [gap_lo, gap_hi) (mod 256) until
	 * gap_deadline (0: none), the specification's reordering time-out */
	int gap_lo, gap_hi;
	int64_t gap_deadline;
	int64_t last_rebirth_us;
	bool rebirth_sent;
	def_t *defs;
	size_t ndefs, defcap, nlive;
	uint32_t *by_alias, *by_name; /* index + 1 into defs; 0 empty */
	size_t icap;
	device_t *devices;
	size_t ndev, devcap;
	birth_t birth;
	size_t birth_bytes; /* the NBIRTH's and the live DBIRTHs' payloads */
} node_t;

/* rebirth requests to nodes without state, remembered by hash in a fixed
 * table so that their rate is limited without memory per node */
#define UNKNOWN_SLOTS 1024

struct et_sp_host {
	node_t **buckets;
	size_t nbuckets, nnodes, ngaps;
	int64_t rebirth_min_us;
	bool births_changed;
	double tokens; /* the global rebirth token bucket */
	int64_t tokens_us;
	uint64_t rebirths_dropped;
	uint64_t birth_serial; /* the last et_sp_birth_t's serial */
	struct {
		uint64_t hash;
		int64_t at_us;
	} unknown[UNKNOWN_SLOTS];
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

static void blob_unref(et_sp_birth_t *bl)
{
	if (bl && --bl->refs == 0)
		free(bl);
}

static void birth_clear(birth_t *b)
{
	blob_unref(b->blob);
	memset(b, 0, sizeof(*b));
}

static int birth_set(et_sp_host_t *h, birth_t *b, const char *topic, size_t tlen,
		     const void *payload, size_t len)
{
	et_sp_birth_t *bl = malloc(sizeof(*bl) + tlen + 1 + len);
	if (!bl)
		return -ENOMEM;
	bl->refs = 1;
	bl->serial = ++h->birth_serial;
	bl->topic_len = tlen;
	bl->len = len;
	bl->topic = bl->data;
	memcpy(bl->topic, topic, tlen);
	bl->topic[tlen] = '\0';
	bl->payload = bl->data + tlen + 1;
	if (len)
		memcpy(bl->payload, payload, len);
	birth_clear(b);
	*b = (birth_t){.topic = bl->topic, .payload = bl->payload, .len = len, .blob = bl};
	return 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static uint64_t name_hash(int dev, const char *name)
{
	return mix(fnv(14695981039346656037ULL, name) ^ (uint64_t)(dev + 2));
}

static const def_t *def_by_alias(const node_t *n, uint64_t alias)
{
	if (!n->icap)
		return NULL;
	for (size_t i = mix(alias) & (n->icap - 1); n->by_alias[i]; i = (i + 1) & (n->icap - 1)) {
		const def_t *d = &n->defs[n->by_alias[i] - 1];
		if (d->live && d->alias == alias)
			return d;
	}
	return NULL;
}

static const def_t *def_by_name(const node_t *n, int dev, const char *name)
{
	if (!n->icap)
		return NULL;
	for (size_t i = name_hash(dev, name) & (n->icap - 1); n->by_name[i];
	     i = (i + 1) & (n->icap - 1)) {
		const def_t *d = &n->defs[n->by_name[i] - 1];
		if (d->live && d->dev == dev && strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static void index_put(node_t *n, size_t k)
{
	const def_t *d = &n->defs[k];
	size_t i;
	if (d->has_alias) {
		for (i = mix(d->alias) & (n->icap - 1); n->by_alias[i]; i = (i + 1) & (n->icap - 1))
			;
		n->by_alias[i] = (uint32_t)k + 1;
	}
	for (i = name_hash(d->dev, d->name) & (n->icap - 1); n->by_name[i];
	     i = (i + 1) & (n->icap - 1))
		;
	n->by_name[i] = (uint32_t)k + 1;
}

/* Drops the replaced definitions and rebuilds both indexes with room for
 * `more` definitions at half load. */
static int defs_compact(node_t *n, size_t more)
{
	size_t j = 0;
	for (size_t i = 0; i < n->ndefs; i++) {
		if (n->defs[i].live)
			n->defs[j++] = n->defs[i];
		else
			free(n->defs[i].name);
	}
	n->ndefs = n->nlive = j;
	size_t cap = 64;
	while (cap < (j + more) * 2)
		cap <<= 1;
	if (cap != n->icap) {
		uint32_t *a = calloc(cap, sizeof(*a)), *b = calloc(cap, sizeof(*b));
		if (!a || !b) {
			free(a);
			free(b);
			return -ENOMEM;
		}
		free(n->by_alias);
		free(n->by_name);
		n->by_alias = a;
		n->by_name = b;
		n->icap = cap;
	} else {
		memset(n->by_alias, 0, cap * sizeof(*n->by_alias));
		memset(n->by_name, 0, cap * sizeof(*n->by_name));
	}
	if (j + more > n->defcap) {
		def_t *d = realloc(n->defs, (j + more) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		n->defs = d;
		n->defcap = j + more;
	}
	for (size_t i = 0; i < j; i++)
		index_put(n, i);
	return 0;
}

static int def_add(node_t *n, const char *name, int dev, bool has_alias, uint64_t alias,
		   uint32_t datatype)
{
	if ((n->ndefs + 1) * 2 > n->icap || n->ndefs == n->defcap) {
		if (defs_compact(n, n->nlive + 16))
			return -ENOMEM;
	}
	char *nm = strdup(name);
	if (!nm)
		return -ENOMEM;
	n->defs[n->ndefs] = (def_t){.name = nm,
				    .alias = alias,
				    .dev = dev,
				    .datatype = datatype,
				    .has_alias = has_alias,
				    .live = true};
	index_put(n, n->ndefs++);
	n->nlive++;
	return 0;
}

/* A DBIRTH replaces its device's definitions (dev -2: every one). */
static void defs_drop(node_t *n, int dev)
{
	for (size_t i = 0; i < n->ndefs; i++) {
		if (n->defs[i].live && (dev == -2 || n->defs[i].dev == dev)) {
			n->defs[i].live = false;
			n->nlive--;
		}
	}
}

static void node_reset(node_t *n)
{
	for (size_t i = 0; i < n->ndefs; i++)
		free(n->defs[i].name);
	free(n->defs);
	free(n->by_alias);
	free(n->by_name);
	n->defs = NULL;
	n->by_alias = n->by_name = NULL;
	n->ndefs = n->defcap = n->nlive = n->icap = 0;
	for (size_t i = 0; i < n->ndev; i++)
		birth_clear(&n->devices[i].birth);
	free(n->devices);
	n->devices = NULL;
	n->ndev = n->devcap = 0;
	n->birth_bytes = n->birth.len;
}

static void node_free(node_t *n)
{
	node_reset(n);
	birth_clear(&n->birth);
	free(n);
}

void et_sp_host_free(et_sp_host_t *h)
{
	if (!h)
		return;
	for (size_t b = 0; b < h->nbuckets; b++) {
		for (node_t *n = h->buckets[b]; n;) {
			node_t *next = n->hnext;
			node_free(n);
			n = next;
		}
	}
	free(h->buckets);
	free(h);
}

static uint64_t topic_hash(const et_sp_topic_t *t)
{
	uint64_t x = fnv(14695981039346656037ULL, t->group);
	x = (x ^ 0xff) * 1099511628211ULL;
	return mix(fnv(x, t->node));
}

static node_t *node_find(const et_sp_host_t *h, const et_sp_topic_t *t, uint64_t hash)
{
	if (!h->nbuckets)
		return NULL;
	for (node_t *n = h->buckets[hash & (h->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == hash && strcmp(n->node, t->node) == 0 &&
		    strcmp(n->group, t->group) == 0)
			return n;
	return NULL;
}

static void node_forget(et_sp_host_t *h, node_t *n)
{
	node_t **p = &h->buckets[n->hash & (h->nbuckets - 1)];
	while (*p != n)
		p = &(*p)->hnext;
	*p = n->hnext;
	if (n->gap_deadline)
		h->ngaps--;
	h->nnodes--;
	node_free(n);
}

/* A new node for an NBIRTH. NULL with *ret_full when max_nodes are known,
 * or on no memory. */
static node_t *node_create(et_sp_host_t *h, const et_sp_topic_t *t, uint64_t hash, size_t max_nodes,
			   bool *ret_full)
{
	*ret_full = max_nodes && h->nnodes >= max_nodes;
	if (*ret_full)
		return NULL;
	if (h->nnodes >= h->nbuckets) {
		size_t cap = h->nbuckets ? h->nbuckets * 2 : 64;
		node_t **b = calloc(cap, sizeof(*b));
		if (!b)
			return NULL;
		for (size_t i = 0; i < h->nbuckets; i++) {
			for (node_t *n = h->buckets[i]; n;) {
				node_t *next = n->hnext;
				n->hnext = b[n->hash & (cap - 1)];
				b[n->hash & (cap - 1)] = n;
				n = next;
			}
		}
		free(h->buckets);
		h->buckets = b;
		h->nbuckets = cap;
	}
	node_t *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	memcpy(n->group, t->group, sizeof(n->group));
	memcpy(n->node, t->node, sizeof(n->node));
	n->hash = hash;
	n->expect = -1;
	n->hnext = h->buckets[hash & (h->nbuckets - 1)];
	h->buckets[hash & (h->nbuckets - 1)] = n;
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

/* The metric's value as a double, read as the datatype says (the birth's,
 * which a DATA message's own never overrides): Sparkplug puts Int8..Int32
 * in the unsigned int_value as two's complement, so -128 as Int8 arrives
 * as 4294967168. False when it has no value that is a number (strings,
 * bytes, data sets, templates). */
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
		else if (datatype == DT_UINT8)
			*ret = (double)(uint8_t)m->int_value;
		else if (datatype == DT_UINT16)
			*ret = (double)(uint16_t)m->int_value;
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
		return true;
	case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		*ret = m->double_value;
		return true;
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

/* The global token bucket: at most rebirths_per_s requests a second, in
 * bursts of as many. */
static bool take_token(et_sp_host_t *h, const et_sp_limits_t *lim, int64_t now_us)
{
	if (lim->rebirths_per_s <= 0)
		return true;
	if (now_us > h->tokens_us) {
		h->tokens += (double)(now_us - h->tokens_us) * lim->rebirths_per_s / 1e6;
		h->tokens_us = now_us;
	}
	if (h->tokens > lim->rebirths_per_s)
		h->tokens = lim->rebirths_per_s;
	if (h->tokens < 1.0) {
		h->rebirths_dropped++;
		return false;
	}
	h->tokens -= 1.0;
	return true;
}

static void want_rebirth(et_sp_host_t *h, node_t *n, const et_sp_topic_t *t, int64_t now_us,
			 const et_sp_limits_t *lim, const et_sp_sink_t *s, const char *why)
{
	if (n->rebirth_sent && now_us - n->last_rebirth_us < h->rebirth_min_us)
		return;
	if (!s->on_rebirth || !take_token(h, lim, now_us))
		return;
	if (s->on_rebirth(s->ctx, t, why) == 0) {
		n->rebirth_sent = true;
		n->last_rebirth_us = now_us;
	}
}

/* A rebirth for a node the host has no state of (no birth seen). */
static void want_rebirth_unknown(et_sp_host_t *h, uint64_t hash, const et_sp_topic_t *t,
				 int64_t now_us, const et_sp_limits_t *lim, const et_sp_sink_t *s)
{
	size_t i = hash & (UNKNOWN_SLOTS - 1);
	if (h->unknown[i].hash == hash && now_us - h->unknown[i].at_us < h->rebirth_min_us)
		return;
	if (!s->on_rebirth || !take_token(h, lim, now_us))
		return;
	if (s->on_rebirth(s->ctx, t, "a message from an edge node without a birth") == 0) {
		h->unknown[i].hash = hash;
		h->unknown[i].at_us = now_us;
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

static void reject(const et_sp_sink_t *s, bool restore, int element, const char *reason,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void reject(const et_sp_sink_t *s, bool restore, int element, const char *reason,
		   const char *fmt, ...)
{
	char detail[ET_SP_NAME_MAX + 160];
	if (restore || !s->on_reject)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	s->on_reject(s->ctx, element, reason, detail);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Checks a birth before it changes anything: its size against the limits,
 * its aliases unique within it and against the definitions of the node's
 * other parts. 0, -EINVAL (rejected, with a reason to the sink) or
 * -ENOMEM. */
static int birth_check(const node_t *n, int dev, const pb_payload_t *p, size_t len,
		       const et_sp_limits_t *lim, bool restore, const et_sp_sink_t *s)
{
	if (lim->max_birth_metrics && p->n_metrics > lim->max_birth_metrics) {
		reject(s, restore, -1, "sparkplug_birth_too_large",
		       "%zu metrics, max_birth_metrics is %zu", p->n_metrics,
		       lim->max_birth_metrics);
		return -EINVAL;
	}
	size_t others = n ? n->birth_bytes : 0;
	if (n && dev >= 0 && n->devices[dev].born)
		others -= n->devices[dev].birth.len;
	if (lim->max_birth_bytes && len + (dev >= 0 ? others : 0) > lim->max_birth_bytes) {
		reject(s, restore, -1, "sparkplug_birth_too_large",
		       "the edge node's births would take %zu bytes, max_birth_bytes is %zu",
		       len + (dev >= 0 ? others : 0), lim->max_birth_bytes);
		return -EINVAL;
	}
	uint64_t *a = malloc((p->n_metrics ? p->n_metrics : 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	size_t k = 0;
	int rc = 0;
	for (size_t i = 0; i < p->n_metrics; i++) {
		if (!p->metrics[i]->has_alias)
			continue;
		uint64_t al = p->metrics[i]->alias;
		const def_t *d = n && dev >= 0 ? def_by_alias(n, al) : NULL;
		if (d && d->dev != dev) {
			reject(s, restore, (int)i, "sparkplug_duplicate_alias",
			       "alias %" PRIu64 " is already %s's %s", al,
			       d->dev >= 0 ? n->devices[d->dev].name : "the edge node", d->name);
			rc = -EINVAL;
			goto out;
		}
		a[k++] = al;
	}
	qsort(a, k, sizeof(*a), cmp_u64);
	for (size_t i = 1; i < k; i++) {
		if (a[i] == a[i - 1]) {
			reject(s, restore, -1, "sparkplug_duplicate_alias",
			       "alias %" PRIu64 " is given to two metrics of one birth; the birth "
			       "is refused",
			       a[i]);
			rc = -EINVAL;
			goto out;
		}
	}
out:
	free(a);
	return rc;
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
		if (name && (!*name || strlen(name) > ET_SP_NAME_MAX ||
			     !et_text_is_clean(name, strlen(name)))) {
			reject(s, restore, (int)i, "sparkplug_bad_metric",
			       "the metric name is empty, too long or not clean UTF-8");
			continue;
		}
		const def_t *d = NULL;
		if (birth) {
			if (!name) {
				reject(s, restore, (int)i, "sparkplug_bad_metric",
				       "a birth metric without a name");
				continue;
			}
			if (def_add(n, name, dev, m->has_alias, m->has_alias ? m->alias : 0, dt))
				return -ENOMEM;
		} else if (m->has_alias && !name) {
			d = def_by_alias(n, m->alias);
			if (!d || d->dev != dev) {
				want_rebirth(h, n, t, now_us, lim, s, "an alias no birth defined");
				reject(s, restore, (int)i, "sparkplug_unknown_alias",
				       "alias %" PRIu64 " is not defined by the current birth of "
				       "this %s; a rebirth was requested",
				       m->alias, dev >= 0 ? "device" : "edge node");
				continue;
			}
			name = d->name;
		} else if (!name) {
			reject(s, restore, (int)i, "sparkplug_bad_metric",
			       "a metric with neither name nor alias");
			continue;
		} else {
			d = def_by_name(n, dev, name);
		}
		/* the birth's datatype decides, whatever the DATA says */
		if (d && d->datatype)
			dt = d->datatype;
		if (restore || (m->has_is_null && m->is_null) || is_control_metric(name))
			continue;
		double v;
		if (!metric_number(m, dt, &v))
			continue; /* not a number: strings, data sets, templates */
		if (!isfinite(v)) {
			reject(s, restore, (int)i, "out_of_range", "metric %s: %s is not a reading",
			       name, isnan(v) ? "NaN" : "infinity");
			continue;
		}
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
			reject(s, restore, (int)i, "sparkplug_bad_ts",
			       "metric %s: timestamp outside the accepted range "
			       "(max_future_s, max_past_s)",
			       name);
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

static void gap_clear(et_sp_host_t *h, node_t *n)
{
	if (n->gap_deadline)
		h->ngaps--;
	n->gap_deadline = 0;
}

/* The seq of a DBIRTH, DDEATH, NDATA or DDATA of a born node. A gap waits
 * reorder_us for the missing seqs (they may come late: the specification
 * lets a host reorder) before a rebirth is asked for. */
static void check_seq(et_sp_host_t *h, node_t *n, const et_sp_topic_t *t, int seq, int64_t now_us,
		      const et_sp_limits_t *lim, const et_sp_sink_t *s)
{
	char why[96];
	if (n->gap_deadline && seq == n->gap_lo) {
		n->gap_lo = (n->gap_lo + 1) & 255;
		if (n->gap_lo == n->gap_hi)
			gap_clear(h, n);
		return;
	}
	if (n->expect < 0 || seq == n->expect) {
		n->expect = (seq + 1) & 255;
		return;
	}
	snprintf(why, sizeof(why), "seq %d where %d was due", seq, n->expect);
	if (!lim->reorder_us || n->gap_deadline) {
		/* no waiting, or a second gap while one waits */
		gap_clear(h, n);
		n->expect = (seq + 1) & 255;
		want_rebirth(h, n, t, now_us, lim, s, why);
		return;
	}
	n->gap_lo = n->expect;
	n->gap_hi = seq;
	n->gap_deadline = now_us + lim->reorder_us;
	h->ngaps++;
	n->expect = (seq + 1) & 255;
}

void et_sp_host_tick(et_sp_host_t *h, int64_t now_us, const et_sp_limits_t *lim,
		     const et_sp_sink_t *s)
{
	if (!h->ngaps)
		return;
	for (size_t b = 0; b < h->nbuckets && h->ngaps; b++) {
		for (node_t *n = h->buckets[b]; n; n = n->hnext) {
			if (!n->gap_deadline || now_us < n->gap_deadline)
				continue;
			char why[96];
			snprintf(why, sizeof(why), "seq %d still missing after reorder_timeout_ms",
				 n->gap_lo);
			gap_clear(h, n);
			et_sp_topic_t t = {.type = ET_SP_NCMD};
			memcpy(t.group, n->group, sizeof(t.group));
			memcpy(t.node, n->node, sizeof(t.node));
			want_rebirth(h, n, &t, now_us, lim, s, why);
		}
	}
}

static int on_nbirth(et_sp_host_t *h, node_t *n, uint64_t hash, const et_sp_topic_t *t,
		     const pb_payload_t *p, const char *topic, size_t topic_len,
		     const void *payload, size_t len, int seq, int64_t recv_us, int64_t now_us,
		     const et_sp_limits_t *lim, bool restore, const et_sp_sink_t *s)
{
	if (birth_check(NULL, -1, p, len, lim, restore, s)) {
		/* refused: the node has no valid birth now */
		if (n)
			node_forget(h, n);
		h->births_changed = true;
		return 0;
	}
	if (!n) {
		bool full;
		n = node_create(h, t, hash, lim->max_nodes, &full);
		if (!n && full) {
			reject(s, restore, -1, "sparkplug_too_many_nodes",
			       "max_nodes (%zu) edge nodes are alive; this one is not taken",
			       lim->max_nodes);
			return 0;
		}
		if (!n)
			return -ENOMEM;
	}
	node_reset(n);
	gap_clear(h, n);
	uint64_t bd;
	n->has_bdseq = find_bdseq(p, &bd);
	n->bdseq = n->has_bdseq ? bd : 0;
	n->born = true;
	n->confirmed = !restore;
	n->rebirth_sent = false;
	n->expect = restore ? -1 : (seq + 1) & 255;
	if (birth_set(h, &n->birth, topic, topic_len, payload, len))
		return -ENOMEM;
	n->birth_bytes = len;
	if (!restore) {
		h->births_changed = true;
		if (s->on_birth)
			s->on_birth(s->ctx, t, recv_us);
	}
	return emit_metrics(h, n, -1, t, p, true, restore, recv_us, now_us, lim, s);
}

/* An NDEATH ends the current session only: it must carry the bdSeq of the
 * NBIRTH, and the broker's copy of a death the node sent itself (same
 * bdSeq, the node already dead) changes nothing. The node is then
 * forgotten; its next birth starts afresh. The death is at the time the
 * host learns of it (the Will's timestamp is from when the node
 * connected). */
static void on_ndeath(et_sp_host_t *h, node_t *n, const et_sp_topic_t *t, const pb_payload_t *p,
		      int64_t recv_us, bool restore, const et_sp_sink_t *s)
{
	uint64_t bd;
	if (!n || !n->born)
		return;
	if (!find_bdseq(p, &bd)) {
		reject(s, restore, -1, "sparkplug_bad_payload",
		       "an NDEATH without bdSeq ends no session");
		return;
	}
	if (n->has_bdseq && bd != n->bdseq)
		return; /* a late death of an earlier session */
	node_forget(h, n);
	h->births_changed = true;
	if (s->on_death)
		s->on_death(s->ctx, t, recv_us, recv_us);
}

static int on_device(et_sp_host_t *h, node_t *n, const et_sp_topic_t *t, const pb_payload_t *p,
		     const char *topic, size_t topic_len, const void *payload, size_t len,
		     int64_t recv_us, int64_t now_us, const et_sp_limits_t *lim, bool restore,
		     const et_sp_sink_t *s)
{
	int dev = device_index(n, t->device, t->type == ET_SP_DBIRTH);
	if (dev == -ENOMEM)
		return -ENOMEM;
	switch (t->type) {
	case ET_SP_DBIRTH:
		if (birth_check(n, dev, p, len, lim, restore, s))
			return 0;
		defs_drop(n, dev);
		if (n->devices[dev].born)
			n->birth_bytes -= n->devices[dev].birth.len;
		n->devices[dev].born = true;
		if (birth_set(h, &n->devices[dev].birth, topic, topic_len, payload, len))
			return -ENOMEM;
		n->birth_bytes += len;
		if (!restore) {
			h->births_changed = true;
			if (s->on_birth)
				s->on_birth(s->ctx, t, recv_us);
		}
		return emit_metrics(h, n, dev, t, p, true, restore, recv_us, now_us, lim, s);
	case ET_SP_DDEATH:
		if (dev < 0 || !n->devices[dev].born)
			return 0; /* no birth: nothing to end */
		n->devices[dev].born = false;
		n->birth_bytes -= n->devices[dev].birth.len;
		birth_clear(&n->devices[dev].birth);
		defs_drop(n, dev);
		h->births_changed = true;
		/* the device went offline when the payload says */
		if (s->on_death)
			s->on_death(s->ctx, t, payload_ts(p, recv_us), recv_us);
		return 0;
	default: /* DDATA */
		if (dev < 0 || !n->devices[dev].born) {
			want_rebirth(h, n, t, now_us, lim, s, "DDATA of a device without a birth");
			reject(s, restore, -1, "sparkplug_no_birth",
			       "DDATA of a device without a birth; a rebirth was requested");
			return 0;
		}
		return emit_metrics(h, n, dev, t, p, false, restore, recv_us, now_us, lim, s);
	}
}

int et_sp_host_message(et_sp_host_t *h, const char *topic, size_t topic_len, const void *payload,
		       size_t len, int64_t recv_us, int64_t now_us, const et_sp_limits_t *lim,
		       bool restore, const et_sp_sink_t *s)
{
	et_sp_topic_t t;
	char err[160];
	if (et_sp_topic_parse(topic, topic_len, &t, err, sizeof(err))) {
		reject(s, restore, -1, "sparkplug_bad_topic", "%s", err);
		return 0;
	}
	/* what a host does not consume: other hosts' state, commands */
	if (t.type == ET_SP_STATE || t.type == ET_SP_NCMD || t.type == ET_SP_DCMD)
		return 0;
	if (restore && t.type != ET_SP_NBIRTH && t.type != ET_SP_DBIRTH)
		return 0;
	if (lim->max_payload_bytes && len > lim->max_payload_bytes) {
		reject(s, false, -1, "sparkplug_payload_too_large",
		       "%zu bytes, max_payload_bytes is %zu", len, lim->max_payload_bytes);
		return 0;
	}
	pb_payload_t *p = org__eclipse__tahu__protobuf__payload__unpack(NULL, len, payload);
	if (!p) {
		reject(s, restore, -1, "sparkplug_bad_payload",
		       "not a Sparkplug B payload (protobuf decoding failed)");
		return 0;
	}
	int rc = 0;
	uint64_t hash = topic_hash(&t);
	node_t *n = node_find(h, &t, hash);
	bool has_seq = p->has_seq && p->seq <= 255;
	int seq = has_seq ? (int)p->seq : -1;
	if (t.type != ET_SP_NDEATH && !has_seq && !restore) {
		reject(s, restore, -1, "sparkplug_bad_payload",
		       p->has_seq ? "seq out of 0-255" : "no seq");
		goto out;
	}
	if (t.type == ET_SP_NBIRTH) {
		rc = on_nbirth(h, n, hash, &t, p, topic, topic_len, payload, len, seq, recv_us,
			       now_us, lim, restore, s);
		goto out;
	}
	if (t.type == ET_SP_NDEATH) {
		on_ndeath(h, n, &t, p, recv_us, restore, s);
		goto out;
	}
	/* DBIRTH, DDEATH, NDATA, DDATA: in sequence after the NBIRTH */
	if (!n || !n->born) {
		if (!restore) {
			want_rebirth_unknown(h, hash, &t, now_us, lim, s);
			reject(s, restore, -1, "sparkplug_no_birth",
			       "%s of an edge node without a birth; a rebirth was requested",
			       type_names[t.type]);
		}
		goto out;
	}
	if (!restore && !n->confirmed) {
		want_rebirth(h, n, &t, now_us, lim, s,
			     "a birth restored from disk, not yet confirmed");
		reject(s, restore, -1, "sparkplug_unconfirmed_birth",
		       "%s of an edge node whose birth was restored from disk and not yet "
		       "confirmed "
		       "in this session; a rebirth was requested",
		       type_names[t.type]);
		goto out;
	}
	if (!restore)
		check_seq(h, n, &t, seq, now_us, lim, s);
	if (t.type == ET_SP_NDATA)
		rc = emit_metrics(h, n, -1, &t, p, false, restore, recv_us, now_us, lim, s);
	else
		rc = on_device(h, n, &t, p, topic, topic_len, payload, len, recv_us, now_us, lim,
			       restore, s);
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
	for (size_t b = 0; b < h->nbuckets; b++) {
		for (const node_t *n = h->buckets[b]; n; n = n->hnext) {
			if (!n->born || !n->birth.topic)
				continue;
			int rc = cb(ctx, n->birth.topic, n->birth.payload, n->birth.len);
			for (size_t i = 0; !rc && i < n->ndev; i++)
				if (n->devices[i].born && n->devices[i].birth.topic)
					rc = cb(ctx, n->devices[i].birth.topic,
						n->devices[i].birth.payload,
						n->devices[i].birth.len);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Takes a reference on b's blob into v (of room enough); counts into *n. */
static void hold_one(const birth_t *b, et_sp_birth_t **v, size_t *n)
{
	if (!b->blob)
		return;
	b->blob->refs++;
	v[(*n)++] = b->blob;
}

int et_sp_host_births_hold(const et_sp_host_t *h, et_sp_birth_t ***ret, size_t *ret_n)
{
	size_t cap = 0, n = 0;
	for (size_t b = 0; b < h->nbuckets; b++)
		for (const node_t *nd = h->buckets[b]; nd; nd = nd->hnext)
			if (nd->born && nd->birth.blob)
				cap += 1 + nd->ndev;
	et_sp_birth_t **v = malloc((cap ? cap : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* the same order as et_sp_host_births: a node's NBIRTH before its
	 * DBIRTHs, which the restore needs */
	for (size_t b = 0; b < h->nbuckets; b++) {
		for (const node_t *nd = h->buckets[b]; nd; nd = nd->hnext) {
			if (!nd->born || !nd->birth.blob)
				continue;
			hold_one(&nd->birth, v, &n);
			for (size_t i = 0; i < nd->ndev; i++)
				if (nd->devices[i].born)
					hold_one(&nd->devices[i].birth, v, &n);
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

const char *et_sp_birth_topic(const et_sp_birth_t *b, size_t *ret_len)
{
	*ret_len = b->topic_len;
	return b->topic;
}

const void *et_sp_birth_payload(const et_sp_birth_t *b, size_t *ret_len)
{
	*ret_len = b->len;
	return b->payload;
}

uint64_t et_sp_birth_serial(const et_sp_birth_t *b)
{
	return b->serial;
}

void et_sp_births_release(et_sp_birth_t **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		blob_unref(v[i]);
	free(v);
}

size_t et_sp_host_nodes(const et_sp_host_t *h)
{
	return h->nnodes;
}

void et_sp_host_lost(et_sp_host_t *h, int64_t lost_us, const et_sp_sink_t *s)
{
	for (size_t b = 0; b < h->nbuckets; b++) {
		for (node_t *n = h->buckets[b]; n;) {
			node_t *next = n->hnext;
			et_sp_topic_t t = {.type = ET_SP_NDEATH};
			memcpy(t.group, n->group, sizeof(t.group));
			memcpy(t.node, n->node, sizeof(t.node));
			bool born = n->born;
			node_forget(h, n);
			h->births_changed = true;
			if (born && s->on_death)
				s->on_death(s->ctx, &t, lost_us, lost_us);
			n = next;
		}
	}
}

static const char *const reject_names[ET_SP_REJECT_REASONS] = {
	"sparkplug_bad_topic",
	"sparkplug_bad_payload",
	"sparkplug_payload_too_large",
	"sparkplug_bad_metric",
	"sparkplug_bad_ts",
	"sparkplug_unknown_alias",
	"sparkplug_no_birth",
	"sparkplug_unconfirmed_birth",
	"sparkplug_duplicate_alias",
	"sparkplug_birth_too_large",
	"sparkplug_too_many_nodes",
};

const char *et_sp_reject_name(int i)
{
	return i >= 0 && i < ET_SP_REJECT_REASONS ? reject_names[i] : NULL;
}

int et_sp_reject_index(const char *reason)
{
	for (int i = 0; i < ET_SP_REJECT_REASONS; i++)
		if (strcmp(reason, reject_names[i]) == 0)
			return i;
	return -1;
}

uint64_t et_sp_host_rebirths_dropped(const et_sp_host_t *h)
{
	return h->rebirths_dropped;
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
		     int64_t ts_us, int64_t recv_us)
{
	size_t mark = b->len;
	int rc = put_ids(b, n, event, t);
	rc = rc ? rc : put(b, "\t\\N\t");
	rc = rc ? rc : put_ts(b, ts_us);
	rc = rc ? rc : put(b, "\t\\N\tf\t");
	rc = rc ? rc : put_ts(b, recv_us);
	rc = rc ? rc : put(b, "\n");
	if (rc)
		b->len = mark;
	return rc;
}
