/* SPDX-License-Identifier: MIT */
/* enertrack-sim's belt scales: the mines that publish a totaliser instead
 * of each shift's output, one of which gets a new meter in the span. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "enertrack/log.h"
#include "sim.h"

/* A few mines weigh their coal with a belt scale whose totaliser counts t
 * and wraps at BELT_ROLLOVER; they publish the running total ("counter":
 * true), and enertrackd derives each shift's output from it. One of them
 * (BELT_REPLACED) gets a new meter on 1 July of the span's last year, which
 * the operator declares in counter_replacement with the fixed figures below
 * (scripts/demo.sh does). The totals the sim prints count what the daemon
 * counts: the first reading of a totaliser is its baseline (0). */
#define N_BELTS		 3
#define BELT_REPLACED	 1
#define BELT_ROLLOVER	 1e7 /* 9 999 999.999 t, then 0 */
#define BELT_OLD_FINAL	 8765432.1
#define BELT_NEW_INITIAL 5.0

struct belt {
	int site;	 /* index in the roster */
	double base;	 /* the total at the span's start (not for BELT_REPLACED) */
	double cum;	 /* output since the span's start, t */
	double off;	 /* BELT_REPLACED: output from the start to the replacement */
	double last;	 /* the last total published; < 0: none yet */
	int64_t last_ts; /* and its ts */
	double counted[MAX_YEARS];
};

static const int belt_sites[N_BELTS] = {30, 31, 32};
static const double belt_bases[N_BELTS] = {9.9e6, 0, 3141592.6};

/* The replacement's time: 1 July 00:00 (local) of the span's last year. */
static int64_t belt_replaced_at(const struct sim *s)
{
	return days_from_civil(s->y0 + s->years - 1, 7, 1) * DAY;
}

/* Sets up the belt scales. Returns 0 or -ENOMEM. */
int belt_init(struct sim *s)
{
	s->belts = calloc(N_BELTS, sizeof(*s->belts));
	if (!s->belts)
		return -ENOMEM;
	for (int k = 0; k < N_BELTS; k++) {
		struct belt *b = &s->belts[k];
		b->site = belt_sites[k];
		b->base = belt_bases[k];
		b->last = -1;
	}
	struct belt *r = &s->belts[BELT_REPLACED];
	int64_t at = belt_replaced_at(s);
	struct site *m = &s->sites[r->site];
	r->off =
		at >= s->start ? mine_output(s, m, s->start, at) : -mine_output(s, m, at, s->start);
	return 0;
}

/* The belt of roster index i, or NULL. */
struct belt *belt_of(struct sim *s, int i)
{
	for (int k = 0; s->belts && k < N_BELTS; k++)
		if (s->belts[k].site == i)
			return &s->belts[k];
	return NULL;
}

/* x in [0, BELT_ROLLOVER), rounded to the kg. */
static double belt_wrap(double x)
{
	x = round_to(fmod(x, BELT_ROLLOVER), 0.001);
	if (x < 0)
		x += BELT_ROLLOVER;
	return x >= BELT_ROLLOVER ? x - BELT_ROLLOVER : x;
}

/* Publishes the totaliser reading of belt b at ts (local civil seconds),
 * after the shift [ts - interval, ts). Returns 0 or a negative code. */
int belt_emit(struct sim *s, struct out *o, struct belt *b, int64_t ts)
{
	struct site *m = &s->sites[b->site];
	double shift = b->last >= 0 ? mine_output(s, m, ts - s->interval, ts) : 0;
	b->cum += shift;
	bool replaced = b == &s->belts[BELT_REPLACED];
	int64_t at = belt_replaced_at(s);
	double total = !replaced ? belt_wrap(b->base + b->cum)
		       : ts < at ? belt_wrap(BELT_OLD_FINAL - (b->off - b->cum))
				 : belt_wrap(BELT_NEW_INITIAL + (b->cum - b->off));
	/* what enertrackd counts (sql/functions/counter_apply.sql) */
	double delta = 0;
	if (b->last >= 0 && replaced && b->last_ts < at && ts >= at)
		delta = (BELT_OLD_FINAL - b->last) + (total - BELT_NEW_INITIAL);
	else if (b->last >= 0)
		delta = total >= b->last ? total - b->last : total + BELT_ROLLOVER - b->last;
	b->last = total;
	b->last_ts = ts;

	char tsbuf[40], topic[256], payload[512];
	format_ts(tsbuf, sizeof(tsbuf), ts);
	snprintf(topic, sizeof(topic), "%s/mine/%s/raw_coal", s->prefix, m->id);
	int len = snprintf(payload, sizeof(payload),
			   "{\"ts\":\"%s\",\"value\":%.15g,\"unit\":\"t\",\"seq\":%" PRIu64
			   ",\"county\":\"%s\",\"counter\":true,\"rollover\":%.15g}",
			   tsbuf, total, ++m->seq, m->county, BELT_ROLLOVER);
	et_pace_wait(&o->t0, s->messages, o->rate);
	if (o->dry_run) {
		if (fprintf(o->f, "%s\t%s\n", topic, payload) < 0)
			return -EIO;
	} else {
		int rc = et_pub_send(o->pub, topic, payload, (size_t)len);
		if (rc)
			return rc;
	}
	s->messages++;
	s->by_kind[K_MINE]++;
	int yi = year_of_day(floor_div(ts, DAY)) - s->y0;
	if (yi >= 0 && yi < s->years) {
		s->tot[yi].sum[M_RAW_COAL] += delta;
		b->counted[yi] += delta;
		/* the statistics count what the mine produced, as for every mine */
		int ty, tm, td;
		civil_from_days(floor_div(ts, DAY), &ty, &tm, &td);
		int mi = yi * 12 + tm - 1;
		s->stat_city[M_RAW_COAL][mi] += shift;
		for (int p = 0; p < P_COUNT; p++)
			if (m->county == places[p].name)
				s->stat_county[p][mi] += shift;
	}
	return 0;
}

/* One line per year: what the belt scales counted, and the replacement to
 * declare. */
void belt_summary(const struct sim *s)
{
	if (!s->belts)
		return;
	char at[40];
	format_ts(at, sizeof(at), belt_replaced_at(s));
	fprintf(stderr,
		"sim: belt scales (totalisers, rollover %.0f t): %s, %s, %s; %s's meter replaced "
		"at %s: old final %.1f t, new initial %.1f t\n",
		BELT_ROLLOVER, s->sites[belt_sites[0]].id, s->sites[belt_sites[1]].id,
		s->sites[belt_sites[2]].id, s->sites[belt_sites[BELT_REPLACED]].id, at,
		BELT_OLD_FINAL, BELT_NEW_INITIAL);
	for (int i = 0; i < s->years; i++) {
		double sum = 0;
		for (int k = 0; k < N_BELTS; k++)
			sum += s->belts[k].counted[i];
		fprintf(stderr, "sim: %d: belt scales counted %.3f t\n", s->y0 + i, sum);
	}
}
