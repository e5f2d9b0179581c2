/* SPDX-License-Identifier: MIT */
/* `enertrack sim`: publishes realistic telemetry of Changzhi (Shanxi) in the
 * message format v1 (docs/message-format.md): ~90 coal mines, ~15 new-energy plants, ~40
 * large energy users and the city's monthly statistics, in chronological order.
 *
 * Every random draw is a hash of (seed, what, which site, which day...), not a
 * step of a shared generator, so a reading does not depend on the interval, the
 * span or the order: the same options give byte-identical output, and a shorter
 * span gives the same values for the days it shares with a longer one. The
 * roster (sites, capacities, units) is fixed; --seed varies the readings.
 *
 * A reading covers the interval ending at its ts, and the span holds the
 * readings whose ts falls in [from 00:00, to+1 00:00): so the first mine
 * reading of a year covers the last shift of the year before, exactly as the
 * daemon counts a year by ts. Monthly figures are stamped at 00:00 on the 1st
 * of the next month. The totals printed at the end are summed the same way. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enertrack/log.h"
#include "tools.h"

#define DAY	    86400
#define SHIFT	    (8 * 3600)
#define MAX_YEARS   50
#define ROSTER_SEED 0x2024c4a1u /* fixes the roster whatever --seed says */

/* Plan figures of the base year (2024 government work report, sql/002_targets.sql). */
#define BASE_YEAR	       2024
#define COAL_T_PER_YEAR	       170e6
#define NEW_ENERGY_MW_PER_YEAR 620.0
#define CONSUMPTION_TCE_2024   30e6
#define GDP_CNY_2024	       2800e8 /* 2800 亿元 */
#define GDP_GROWTH	       1.05
/* Energy per unit of output falls 3 % a year (intensity = consumption / GDP),
 * comfortably past the plan's 1.8 %. */
#define INTENSITY_FACTOR 0.97

/* --faults: in FAULT_YEAR the mines of FAULT_COUNTY send 8 % less than they
 * produce, and one block planned for March to September commissions three months late. */
#define FAULT_YEAR	 2024
#define FAULT_COUNTY	 P_QINYUAN
#define FAULT_REPORT	 0.92
#define FAULT_DELAY_DAYS 92

#define MINE_ZERO_DAY_P	  (1.0 / 60) /* a maintenance day about every two months */
#define MINE_MAINT_WEIGHT 0.15	     /* the maintenance shift's output, per full shift */

/* Tags that keep the hash streams of different draws apart. */
enum draw {
	D_ROSTER_CAP = 1,
	D_ROSTER_SHUFFLE,
	D_ROSTER_MAINT,
	D_ROSTER_UNIT,
	D_ROSTER_COUNTY,
	D_ROSTER_SIZE,
	D_MINE_YEAR,
	D_MINE_FEST,
	D_MINE_ZERO,
	D_MINE_NOISE,
	D_BLK_TOTAL,
	D_BLK_PLANT,
	D_BLK_SIZE,
	D_BLK_MONTH,
	D_BLK_DAY,
	D_BLK_TIME,
	D_WEATHER,
	D_BIO_OUTAGE,
	D_ENT_NOISE,
	D_ENT_SHUTDOWN,
	D_GDP_NOISE,
	D_GDP_UNIT,
	D_SHARE,
};

/* ---- deterministic randomness: splitmix64 as a hash ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static uint64_t hash4(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = splitmix64(seed ^ (tag << 56));
	h = splitmix64(h ^ a);
	h = splitmix64(h ^ b);
	return splitmix64(h ^ c);
}

/* Uniform in [0, 1). */
static double unif(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c)
{
	return (double)(hash4(seed, tag, (uint64_t)a, (uint64_t)b, (uint64_t)c) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller), from two uniforms of the same key. */
static double gauss(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c)
{
	uint64_t h = hash4(seed, tag, (uint64_t)a, (uint64_t)b, (uint64_t)c);
	double u1 = ((double)(h >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
	double u2 = (double)(splitmix64(h) >> 11) * 0x1.0p-53;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ---- calendar, in local civil seconds (UTC+8 as if it were UTC) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *ry, int *rm, int *rd)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ry = (int)(yoe + era * 400 + (m <= 2));
	*rm = m;
	*rd = d;
}

static int year_of_day(int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y;
}

static int days_in_month(int y, int m)
{
	return (int)(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
		     days_from_civil(y, m, 1));
}

static void format_ts(char *buf, size_t len, int64_t t)
{
	int64_t day = floor_div(t, DAY), sod = t - day * DAY;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
}

/* Spring Festival (the first day of the lunar year), which empties the mines. */
static int64_t spring_festival(int y)
{
	static const struct {
		int y, m, d;
	} sf[] = {
		{2010, 2, 14}, {2011, 2, 3},  {2012, 1, 23}, {2013, 2, 10}, {2014, 1, 31},
		{2015, 2, 19}, {2016, 2, 8},  {2017, 1, 28}, {2018, 2, 16}, {2019, 2, 5},
		{2020, 1, 25}, {2021, 2, 12}, {2022, 2, 1},  {2023, 1, 22}, {2024, 2, 10},
		{2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},  {2028, 1, 26}, {2029, 2, 13},
		{2030, 2, 3},
	};
	for (size_t i = 0; i < sizeof(sf) / sizeof(sf[0]); i++)
		if (sf[i].y == y)
			return days_from_civil(y, sf[i].m, sf[i].d);
	return days_from_civil(y, 2, 5); /* the middle of its range (Jan 21 - Feb 20) */
}

/* ---- the roster ---- */

struct place {
	const char *pinyin, *name;
	int mines;
};

/* The coal counties with their number of mines (90 in all), then the two
 * places that have plants and industry but no mines in this roster. */
static const struct place places[] = {
	{"xiangyuan", "襄垣", 12}, {"qinyuan", "沁源", 15},   {"tunliu", "屯留", 10},
	{"lucheng", "潞城", 8},	   {"zhangzi", "长子", 7},    {"wuxiang", "武乡", 9},
	{"qinxian", "沁县", 6},	   {"shangdang", "上党", 10}, {"licheng", "黎城", 6},
	{"huguan", "壶关", 7},	   {"pingshun", "平顺", 0},   {"luzhou", "潞州", 0},
};
enum {
	P_XIANGYUAN,
	P_QINYUAN,
	P_TUNLIU,
	P_LUCHENG,
	P_ZHANGZI,
	P_WUXIANG,
	P_QINXIAN,
	P_SHANGDANG,
	P_LICHENG,
	P_HUGUAN,
	P_PINGSHUN,
	P_LUZHOU,
	P_COUNT
};

struct unit {
	const char *name;
	double per; /* canonical units per one of this unit */
};

static const struct unit U_T = {"t", 1}, U_WANDUN = {"万吨", 1e4}, U_KT = {"kt", 1e3},
			 U_MW = {"MW", 1}, U_WANKW = {"万千瓦", 10}, U_MWH = {"MWh", 1},
			 U_TCE = {"tce", 1}, U_WANTCE = {"万吨标准煤", 1e4},
			 U_WANYUAN = {"万元", 1e4}, U_YIYUAN = {"亿元", 1e8}, U_PCT = {"%", 1};

enum source { SRC_SOLAR, SRC_WIND, SRC_BIOMASS };
static const char *const source_names[] = {"solar", "wind", "biomass"};

static const struct {
	int place, source;
} plant_roster[] = {
	{P_HUGUAN, SRC_SOLAR},	{P_PINGSHUN, SRC_SOLAR},  {P_LICHENG, SRC_SOLAR},
	{P_WUXIANG, SRC_SOLAR}, {P_QINXIAN, SRC_SOLAR},	  {P_ZHANGZI, SRC_SOLAR},
	{P_TUNLIU, SRC_SOLAR},	{P_SHANGDANG, SRC_SOLAR}, {P_QINYUAN, SRC_WIND},
	{P_QINYUAN, SRC_WIND},	{P_WUXIANG, SRC_WIND},	  {P_PINGSHUN, SRC_WIND},
	{P_LICHENG, SRC_WIND},	{P_ZHANGZI, SRC_BIOMASS}, {P_QINXIAN, SRC_BIOMASS},
};
#define N_PLANTS ((int)(sizeof(plant_roster) / sizeof(plant_roster[0])))

enum sector { SEC_STEEL, SEC_COKING, SEC_CHEMICALS, SEC_CEMENT, SEC_POWER, SEC_COUNT };
static const struct {
	const char *name;
	int count;
	double lo, hi; /* Mtce a year, before scaling to the city's total */
} sectors[] = {
	{"steel", 6, 1.5, 3.5},	 {"coking", 10, 0.6, 1.6}, {"chemicals", 8, 0.3, 1.2},
	{"cement", 6, 0.1, 0.4}, {"power", 10, 0.6, 1.8},
};
/* Where the heavy industry is. */
static const int industrial_places[] = {P_LUCHENG, P_XIANGYUAN, P_TUNLIU, P_ZHANGZI, P_SHANGDANG,
					P_LUZHOU,  P_LICHENG,	P_HUGUAN, P_WUXIANG, P_QINYUAN};

enum kind { K_MINE, K_PLANT, K_ENTERPRISE, K_REGION, K_COUNT };
static const char *const kind_names[] = {"mine", "plant", "enterprise", "region"};

struct site {
	char id[40];
	const char *county; /* Chinese name, NULL for the region */
	enum kind kind;
	uint64_t seq;
	const struct unit *unit; /* of its main metric */
	int index;		 /* within its kind: the key of its random draws */
	/* mine */
	double cap_t; /* expected t a year */
	int maint_shift;
	/* plant */
	enum source source;
	double base_mw; /* in operation before the span; new blocks add to it */
	/* enterprise */
	enum sector sector;
	double share; /* of the city's consumption */
	/* per-year scale of the daily output, cached */
	int norm_year;
	double norm_base;
};

struct block {
	int64_t ts;
	int64_t planned; /* the milestone's date: ts, unless --faults delays it */
	int plant;
	double mw;
};

enum metric { M_RAW_COAL, M_CAPACITY, M_GENERATION, M_CONSUMPTION, M_GDP, M_SHARE, M_COUNT };

enum stream_type { ST_MINE, ST_COMMISSION, ST_GENERATION, ST_ENTERPRISE, ST_GDP, ST_SHARE };

struct stream {
	int64_t next; /* local civil seconds */
	int id;	      /* ties at the same ts go in this order */
	enum stream_type type;
	int site;
};

struct totals {
	double sum[M_COUNT];
	double share_sum;
	double cap_by_source[3];
	uint64_t share_n;
};

struct sim {
	uint64_t seed;
	int64_t start, end; /* local civil seconds, [start, end) */
	int64_t interval;
	int y0, years;
	const char *prefix;
	struct site *sites;
	int nsites, first_plant, first_enterprise, region;
	struct block *blocks;
	int nblocks, next_block;
	struct stream *heap;
	int nheap;
	struct totals tot[MAX_YEARS];
	uint64_t messages, by_kind[K_COUNT];
	/* --same-season: the festival dip on the same calendar days every year */
	bool same_season;
	/* --faults: the demo's two problems of FAULT_YEAR (see sim_usage) */
	bool faults;
	int late_block; /* index in blocks of the late one, -1: none */
	int64_t late_planned;
	/* --statistics: true monthly sums, before any fault: the city per
	 * metric, and each county's raw coal */
	double stat_city[M_COUNT][MAX_YEARS * 12];
	double stat_county[P_COUNT][MAX_YEARS * 12];
	struct belt *belts; /* belt-scale mines (totalisers), see belt_emit */
};

static int build_roster(struct sim *s)
{
	int nmines = 0;
	for (int p = 0; p < P_COUNT; p++)
		nmines += places[p].mines;
	int nent = 0;
	for (int k = 0; k < SEC_COUNT; k++)
		nent += sectors[k].count;
	s->nsites = nmines + N_PLANTS + nent + 1;
	s->sites = calloc((size_t)s->nsites, sizeof(*s->sites));
	if (!s->sites)
		return -ENOMEM;

	/* Mine sizes as in Shanxi: a few large mines, most of 0.6-1.8 Mt a year,
	 * shuffled over the counties and scaled to the city's 170 Mt. */
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
	int n = 0;
	for (int p = 0; p < P_COUNT; p++) {
		for (int k = 1; k <= places[p].mines; k++, n++) {
			struct site *m = &s->sites[n];
			snprintf(m->id, sizeof(m->id), "%s-%02d", places[p].pinyin, k);
			m->county = places[p].name;
			m->kind = K_MINE;
			m->index = n;
			m->cap_t = caps[n] / sum * COAL_T_PER_YEAR;
			/* Most mines keep the night shift for maintenance (检修班). */
			double u = unif(ROSTER_SEED, D_ROSTER_MAINT, n, 0, 0);
			m->maint_shift = u < 0.6 ? 0 : u < 0.9 ? 2 : 1;
			u = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0);
			m->unit = u < 0.7 ? &U_T : u < 0.9 ? &U_WANDUN : &U_KT;
		}
	}
	free(caps);

	s->first_plant = n;
	for (int i = 0; i < N_PLANTS; i++, n++) {
		struct site *pl = &s->sites[n];
		int same = 1;
		for (int j = 0; j < i; j++)
			same += plant_roster[j].place == plant_roster[i].place &&
				plant_roster[j].source == plant_roster[i].source;
		snprintf(pl->id, sizeof(pl->id), "%s-%s-%02d", places[plant_roster[i].place].pinyin,
			 source_names[plant_roster[i].source], same);
		pl->county = places[plant_roster[i].place].name;
		pl->kind = K_PLANT;
		pl->index = i;
		pl->source = plant_roster[i].source;
		pl->unit = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0) < 0.7 ? &U_MW : &U_WANKW;
		/* Every plant has an earlier phase running; the blocks are new phases. */
		double u = unif(ROSTER_SEED, D_ROSTER_SIZE, n, 0, 0);
		pl->base_mw = pl->source == SRC_BIOMASS ? 30
			      : pl->source == SRC_WIND	? 5 * round((50 + 100 * u) / 5)
							: 5 * round((40 + 110 * u) / 5);
	}

	s->first_enterprise = n;
	int nplaces = (int)(sizeof(industrial_places) / sizeof(industrial_places[0]));
	int per_place[SEC_COUNT][P_COUNT] = {{0}};
	double size_sum = 0;
	for (int k = 0; k < SEC_COUNT; k++) {
		for (int i = 0; i < sectors[k].count; i++, n++) {
			struct site *e = &s->sites[n];
			int pl = industrial_places[(
				int)(unif(ROSTER_SEED, D_ROSTER_COUNTY, n, 0, 0) * nplaces)];
			snprintf(e->id, sizeof(e->id), "%s-%s-%02d", places[pl].pinyin,
				 sectors[k].name, ++per_place[k][pl]);
			e->county = places[pl].name;
			e->kind = K_ENTERPRISE;
			e->index = n - s->first_enterprise;
			e->sector = k;
			e->share =
				sectors[k].lo + (sectors[k].hi - sectors[k].lo) *
							unif(ROSTER_SEED, D_ROSTER_SIZE, n, 0, 0);
			size_sum += e->share;
			e->unit = unif(ROSTER_SEED, D_ROSTER_UNIT, n, 0, 0) < 0.75 ? &U_TCE
										   : &U_WANTCE;
		}
	}
	for (int i = s->first_enterprise; i < n; i++)
		s->sites[i].share /= size_sum;

	s->region = n;
	struct site *r = &s->sites[n];
	snprintf(r->id, sizeof(r->id), "changzhi");
	r->kind = K_REGION;
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
static double mine_output(struct sim *s, struct site *m, int64_t a, int64_t b)
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

static int cmp_block(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->plant - y->plant;
}

/* Capacity comes online in blocks, most of it before the end of June and in
 * December (the half-year and year-end deadlines of subsidies and grid
 * connection): about 620 MW a year. */
static int plan_year(struct sim *s, int y, int *cap)
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
static void delay_block(struct sim *s)
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

/* --milestones FILE: the planned blocks as INSERTs into target_milestone,
 * for the city's capacity_commissioned target of their year. */
static int write_milestones(const struct sim *s, const char *path)
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
	if (n == 0) {
		/* no block in the span: an empty file rather than a bad statement */
		rewind(f);
		if (ftruncate(fileno(f), 0))
			n = -1;
	}
	return fclose(f) || n < 0 ? -EIO : 0;
}

/* --statistics FILE: the true monthly sums of the whole months of the span as
 * the statistics bureau publishes them (CSV for `enertrack import`). */
static int write_statistics(const struct sim *s, const char *path)
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

/* The plant's capacity factor on a day. */
static double capacity_factor(const struct sim *s, const struct site *p, int64_t day)
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
static double plant_mwh_installed(const struct sim *s, const struct site *p, int64_t t)
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
static double enterprise_day(struct sim *s, struct site *e, int64_t day)
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
static double gdp_month(const struct sim *s, int y, int m)
{
	static const double w[12] = {0.075, 0.065, 0.085, 0.080, 0.082, 0.090,
				     0.080, 0.080, 0.088, 0.082, 0.085, 0.098};
	double wsum = 0;
	for (int i = 0; i < 12; i++)
		wsum += w[i];
	return GDP_CNY_2024 * year_scale(y, GDP_GROWTH) * w[m - 1] / wsum *
	       (1 + 0.004 * gauss(s->seed, D_GDP_NOISE, y, m, 0));
}

/* 00:00 on the 1st of the month after the one t is in. */
static int64_t next_month_start(int64_t t)
{
	int y, m, d;
	civil_from_days(floor_div(t, DAY), &y, &m, &d);
	return days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY;
}

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

static int build_streams(struct sim *s)
{
	s->heap = calloc((size_t)s->nsites + 2, sizeof(*s->heap));
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
	return 0;
}

/* ---- output ---- */

struct out {
	bool dry_run;
	et_pub_t *pub;
	FILE *f;
	double rate;
	struct timespec t0;
};

/* Rounds to the metric's resolution: a kilogram, a kilowatt(-hour), 100 CNY. */
static double round_to(double v, double quantum)
{
	return round(v / quantum) * quantum;
}

/* Formats one message for the site (value in canonical units) and sends it.
 * Returns 0 or a negative code. */
static int emit(struct sim *s, struct out *o, struct site *site, int64_t ts, const char *metric,
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

/* ---- belt scales: mines that publish a totaliser ---- */

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
static int belt_init(struct sim *s)
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
static struct belt *belt_of(struct sim *s, int i)
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
static int belt_emit(struct sim *s, struct out *o, struct belt *b, int64_t ts)
{
	struct site *m = &s->sites[b->site];
	double shift = b->last >= 0 ? mine_output(s, m, ts - s->interval, ts) : 0;
	b->cum += shift;
	bool replaced = b == &s->belts[BELT_REPLACED];
	int64_t at = belt_replaced_at(s);
	double total = !replaced ? belt_wrap(b->base + b->cum)
		       : ts < at ? belt_wrap(BELT_OLD_FINAL - (b->off - b->cum))
				 : belt_wrap(BELT_NEW_INITIAL + (b->cum - b->off));
	/* what enertrackd counts (sql/009_counters.sql) */
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
static void belt_summary(const struct sim *s)
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

/* Produces the message of the stream at the head of the queue and moves the
 * stream on. Returns 0 or a negative code. */
static int step(struct sim *s, struct out *o)
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

/* ---- options ---- */

static int parse_date(const char *arg, int64_t *ret_day)
{
	int y, m, d, n = 0;
	if (sscanf(arg, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || arg[n] || n != 10 || y < 2000 ||
	    y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	*ret_day = days_from_civil(y, m, d);
	return 0;
}

/* "8h", "15m", "90s", "1d" or plain seconds. */
static int parse_interval(const char *arg, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || v <= 0)
		return -EINVAL;
	long long mul = 1;
	if (*end == 'm')
		mul = 60;
	else if (*end == 'h')
		mul = 3600;
	else if (*end == 'd')
		mul = DAY;
	else if (*end && *end != 's')
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	if (v > 31LL * DAY / mul)
		return -EINVAL;
	*ret = v * mul;
	return 0;
}

static void sim_usage(FILE *f)
{
	fprintf(f, "usage: enertrack sim [--uri URI] [--year Y] [--from YYYY-MM-DD] [--to "
		   "YYYY-MM-DD]\n"
		   "                     [--interval D] [--rate N] [--seed N] [--topic-prefix P]\n"
		   "                     [--client-id ID] [--dry-run] [--quiet] [--same-season]\n"
		   "                     [--faults] [--statistics FILE] [--milestones FILE]\n"
		   "Publishes realistic Changzhi telemetry (QoS 1), in order of ts:\n"
		   "  --uri URI          broker (default tcp://127.0.0.1:1883)\n"
		   "  --year Y           the simulated year (default 2024)\n"
		   "  --from, --to       the simulated days, inclusive (default the whole year)\n"
		   "  --interval D       mine reporting interval: Ns, Nm, Nh, Nd (default 8h)\n"
		   "  --rate N           messages a second (default 0: as fast as possible)\n"
		   "  --seed N           the same seed and options give the same messages (default "
		   "1)\n"
		   "  --topic-prefix P   default energy\n"
		   "  --dry-run          print topic<TAB>payload lines instead of publishing\n"
		   "  --quiet            no progress and no summary\n"
		   "  --same-season      the Spring Festival dip on 10 February every year, so "
		   "that\n"
		   "                     years share one seasonal shape\n"
		   "  --faults           in 2024, 沁源's mines report 8 %% less than they produce, "
		   "and\n"
		   "                     one block planned for March to September "
		   "commissions\n"
		   "                     three months late\n"
		   "  --statistics FILE  write the true monthly figures of the span's whole months "
		   "as\n"
		   "                     CSV for `enertrack import`\n"
		   "  --milestones FILE  write the planned blocks as SQL for target_milestone\n");
}

static void print_summary(const struct sim *s, const char *from, const char *to,
			  const char *interval)
{
	fprintf(stderr,
		"sim: %s..%s, seed %" PRIu64 ", interval %s: %" PRIu64 " messages (mine %" PRIu64
		", plant %" PRIu64 ", enterprise %" PRIu64 ", region %" PRIu64 ")\n",
		from, to, s->seed, interval, s->messages, s->by_kind[K_MINE], s->by_kind[K_PLANT],
		s->by_kind[K_ENTERPRISE], s->by_kind[K_REGION]);
	for (int i = 0; i < s->years; i++) {
		const struct totals *t = &s->tot[i];
		double intensity =
			t->sum[M_GDP] > 0 ? t->sum[M_CONSUMPTION] / (t->sum[M_GDP] / 1e4) : 0;
		char change[64] = "";
		/* Only whole years compare fairly. */
		bool whole = s->start <= days_from_civil(s->y0 + i - 1, 1, 1) * DAY &&
			     s->end >= days_from_civil(s->y0 + i + 1, 1, 1) * DAY;
		if (i > 0 && whole && s->tot[i - 1].sum[M_GDP] > 0 && intensity > 0) {
			double prev =
				s->tot[i - 1].sum[M_CONSUMPTION] / (s->tot[i - 1].sum[M_GDP] / 1e4);
			snprintf(change, sizeof(change), " (%+.2f %% on %d)",
				 (intensity / prev - 1) * 100, s->y0 + i - 1);
		}
		fprintf(stderr,
			"sim: %d: raw coal %.3f Mt, new-energy capacity %.1f MW (solar %.1f, wind "
			"%.1f, "
			"biomass %.1f), generation %.1f GWh, energy consumption %.3f Mtce, "
			"GDP %.2f 亿元, intensity %.4f tce/万元%s, advanced capacity share %.2f "
			"%%\n",
			s->y0 + i, t->sum[M_RAW_COAL] / 1e6, t->sum[M_CAPACITY],
			t->cap_by_source[SRC_SOLAR], t->cap_by_source[SRC_WIND],
			t->cap_by_source[SRC_BIOMASS], t->sum[M_GENERATION] / 1e3,
			t->sum[M_CONSUMPTION] / 1e6, t->sum[M_GDP] / 1e8, intensity, change,
			t->share_n ? t->share_sum / (double)t->share_n : 0);
	}
}

int sim_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"uri", required_argument, NULL, 'u'},
		{"year", required_argument, NULL, 'y'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"interval", required_argument, NULL, 'i'},
		{"rate", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 's'},
		{"topic-prefix", required_argument, NULL, 'p'},
		{"client-id", required_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"same-season", no_argument, NULL, 'S'},
		{"faults", no_argument, NULL, 'F'},
		{"statistics", required_argument, NULL, 'T'},
		{"milestones", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *uri = "tcp://127.0.0.1:1883", *client_id = NULL, *interval_arg = "8h";
	const char *from_arg = NULL, *to_arg = NULL, *stat_path = NULL, *ms_path = NULL;
	struct sim s = {.seed = 1, .interval = 8 * 3600, .prefix = "energy"};
	struct out o = {.f = stdout};
	int year = 0, c;
	bool quiet = false;
	int64_t from_day = 0, to_day = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			uri = optarg;
			break;
		case 'y':
			errno = 0;
			year = (int)strtol(optarg, &end, 10);
			if (errno || *end || year < 2000 || year > 2199) {
				fprintf(stderr, "enertrack sim: --year must be 2000..2199\n");
				return 2;
			}
			break;
		case 'f':
			from_arg = optarg;
			if (parse_date(optarg, &from_day)) {
				fprintf(stderr,
					"enertrack sim: --from must be a date YYYY-MM-DD\n");
				return 2;
			}
			break;
		case 't':
			to_arg = optarg;
			if (parse_date(optarg, &to_day)) {
				fprintf(stderr, "enertrack sim: --to must be a date YYYY-MM-DD\n");
				return 2;
			}
			break;
		case 'i':
			interval_arg = optarg;
			if (parse_interval(optarg, &s.interval)) {
				fprintf(stderr,
					"enertrack sim: --interval must be like 90s, 15m, 8h "
					"or 1d (at most 31d)\n");
				return 2;
			}
			break;
		case 'r':
			errno = 0;
			o.rate = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.rate >= 0 && o.rate <= 1e7)) {
				fprintf(stderr,
					"enertrack sim: --rate must be a number of messages "
					"a second (0: as fast as possible)\n");
				return 2;
			}
			break;
		case 's':
			errno = 0;
			s.seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-') {
				fprintf(stderr, "enertrack sim: --seed must be a number\n");
				return 2;
			}
			break;
		case 'p':
			s.prefix = optarg;
			if (!*optarg || strpbrk(optarg, "+#") || strlen(optarg) > 100) {
				fprintf(stderr, "enertrack sim: --topic-prefix must be a topic "
						"without wildcards\n");
				return 2;
			}
			break;
		case 'c':
			client_id = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'S':
			s.same_season = true;
			break;
		case 'F':
			s.faults = true;
			break;
		case 'T':
			stat_path = optarg;
			break;
		case 'M':
			ms_path = optarg;
			break;
		case 'h':
			sim_usage(stdout);
			return 0;
		default:
			sim_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		sim_usage(stderr);
		return 2;
	}

	/* The span: --from/--to win, --year fills what they leave out. */
	if (!year)
		year = from_arg ? year_of_day(from_day) : to_arg ? year_of_day(to_day) : 2024;
	if (!from_arg)
		from_day = days_from_civil(year, 1, 1);
	if (!to_arg)
		to_day = days_from_civil(year, 12, 31);
	if (to_day < from_day) {
		fprintf(stderr, "enertrack sim: the span is empty (--to before --from)\n");
		return 2;
	}
	s.y0 = year_of_day(from_day);
	s.years = year_of_day(to_day) - s.y0 + 1;
	if (s.years > MAX_YEARS) {
		fprintf(stderr, "enertrack sim: at most %d years\n", MAX_YEARS);
		return 2;
	}
	s.start = from_day * DAY;
	s.end = (to_day + 1) * DAY;
	char from_s[40], to_s[40];
	format_ts(from_s, sizeof(from_s), s.start);
	format_ts(to_s, sizeof(to_s), to_day * DAY);
	from_s[10] = to_s[10] = '\0'; /* the dates only */

	int rc = 1, cap = 0;
	if (build_roster(&s))
		goto oom;
	for (int y = s.y0; y < s.y0 + s.years; y++)
		if (plan_year(&s, y, &cap))
			goto oom;
	if (s.faults)
		delay_block(&s);
	qsort(s.blocks, (size_t)s.nblocks, sizeof(*s.blocks), cmp_block);
	if (ms_path && write_milestones(&s, ms_path)) {
		log_error("sim: cannot write %s", ms_path);
		goto out;
	}
	if (build_streams(&s) || belt_init(&s))
		goto oom;

	if (o.dry_run) {
		static char obuf[1 << 20];
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	} else {
		char err[512], default_id[64];
		if (!client_id) {
			snprintf(default_id, sizeof(default_id), "enertrack-sim-%ld",
				 (long)getpid());
			client_id = default_id;
		}
		if (et_pub_open(&o.pub, uri, client_id, NULL, NULL, 1, err, sizeof(err))) {
			log_error("%s", err);
			goto out;
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &o.t0);
	int64_t progress_at = next_month_start(s.start);
	while (s.nheap > 0) {
		if (!quiet && !o.dry_run && s.heap[0].next >= progress_at) {
			char when[40];
			format_ts(when, sizeof(when), progress_at);
			log_info("sim: up to %.10s: %" PRIu64 " messages", when, s.messages);
			progress_at = next_month_start(progress_at);
		}
		int err = step(&s, &o);
		if (err) {
			log_error("sim: stopped after %" PRIu64 " messages: %s", s.messages,
				  strerror(-err));
			goto out;
		}
	}
	if (o.dry_run && fflush(stdout)) {
		log_error("sim: writing stdout: %s", strerror(errno));
		goto out;
	}
	if (!o.dry_run) {
		et_pub_t *p = o.pub;
		o.pub = NULL;
		if (et_pub_close(p))
			goto out;
	}
	if (stat_path && write_statistics(&s, stat_path)) {
		log_error("sim: cannot write %s", stat_path);
		goto out;
	}
	if (!quiet)
		print_summary(&s, from_s, to_s, interval_arg);
	if (!quiet)
		belt_summary(&s);
	rc = 0;
	goto out;
oom:
	log_error("sim: out of memory");
out:
	et_pub_close(o.pub);
	free(s.heap);
	free(s.belts);
	free(s.blocks);
	free(s.sites);
	return rc;
}
