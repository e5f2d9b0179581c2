/* SPDX-License-Identifier: MIT */
/* enertrack-sim's output: every site's streams on one event queue in
 * order of ts, and each message formatted, published (or printed) and
 * counted into the year's totals and the true monthly statistics. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- the event queue: a binary heap on (next, id) ---- */

static bool stream_before(const struct stream *a, const struct stream *b)
{
	return a->next != b->next ? a->next < b->next : a->id < b->id;
}

static void heap_down(struct sim *s, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, min = i;
		if (l < s->nheap && stream_before(&s->heap[l], &s->heap[min]))
			min = l;
		if (r < s->nheap && stream_before(&s->heap[r], &s->heap[min]))
			min = r;
		if (min == i)
			return;
		struct stream t = s->heap[i];
		s->heap[i] = s->heap[min];
		s->heap[min] = t;
		i = min;
	}
}

static void heap_push(struct sim *s, struct stream st)
{
	if (st.next >= s->end)
		return;
	int i = s->nheap++;
	s->heap[i] = st;
	while (i > 0) {
		int up = (i - 1) / 2;
		if (!stream_before(&s->heap[i], &s->heap[up]))
			break;
		struct stream t = s->heap[i];
		s->heap[i] = s->heap[up];
		s->heap[up] = t;
		i = up;
	}
}

static void heap_pop(struct sim *s)
{
	s->heap[0] = s->heap[--s->nheap];
	heap_down(s, 0);
}

int build_streams(struct sim *s)
{
	s->heap = calloc((size_t)s->nsites + 3,
			 sizeof(*s->heap)); /* + commissioning, GDP and share, retrofits */
	if (!s->heap)
		return -ENOMEM;
	int id = 0;
	int64_t first_day_end = s->start; /* the first daily reading covers the day before */
	for (int i = 0; i < s->first_plant; i++)
		heap_push(s, (struct stream){s->start, id++, ST_MINE, i});
	while (s->next_block < s->nblocks && s->blocks[s->next_block].ts < s->start)
		s->next_block++;
	if (s->next_block < s->nblocks)
		heap_push(s, (struct stream){s->blocks[s->next_block].ts, id++, ST_COMMISSION, -1});
	for (int i = s->first_plant; i < s->first_enterprise; i++)
		heap_push(s, (struct stream){first_day_end, id++, ST_GENERATION, i});
	for (int i = s->first_enterprise; i < s->region; i++)
		heap_push(s, (struct stream){first_day_end, id++, ST_ENTERPRISE, i});
	int64_t month = floor_div(s->start, DAY) * DAY;
	int y, m, d;
	civil_from_days(floor_div(month, DAY), &y, &m, &d);
	if (d != 1)
		month = next_month_start(month);
	heap_push(s, (struct stream){month, id++, ST_GDP, s->region});
	heap_push(s, (struct stream){month, id++, ST_SHARE, s->region});
	int64_t rf = retrofit_plan(s);
	if (rf >= 0)
		heap_push(s, (struct stream){rf, id++, ST_RETROFIT, -1});
	return 0;
}

/* Rounds to the metric's resolution: a kilogram, a kilowatt(-hour), 100 CNY. */
double round_to(double v, double quantum)
{
	return round(v / quantum) * quantum;
}

/* Formats one message for the site (value in canonical units) and sends it.
 * Returns 0 or a negative code. */
int emit(struct sim *s, struct out *o, struct site *site, int64_t ts, const char *metric,
	 const struct unit *u, double canonical, enum source source, bool with_source)
{
	char tsbuf[40], topic[256], payload[512], extra[128] = "";
	canonical = round_to(canonical, strcmp(metric, "gdp") == 0 ? 100 : 0.001);
	int ty, tm, td;
	civil_from_days(floor_div(ts, DAY), &ty, &tm, &td);
	double truth = canonical;
	if (s->faults && ty == FAULT_YEAR && site->kind == K_MINE &&
	    site->county == places[FAULT_COUNTY].name)
		canonical = round_to(canonical * FAULT_REPORT, 0.001);
	format_ts(tsbuf, sizeof(tsbuf), ts);
	snprintf(topic, sizeof(topic), "%s/%s/%s/%s", s->prefix, kind_names[site->kind], site->id,
		 metric);
	int n = 0;
	if (site->county)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, ",\"county\":\"%s\"",
			      site->county);
	if (with_source)
		snprintf(extra + n, sizeof(extra) - (size_t)n, ",\"source\":\"%s\"",
			 source_names[source]);
	int len = snprintf(payload, sizeof(payload),
			   "{\"ts\":\"%s\",\"value\":%.15g,\"unit\":\"%s\",\"seq\":%" PRIu64 "%s}",
			   tsbuf, canonical / u->per, u->name, ++site->seq, extra);

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
	s->by_kind[site->kind]++;
	if (strcmp(metric, "retrofit_capacity") == 0)
		return 0; /* a size, not a flow: no monthly total */

	int yi = year_of_day(floor_div(ts, DAY)) - s->y0;
	if (yi < 0 || yi >= s->years)
		return 0;
	struct totals *t = &s->tot[yi];
	enum metric mt = strcmp(metric, "raw_coal") == 0		? M_RAW_COAL
			 : strcmp(metric, "capacity_commissioned") == 0 ? M_CAPACITY
			 : strcmp(metric, "generation") == 0		? M_GENERATION
			 : strcmp(metric, "energy_consumption") == 0	? M_CONSUMPTION
			 : strcmp(metric, "gdp") == 0			? M_GDP
									: M_SHARE;
	t->sum[mt] += canonical;
	int mi = yi * 12 + tm - 1;
	s->stat_city[mt][mi] += truth;
	if (mt == M_RAW_COAL)
		for (int p = 0; p < P_COUNT; p++)
			if (site->county == places[p].name)
				s->stat_county[p][mi] += truth;
	if (mt == M_CAPACITY)
		t->cap_by_source[source] += canonical;
	if (mt == M_SHARE) {
		t->share_sum += canonical;
		t->share_n++;
	}
	return 0;
}

/* Produces the message of the stream at the head of the queue and moves the
 * stream on. Returns 0 or a negative code. */
int step(struct sim *s, struct out *o)
{
	struct stream st = s->heap[0];
	heap_pop(s);
	int64_t t = st.next;
	int rc = 0;
	switch (st.type) {
	case ST_MINE: {
		struct site *m = &s->sites[st.site];
		struct belt *b = belt_of(s, st.site);
		if (b) {
			rc = belt_emit(s, o, b, t);
			st.next += s->interval;
			break;
		}
		rc = emit(s, o, m, t, "raw_coal", m->unit, mine_output(s, m, t - s->interval, t), 0,
			  false);
		st.next += s->interval;
		break;
	}
	case ST_COMMISSION: {
		const struct block *b = &s->blocks[s->next_block++];
		struct site *p = &s->sites[s->first_plant + b->plant];
		rc = emit(s, o, p, t, "capacity_commissioned", p->unit, b->mw, p->source, true);
		if (s->next_block >= s->nblocks)
			return rc;
		st.next = s->blocks[s->next_block].ts;
		break;
	}
	case ST_GENERATION: {
		struct site *p = &s->sites[st.site];
		double mwh = plant_mwh_installed(s, p, t);
		rc = emit(s, o, p, t, "generation", &U_MWH,
			  mwh * capacity_factor(s, p, floor_div(t, DAY) - 1), p->source, true);
		st.next += DAY;
		break;
	}
	case ST_ENTERPRISE: {
		struct site *e = &s->sites[st.site];
		rc = emit(s, o, e, t, "energy_consumption", e->unit,
			  enterprise_day(s, e, floor_div(t, DAY) - 1), 0, false);
		st.next += DAY;
		break;
	}
	case ST_GDP: {
		int y, m, d;
		civil_from_days(floor_div(t, DAY) - 1, &y, &m, &d);
		const struct unit *u =
			unif(s->seed, D_GDP_UNIT, y, m, 0) < 0.25 ? &U_YIYUAN : &U_WANYUAN;
		rc = emit(s, o, &s->sites[st.site], t, "gdp", u, gdp_month(s, y, m), 0, false);
		st.next = next_month_start(t);
		break;
	}
	case ST_RETROFIT: {
		int64_t next = retrofit_emit(s, o, &rc);
		if (next < 0)
			return rc;
		st.next = next;
		break;
	}
	case ST_SHARE: {
		double share = clamp(95.0 + 0.3 * gauss(s->seed, D_SHARE, floor_div(t, DAY), 0, 0),
				     93.5, 96.5);
		rc = emit(s, o, &s->sites[st.site], t, "advanced_capacity_share", &U_PCT,
			  round(share * 10) / 10, 0, false);
		st.next = next_month_start(t);
		break;
	}
	}
	heap_push(s, st);
	return rc;
}
