/* SPDX-License-Identifier: MIT */
/* enertrack-sim's production models: what each site of the roster is (mine
 * sizes and shifts, plant phases, enterprise shares), and what it produces:
 * coal per shift with the Spring Festival and maintenance days, new-energy
 * blocks commissioned toward the subsidy deadlines and their generation,
 * the enterprises' energy use, the city's GDP. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

const struct unit U_T = {"t", 1}, U_WANDUN = {"万吨", 1e4}, U_KT = {"kt", 1e3}, U_MW = {"MW", 1},
		  U_WANKW = {"万千瓦", 10}, U_MWH = {"MWh", 1}, U_TCE = {"tce", 1},
		  U_WANTCE = {"万吨标准煤", 1e4}, U_WANYUAN = {"万元", 1e4},
		  U_YIYUAN = {"亿元", 1e8}, U_PCT = {"%", 1};

/* Mine sizes as in Shanxi: a few large mines, most of 0.6-1.8 Mt a year,
 * shuffled over the counties and scaled to the city's 170 Mt. */
static int size_mines(struct sim *s, int nmines)
{
	double *caps = calloc((size_t)nmines, sizeof(*caps));
	if (!caps)
		return -ENOMEM;
	double sum = 0;
	for (int i = 0; i < nmines; i++) {
		double u = unif(ROSTER_SEED, D_ROSTER_CAP, i, 0, 0);
		double lo = 0.6, hi = 1.8;
		if (i < 2)
			lo = 9, hi = 12;
		else if (i < 8)
			lo = 4, hi = 8;
		else if (i < 22)
			lo = 2, hi = 4;
		caps[i] = lo + (hi - lo) * u;
		sum += caps[i];
	}
	for (int i = nmines - 1; i > 0; i--) {
		int j = (int)(unif(ROSTER_SEED, D_ROSTER_SHUFFLE, i, 0, 0) * (i + 1));
		double t = caps[i];
		caps[i] = caps[j];
		caps[j] = t;
	}
	for (int n = 0; n < nmines; n++) {
		struct site *m = &s->sites[n];
		m->index = n;
		m->cap_t = caps[n] / sum * COAL_T_PER_YEAR;
		/* Most mines keep the night shift for maintenance (检修班). */
		double u = unif(ROSTER_SEED, D_ROSTER_MAINT, n, 0, 0);
		m->maint_shift = u < 0.6 ? 0 : u < 0.9 ? 2 : 1;
		u = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0);
		m->unit = u < 0.7 ? &U_T : u < 0.9 ? &U_WANDUN : &U_KT;
	}
	free(caps);
	return 0;
}

static void size_plants(struct sim *s)
{
	for (int i = 0, n = s->first_plant; i < N_PLANTS; i++, n++) {
		struct site *pl = &s->sites[n];
		pl->index = i;
		pl->unit = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0) < 0.7 ? &U_MW : &U_WANKW;
		/* Every plant has an earlier phase running; the blocks are new phases. */
		double u = unif(ROSTER_SEED, D_ROSTER_SIZE, n, 0, 0);
		pl->base_mw = pl->source == SRC_BIOMASS ? 30
			      : pl->source == SRC_WIND	? 5 * round((50 + 100 * u) / 5)
							: 5 * round((40 + 110 * u) / 5);
	}
}

static void size_enterprises(struct sim *s)
{
	double size_sum = 0;
	for (int n = s->first_enterprise; n < s->region; n++) {
		struct site *e = &s->sites[n];
		const struct sector_spec *k = &sectors[e->sector];
		e->index = n - s->first_enterprise;
		e->share = k->lo + (k->hi - k->lo) * unif(ROSTER_SEED, D_ROSTER_SIZE, n, 0, 0);
		size_sum += e->share;
		e->unit = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0) < 0.75 ? &U_TCE : &U_WANTCE;
	}
	for (int i = s->first_enterprise; i < s->region; i++)
		s->sites[i].share /= size_sum;
}

/* The roster's sites (sim/roster.c) with what the model keeps of each:
 * mine sizes, shifts and units, plant sizes, enterprise shares. */
int build_roster(struct sim *s)
{
	s->nsites = roster_count();
	s->sites = calloc((size_t)s->nsites, sizeof(*s->sites));
	struct roster_site *rs = calloc((size_t)s->nsites, sizeof(*rs));
	if (!s->sites || !rs) {
		free(rs);
		return -ENOMEM;
	}
	roster_sites(rs);
	int nmines = 0;
	while (rs[nmines].kind == K_MINE)
		nmines++;
	s->first_plant = nmines;
	s->first_enterprise = nmines + N_PLANTS;
	s->region = s->nsites - 1;
	for (int n = 0; n < s->nsites; n++) {
		snprintf(s->sites[n].id, sizeof(s->sites[n].id), "%s", rs[n].id);
		s->sites[n].county = rs[n].county;
		s->sites[n].kind = rs[n].kind;
		s->sites[n].source = rs[n].source;
		s->sites[n].sector = rs[n].sector;
	}
	free(rs);
	int rc = size_mines(s, nmines);
	if (rc)
		return rc;
	size_plants(s);
	size_enterprises(s);
	return 0;
}

/* ---- mines ---- */

static double mine_festival(const struct sim *s, const struct site *m, int64_t day, int y)
{
	/* --same-season: 2024's date (10 February) in every year */
	int64_t o = day - (s->same_season ? days_from_civil(y, 2, 10) : spring_festival(y));
	if (o < -7 || o >= 14)
		return 1;
	double low = 0.30 + 0.10 * unif(s->seed, D_MINE_FEST, m->index, y, 0);
	if (o < -3)
		return 1 - (1 - low) * (double)(o + 7) / 4;
	if (o <= 9)
		return low;
	return low + (1 - low) * (double)(o - 9) / 5;
}

/* The mine's output on a day, in t, before the split into shifts. */
static double mine_day(struct sim *s, struct site *m, int64_t day)
{
	int y = year_of_day(day);
	if (m->norm_year != y) {
		/* Scale so that the year's expected output is the mine's capacity:
		 * the festival and the maintenance days are planned for. */
		double f = 0;
		for (int64_t d = days_from_civil(y, 1, 1); d < days_from_civil(y + 1, 1, 1); d++)
			f += mine_festival(s, m, d, y);
		double cap = m->cap_t * (1 + 0.02 * gauss(s->seed, D_MINE_YEAR, m->index, y, 0));
		m->norm_year = y;
		m->norm_base = cap / (f * (1 - MINE_ZERO_DAY_P));
	}
	if (unif(s->seed, D_MINE_ZERO, m->index, day, 0) < MINE_ZERO_DAY_P)
		return 0;
	double noise = clamp(1 + 0.03 * gauss(s->seed, D_MINE_NOISE, m->index, day, 0), 0.85, 1.15);
	return m->norm_base * mine_festival(s, m, day, y) * noise;
}

/* Raw coal produced in [a, b), in t: shift by shift, so any interval works. */
double mine_output(struct sim *s, struct site *m, int64_t a, int64_t b)
{
	double t = 0;
	while (a < b) {
		int64_t shift_start = floor_div(a, SHIFT) * SHIFT;
		int64_t seg_end = shift_start + SHIFT < b ? shift_start + SHIFT : b;
		int64_t day = floor_div(shift_start, DAY);
		int shift = (int)((shift_start - day * DAY) / SHIFT);
		double w = shift == m->maint_shift ? MINE_MAINT_WEIGHT : 1;
		t += mine_day(s, m, day) * w / (2 + MINE_MAINT_WEIGHT) * (double)(seg_end - a) /
		     SHIFT;
		a = seg_end;
	}
	return t;
}

/* ---- new energy ---- */

int cmp_block(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->plant - y->plant;
}

/* Capacity comes online in blocks, most of it before the end of June and in
 * December (the half-year and year-end deadlines of subsidies and grid
 * connection): about 620 MW a year. */
int plan_year(struct sim *s, int y, int *cap)
{
	static const double month_w[12] = {3, 1, 4, 5, 6, 20, 3, 4, 6, 6, 8, 24};
	const double solar_share = 0.65;
	static const double size_lo[3] = {20, 50, 20}, size_hi[3] = {100, 100, 40};
	double total =
		5 * round((NEW_ENERGY_MW_PER_YEAR + 10 * gauss(s->seed, D_BLK_TOTAL, y, 0, 0)) / 5);
	double left = clamp(total, 605, 645);
	for (int k = 0; left > 0; k++) {
		if (s->nblocks == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			struct block *nb = realloc(s->blocks, (size_t)*cap * sizeof(*nb));
			if (!nb)
				return -ENOMEM;
			s->blocks = nb;
		}
		/* One biomass unit a year, then solar and wind. */
		int src = k == 0					      ? SRC_BIOMASS
			  : unif(s->seed, D_BLK_PLANT, y, k, 0) < solar_share ? SRC_SOLAR
									      : SRC_WIND;
		int nsrc = 0, pick;
		for (int i = 0; i < N_PLANTS; i++)
			nsrc += plant_roster[i].source == src;
		pick = (int)(unif(s->seed, D_BLK_PLANT, y, k, 1) * nsrc);
		int plant = 0;
		for (int i = 0; i < N_PLANTS; i++)
			if (plant_roster[i].source == src && pick-- == 0)
				plant = i;
		double mw = 5 * round((size_lo[src] + (size_hi[src] - size_lo[src]) *
							      unif(s->seed, D_BLK_SIZE, y, k, 0)) /
				      5);
		if (left - mw < 20)
			mw = left;
		left -= mw;

		double wsum = 0, acc = 0;
		for (int i = 0; i < 12; i++)
			wsum += month_w[i];
		double mu = unif(s->seed, D_BLK_MONTH, y, k, 0) * wsum;
		int month = 12;
		for (int i = 0; i < 12; i++) {
			acc += month_w[i];
			if (mu < acc) {
				month = i + 1;
				break;
			}
		}
		int dim = days_in_month(y, month);
		double du = unif(s->seed, D_BLK_DAY, y, k, 0);
		int mday = (month == 6 || month == 12) && du < 0.7
				   ? 21 + (int)(du / 0.7 * (dim - 20))
				   : 1 + (int)(unif(s->seed, D_BLK_DAY, y, k, 1) * dim);
		int half_hours = (int)(unif(s->seed, D_BLK_TIME, y, k, 0) * 18);
		int64_t ts = days_from_civil(y, month, mday) * DAY + 9 * 3600 + half_hours * 1800;
		/* (site, metric, ts) is the daemon's key: one block per plant and instant. */
		for (bool clash = true; clash;) {
			clash = false;
			for (int i = 0; i < s->nblocks; i++)
				if (s->blocks[i].plant == plant && s->blocks[i].ts == ts) {
					ts += 1800;
					clash = true;
				}
		}
		s->blocks[s->nblocks++] =
			(struct block){.ts = ts, .planned = ts, .plant = plant, .mw = mw};
	}
	return 0;
}

/* --faults: the first block of FAULT_YEAR planned for March to September
 * commissions FAULT_DELAY_DAYS later than planned, within the year (its
 * milestone keeps the plan). */
void delay_block(struct sim *s)
{
	for (int i = 0; i < s->nblocks; i++) {
		int y, m, d;
		civil_from_days(floor_div(s->blocks[i].planned, DAY), &y, &m, &d);
		if (y == FAULT_YEAR && m >= 3 && m <= 9) {
			s->blocks[i].ts += FAULT_DELAY_DAYS * DAY;
			return;
		}
	}
}

/* The plant's capacity factor on a day. */
double capacity_factor(const struct sim *s, const struct site *p, int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	double doy = (double)(day - days_from_civil(y, 1, 1));
	double u = unif(s->seed, D_WEATHER, p->index, day, 0);
	switch (p->source) {
	case SRC_SOLAR: /* more sun in summer; clear or overcast days */
		return 0.15 * (1 + 0.25 * cos(2 * M_PI * (doy - 172) / 365.25)) * (0.35 + 1.3 * u);
	case SRC_WIND: { /* windiest in spring; log-normal days with mean 1 */
		double g = gauss(s->seed, D_WEATHER, p->index, day, 1);
		return clamp(0.25 * (1 + 0.2 * cos(2 * M_PI * (doy - 80) / 365.25)) *
				     exp(0.5 * g - 0.125),
			     0, 0.95);
	}
	case SRC_BIOMASS:
	default:
		if (unif(s->seed, D_BIO_OUTAGE, p->index, day, 0) < 0.03)
			return 0.2;
		return clamp(0.70 * (1 + 0.05 * gauss(s->seed, D_WEATHER, p->index, day, 1)), 0,
			     0.95);
	}
}

/* MW-hours of capacity the plant had in [t - 1 day, t): its earlier phases
 * and the blocks commissioned so far. */
double plant_mwh_installed(const struct sim *s, const struct site *p, int64_t t)
{
	double mwh = p->base_mw * 24;
	for (int i = 0; i < s->nblocks && s->blocks[i].ts < t; i++) {
		if (s->blocks[i].plant != p->index)
			continue;
		int64_t from = s->blocks[i].ts > t - DAY ? s->blocks[i].ts : t - DAY;
		mwh += s->blocks[i].mw * (double)(t - from) / 3600;
	}
	return mwh;
}

/* ---- enterprises and the city ---- */

static double year_scale(int y, double per_year)
{
	return pow(per_year, y - BASE_YEAR);
}

static double enterprise_profile(const struct sim *s, const struct site *e, int64_t day, int y)
{
	double doy = (double)(day - days_from_civil(y, 1, 1));
	double f = 1;
	/* Furnaces, coke ovens and reactors run through the Spring Festival: no
	 * dip that moves with it, so that year-to-date comparisons in January
	 * and February stay fair against the year before. */
	switch (e->sector) {
	case SEC_STEEL:
	case SEC_COKING:
		break;
	case SEC_CHEMICALS: {
		/* a ten-day turnaround once a year */
		int64_t start = (int64_t)(unif(s->seed, D_ENT_SHUTDOWN, e->index, y, 0) * 340) + 10;
		if (doy >= (double)start && doy < (double)start + 10)
			f = 0.2;
		break;
	}
	case SEC_CEMENT:
		/* staggered winter production (错峰生产): kilns stop mid-Jan to mid-Mar */
		if (doy >= 14 && doy < 74)
			f = 0.35;
		break;
	case SEC_POWER:
	default:
		/* heating in winter, air conditioning in summer */
		f = 1 + 0.12 * cos(4 * M_PI * (doy - 20) / 365.25);
		break;
	}
	return f;
}

/* Energy used by the enterprise on a day, in tce. */
double enterprise_day(struct sim *s, struct site *e, int64_t day)
{
	int y = year_of_day(day);
	if (e->norm_year != y) {
		double f = 0;
		for (int64_t d = days_from_civil(y, 1, 1); d < days_from_civil(y + 1, 1, 1); d++)
			f += enterprise_profile(s, e, d, y);
		double annual = CONSUMPTION_TCE_2024 * e->share *
				year_scale(y, GDP_GROWTH * INTENSITY_FACTOR);
		e->norm_year = y;
		e->norm_base = annual / f;
	}
	double noise = clamp(1 + 0.03 * gauss(s->seed, D_ENT_NOISE, e->index, day, 0), 0.85, 1.15);
	return e->norm_base * enterprise_profile(s, e, day, y) * noise;
}

/* Value added in a month, in CNY: low around the festival, high at quarter ends. */
double gdp_month(const struct sim *s, int y, int m)
{
	static const double w[12] = {0.075, 0.065, 0.085, 0.080, 0.082, 0.090,
				     0.080, 0.080, 0.088, 0.082, 0.085, 0.098};
	double wsum = 0;
	for (int i = 0; i < 12; i++)
		wsum += w[i];
	return GDP_CNY_2024 * year_scale(y, GDP_GROWTH) * w[m - 1] / wsum *
	       (1 + 0.004 * gauss(s->seed, D_GDP_NOISE, y, m, 0));
}
