/* SPDX-License-Identifier: MIT */
/* enertrack-sim's model: the state of one run (struct sim), the sites with
 * what the model keeps of each, and the functions its files share: the
 * production models (sim/model.c), the event queue and the messages
 * (sim/stream.c), the belt scales (sim/belt.c), the side files
 * (sim/files.c). The command line is sim/main.c. */
#ifndef ENERTRACK_SIM_SIM_H
#define ENERTRACK_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "calendar.h"
#include "draw.h"
#include "roster.h"
#include "tools/tools.h"

#define MAX_YEARS 50

/* Plan figures of the base year (2024 government work report, sql/data/targets_2024.sql). */
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

struct unit {
	const char *name;
	double per; /* canonical units per one of this unit */
};

extern const struct unit U_T, U_WANDUN, U_KT, U_MW, U_WANKW, U_MWH, U_TCE, U_WANTCE, U_WANYUAN,
	U_YIYUAN, U_PCT;

struct belt;

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

enum stream_type {
	ST_MINE,
	ST_COMMISSION,
	ST_GENERATION,
	ST_ENTERPRISE,
	ST_GDP,
	ST_SHARE,
	ST_RETROFIT
};

/* sim/retrofit.c: the retrofits of FAULT_YEAR */
#define N_RETROFITS 6

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
	/* retrofits (sim/retrofit.c): the units, the jobs in the span in the
	 * order they are done, the next one */
	struct site retrofit_units[N_RETROFITS];
	int retrofit_order[N_RETROFITS], n_retrofits, next_retrofit;
};

struct out {
	bool dry_run;
	et_pub_t *pub;
	FILE *f;
	double rate;
	struct timespec t0;
};

/* sim/model.c */
int build_roster(struct sim *s);
double mine_output(struct sim *s, struct site *m, int64_t a, int64_t b);
int cmp_block(const void *a, const void *b);
int plan_year(struct sim *s, int y, int *cap);
void delay_block(struct sim *s);
double capacity_factor(const struct sim *s, const struct site *p, int64_t day);
double plant_mwh_installed(const struct sim *s, const struct site *p, int64_t t);
double enterprise_day(struct sim *s, struct site *e, int64_t day);
double gdp_month(const struct sim *s, int y, int m);

/* sim/files.c */
int write_milestones(const struct sim *s, const char *path);
int write_statistics(const struct sim *s, const char *path);

/* sim/stream.c */
int build_streams(struct sim *s);
double round_to(double v, double quantum);
int emit(struct sim *s, struct out *o, struct site *site, int64_t ts, const char *metric,
	 const struct unit *u, double canonical, enum source source, bool with_source);
int step(struct sim *s, struct out *o);

/* sim/retrofit.c */
int64_t retrofit_plan(struct sim *s);
int64_t retrofit_emit(struct sim *s, struct out *o, int *rc);
void write_retrofits(const struct sim *s, FILE *f);

/* sim/belt.c */
int belt_init(struct sim *s);
struct belt *belt_of(struct sim *s, int i);
int belt_emit(struct sim *s, struct out *o, struct belt *b, int64_t ts);
void belt_summary(const struct sim *s);

#endif
