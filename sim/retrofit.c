/* SPDX-License-Identifier: MIT */
/* enertrack-sim's coal-power retrofits (三改联动) of FAULT_YEAR: five
 * generating units, 2 250 MW, one of them retrofitted twice (it counts
 * once). Each retrofit done sends the unit's size (retrofit_capacity, a
 * size, not an increment: metric.once_per_site); the register of planned
 * retrofits goes into the --milestones file. With --faults one retrofit is
 * done RETROFIT_DELAY_DAYS late. */
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define RETROFIT_DELAY_DAYS 60
#define RETROFIT_LATE	    3 /* the job --faults delays */

static const struct job {
	const char *unit_site; /* the generating unit, a site of its own */
	int place;	       /* index in places[] */
	double mw;
	const char *kind; /* 节能降碳, 供热 or 灵活性 */
	int due_m, due_d, done_m, done_d;
} jobs[N_RETROFITS] = {
	{"lucheng-power-u1", P_LUCHENG, 660, "灵活性", 4, 30, 4, 20},
	{"lucheng-power-u1", P_LUCHENG, 660, "供热", 9, 30, 9, 25},
	{"xiangyuan-power-u1", P_XIANGYUAN, 660, "节能降碳", 6, 30, 6, 15},
	{"tunliu-power-u1", P_TUNLIU, 330, "供热", 8, 31, 8, 20},
	{"zhangzi-power-u1", P_ZHANGZI, 300, "节能降碳", 10, 31, 10, 28},
	{"shangdang-power-u1", P_SHANGDANG, 300, "灵活性", 11, 30, 11, 20},
};

/* When job i is done (10:00 local), the fault included. */
static int64_t done_at(const struct sim *s, int i)
{
	int64_t day = days_from_civil(FAULT_YEAR, jobs[i].done_m, jobs[i].done_d);
	if (s->faults && i == RETROFIT_LATE)
		day = days_from_civil(FAULT_YEAR, jobs[i].due_m, jobs[i].due_d) +
		      RETROFIT_DELAY_DAYS;
	return day * DAY + 10 * 3600;
}

/* The jobs in the span, in the order they are done; returns the first
 * one's time, or -1 when none is. */
int64_t retrofit_plan(struct sim *s)
{
	s->n_retrofits = 0;
	for (int i = 0; i < N_RETROFITS; i++) {
		int64_t t = done_at(s, i);
		if (t < s->start || t >= s->end)
			continue;
		int k = s->n_retrofits++;
		while (k > 0 && done_at(s, s->retrofit_order[k - 1]) > t) {
			s->retrofit_order[k] = s->retrofit_order[k - 1];
			k--;
		}
		s->retrofit_order[k] = i;
		memset(&s->retrofit_units[i], 0, sizeof(s->retrofit_units[i]));
	}
	for (int i = 0; i < N_RETROFITS; i++) {
		struct site *u = &s->retrofit_units[i];
		snprintf(u->id, sizeof(u->id), "%s", jobs[i].unit_site);
		u->county = places[jobs[i].place].name;
		u->kind = K_PLANT;
		u->unit = &U_MW;
	}
	s->next_retrofit = 0;
	return s->n_retrofits ? done_at(s, s->retrofit_order[0]) : -1;
}

/* Sends the next retrofit done; returns its stream's next time, or -1. */
int64_t retrofit_emit(struct sim *s, struct out *o, int *rc)
{
	int i = s->retrofit_order[s->next_retrofit++];
	/* one seq per unit: the first job of a unit carries its site */
	int first = i;
	for (int j = 0; j < i; j++)
		if (strcmp(jobs[j].unit_site, jobs[i].unit_site) == 0) {
			first = j;
			break;
		}
	*rc = emit(s, o, &s->retrofit_units[first], done_at(s, i), "retrofit_capacity", &U_MW,
		   jobs[i].mw, 0, false);
	return s->next_retrofit < s->n_retrofits ? done_at(s, s->retrofit_order[s->next_retrofit])
						 : -1;
}

/* The register of FAULT_YEAR's retrofits, per unit with its kind, for the
 * city's retrofit_capacity target (the --milestones file). */
void write_retrofits(const struct sim *s, FILE *f)
{
	if (days_from_civil(FAULT_YEAR, 1, 1) * DAY < s->start ||
	    days_from_civil(FAULT_YEAR + 1, 1, 1) * DAY > s->end)
		return;
	fprintf(f, "-- enertrack sim: the planned coal-power retrofits (三改联动), per unit\n"
		   "INSERT INTO target_milestone (target_id, site_id, name, due, value, unit, "
		   "unit_name, retrofit_kind)\n"
		   "SELECT t.id, v.site_id, v.name, v.due::date, v.mw, 'MW', '1号机组', v.kind\n"
		   "  FROM target t, (VALUES\n");
	for (int i = 0; i < N_RETROFITS; i++)
		fprintf(f, "%s    ('%s', '%s %s', '%04d-%02d-%02d', %.1f, '%s')", i ? ",\n" : "",
			jobs[i].unit_site, jobs[i].unit_site, jobs[i].kind, FAULT_YEAR,
			jobs[i].due_m, jobs[i].due_d, jobs[i].mw, jobs[i].kind);
	fprintf(f,
		"\n  ) v(site_id, name, due, mw, kind)\n"
		" WHERE t.metric = 'retrofit_capacity' AND t.scope = 'city' AND t.year = %d\n"
		"ON CONFLICT (target_id, name) DO NOTHING;\n",
		FAULT_YEAR);
}
