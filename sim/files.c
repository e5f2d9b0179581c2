/* SPDX-License-Identifier: MIT */
/* enertrack-sim's side files: the planned blocks as SQL for
 * target_milestone (--milestones), and the true monthly statistics as CSV
 * for `enertrack import` (--statistics). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "sim.h"

/* --milestones FILE: the planned blocks as INSERTs into target_milestone,
 * for the city's capacity_commissioned target of their year, and the
 * retrofits' register (sim/retrofit.c). */
int write_milestones(const struct sim *s, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "-- enertrack sim: the planned commissioning of the new-energy blocks\n"
		   "INSERT INTO target_milestone (target_id, site_id, name, due, value, unit)\n"
		   "SELECT t.id, v.site_id, v.name, v.due::date, v.mw, 'MW'\n"
		   "  FROM target t, (VALUES\n");
	int n = 0;
	for (int i = 0; i < s->nblocks; i++) {
		const struct block *b = &s->blocks[i];
		int y, m, d;
		civil_from_days(floor_div(b->planned, DAY), &y, &m, &d);
		if (b->planned < s->start || b->planned >= s->end)
			continue;
		int phase = 1;
		for (int j = 0; j < s->nblocks; j++) {
			const struct block *o = &s->blocks[j];
			phase += j != i && o->plant == b->plant &&
				 year_of_day(floor_div(o->planned, DAY)) == y &&
				 (o->planned < b->planned || (o->planned == b->planned && j < i));
		}
		const struct site *p = &s->sites[s->first_plant + b->plant];
		fprintf(f, "%s    ('%s', '%s phase %d-%d', '%04d-%02d-%02d', %.1f, %d)",
			n++ ? ",\n" : "", p->id, p->id, y, phase, y, m, d, b->mw, y);
	}
	fprintf(f, "\n  ) v(site_id, name, due, mw, year)\n"
		   " WHERE t.metric = 'capacity_commissioned' AND t.scope = 'city' AND t.year = "
		   "v.year\n"
		   "ON CONFLICT (target_id, name) DO NOTHING;\n");
	int rc = 0;
	if (n == 0) {
		/* no block in the span: no statement rather than a bad one */
		rewind(f);
		if (ftruncate(fileno(f), 0))
			rc = -1;
	}
	write_retrofits(s, f);
	return fclose(f) || rc < 0 ? -EIO : 0;
}

/* --statistics FILE: the true monthly sums of the whole months of the span as
 * the statistics bureau publishes them (CSV for `enertrack import`), and
 * the city's GDP growth at comparable prices (gdp_real_growth). */
int write_statistics(const struct sim *s, const char *path)
{
	static const struct {
		int metric;
		const char *name, *unit;
		double per;
	} st[] = {
		{M_RAW_COAL, "raw_coal", "万吨", 1e4},
		{M_GENERATION, "generation", "万千瓦时", 10},
		{M_CONSUMPTION, "energy_consumption", "万吨标准煤", 1e4},
	};
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "scope,metric,period,value,unit,source,note\n");
	for (int yi = 0; yi < s->years; yi++) {
		for (int m = 1; m <= 12; m++) {
			int y = s->y0 + yi;
			int64_t a = days_from_civil(y, m, 1) * DAY;
			int64_t b =
				days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY;
			if (a < s->start || b > s->end)
				continue;
			int mi = yi * 12 + m - 1;
			for (size_t k = 0; k < sizeof(st) / sizeof(st[0]); k++)
				fprintf(f, "city,%s,%04d-%02d,%.4f,%s,长治市统计局,\n", st[k].name,
					y, m, s->stat_city[st[k].metric][mi] / st[k].per,
					st[k].unit);
			/* GDP growth at comparable prices, cumulative from January,
			 * one decimal as published (the simulation has no price
			 * change: the real growth is the nominal one) */
			double now = 0, before = 0;
			for (int k = 1; k <= m; k++) {
				now += gdp_month(s, y, k);
				before += gdp_month(s, y - 1, k);
			}
			fprintf(f, "city,gdp_real_growth,%04d-%02d,%.1f,%%,长治市统计局,\n", y, m,
				100 * (now / before - 1));
			for (int p = 0; p < P_COUNT; p++)
				if (places[p].mines)
					fprintf(f,
						"county:%s,raw_coal,%04d-%02d,%.4f,万吨,"
						"长治市统计局,\n",
						places[p].name, y, m, s->stat_county[p][mi] / 1e4);
		}
	}
	return fclose(f) ? -EIO : 0;
}
