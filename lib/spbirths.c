/* SPDX-License-Identifier: MIT */
/* The Sparkplug births file's replay (enertrack/spbirths.h): the records
 * are read once, two hash tables give each topic its last record and each
 * edge node its last NBIRTH, and the births alive at the end come out in
 * file order, which puts a node's NBIRTH before its DBIRTHs. */
#include "enertrack/spbirths.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A record as read; nb is, for a DBIRTH, the index of its node's NBIRTH
 * when it came (-1: none). */
typedef struct rec {
	et_spool_rec_t r;
	const char *group, *node;
	size_t glen, nlen;
	long nb;
	char kind;
} rec_t;

/* Open addressing over keys of two byte strings (a topic and "", or a
 * group and a node); the value is a record index. */
typedef struct slot {
	const char *a, *b;
	size_t alen, blen;
	long v;
	bool used;
} slot_t;

typedef struct map {
	slot_t *s;
	size_t mask;
} map_t;

static uint64_t hash2(const char *a, size_t alen, const char *b, size_t blen)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ (uint8_t)a[i]) * 1099511628211ULL;
	h = (h ^ 0x2f) * 1099511628211ULL;
	for (size_t i = 0; i < blen; i++)
		h = (h ^ (uint8_t)b[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The slot of the key, made (v = -1) when absent. The map has room: twice
 * the records, at most two keys a record. */
static long *map_at(map_t *m, const char *a, size_t alen, const char *b, size_t blen)
{
	for (size_t i = hash2(a, alen, b, blen) & m->mask;; i = (i + 1) & m->mask) {
		slot_t *s = &m->s[i];
		if (!s->used) {
			*s = (slot_t){
				.a = a, .b = b, .alen = alen, .blen = blen, .v = -1, .used = true};
			return &s->v;
		}
		if (s->alen == alen && s->blen == blen && memcmp(s->a, a, alen) == 0 &&
		    memcmp(s->b, b, blen) == 0)
			return &s->v;
	}
}

/* Splits "spBv1.0/<group>/<type>/<node>[/<device>]" into group and node;
 * the kind of the type. */
static char split(rec_t *x)
{
	const char *t = x->r.topic, *end = t + x->r.topic_len;
	const char *part[5];
	size_t plen[5], n = 0;
	for (const char *p = t; n < 5;) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		part[n] = p;
		plen[n++] = (size_t)((q ? q : end) - p);
		if (!q)
			break;
		p = q + 1;
	}
	if (n < 4 || plen[0] != 7 || memcmp(part[0], "spBv1.0", 7) != 0 || plen[2] != 6 ||
	    memcmp(part[2] + 1, "BIRTH", 5) != 0)
		return 0;
	x->group = part[1];
	x->glen = plen[1];
	x->node = part[3];
	x->nlen = plen[3];
	if (part[2][0] == 'N' && n == 4)
		return 'N';
	if (part[2][0] == 'D' && n == 5)
		return 'D';
	return 0;
}

char et_spbirths_kind(const char *topic, size_t len)
{
	rec_t x = {.r = {.topic = topic, .topic_len = (uint32_t)len}};
	return split(&x);
}

/* Reads the records of p into *ret (a new array of *ret_n). */
static int read_all(const uint8_t *p, size_t len, rec_t **ret, size_t *ret_n, et_spb_replay_t *st)
{
	size_t n = 0, cap = 0;
	rec_t *v = NULL;
	size_t off = 0;
	st->stop = ET_SPR_OK;
	while (off < len) {
		et_spool_rec_t r;
		size_t rl;
		enum et_spool_parse e = et_spool_rec_parse(p + off, len - off, &r, &rl);
		if (e != ET_SPR_OK) {
			st->stop = e;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rec_t *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n] = (rec_t){.r = r, .nb = -1};
		v[n].kind = split(&v[n]);
		n++;
		off += rl;
	}
	st->records = n;
	st->good_bytes = off;
	*ret = v;
	*ret_n = n;
	return 0;
}

int et_spbirths_replay(const uint8_t *p, size_t len, int (*cb)(void *ctx, const et_spool_rec_t *r),
		       void *ctx, et_spb_replay_t *st)
{
	rec_t *v;
	size_t n;
	*st = (et_spb_replay_t){0};
	if (read_all(p, len, &v, &n, st))
		return -ENOMEM;
	size_t cap = 16;
	while (cap < 4 * n)
		cap *= 2;
	map_t topics = {calloc(cap, sizeof(slot_t)), cap - 1};
	map_t nodes = {calloc(cap, sizeof(slot_t)), cap - 1};
	int rc = 0;
	if (!topics.s || !nodes.s) {
		rc = -ENOMEM;
		goto out;
	}
	/* pass 1: the last record of each topic, the last NBIRTH of each node */
	for (size_t i = 0; i < n; i++) {
		rec_t *x = &v[i];
		if (!x->kind)
			continue;
		*map_at(&topics, x->r.topic, x->r.topic_len, "", 0) = (long)i;
		long *nb = map_at(&nodes, x->group, x->glen, x->node, x->nlen);
		if (x->kind == 'N')
			*nb = x->r.payload_len ? (long)i : -1; /* a birth, or the node's death */
		else
			x->nb = *nb;
	}
	/* pass 2: what is alive at the end, in file order */
	for (size_t i = 0; i < n && rc >= 0; i++) {
		rec_t *x = &v[i];
		if (!x->kind || !x->r.payload_len ||
		    *map_at(&topics, x->r.topic, x->r.topic_len, "", 0) != (long)i)
			continue;
		long nb = *map_at(&nodes, x->group, x->glen, x->node, x->nlen);
		if (x->kind == 'D' && (x->nb < 0 || x->nb != nb))
			continue; /* its node died or was born again after it */
		int c = cb(ctx, &x->r);
		rc = c < 0 ? c : rc + 1;
	}
out:
	free(topics.s);
	free(nodes.s);
	free(v);
	return rc;
}
