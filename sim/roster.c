/* SPDX-License-Identifier: MIT */
/* The Changzhi roster (sim/roster.h): the sites' ids and counties, fixed by
 * ROSTER_SEED whatever seed the readings use. Shared by the simulator and
 * bench/etbench.c. Pure. */
#include "roster.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"

/* The coal counties with their number of mines (90 in all), then the two
 * places that have plants and industry but no mines in this roster. */
const struct place places[P_COUNT] = {
	{"xiangyuan", "襄垣", 12}, {"qinyuan", "沁源", 15},   {"tunliu", "屯留", 10},
	{"lucheng", "潞城", 8},	   {"zhangzi", "长子", 7},    {"wuxiang", "武乡", 9},
	{"qinxian", "沁县", 6},	   {"shangdang", "上党", 10}, {"licheng", "黎城", 6},
	{"huguan", "壶关", 7},	   {"pingshun", "平顺", 0},   {"luzhou", "潞州", 0},
};

const char *const source_names[3] = {"solar", "wind", "biomass"};

const struct plant_spec plant_roster[N_PLANTS] = {
	{P_HUGUAN, SRC_SOLAR},	{P_PINGSHUN, SRC_SOLAR},  {P_LICHENG, SRC_SOLAR},
	{P_WUXIANG, SRC_SOLAR}, {P_QINXIAN, SRC_SOLAR},	  {P_ZHANGZI, SRC_SOLAR},
	{P_TUNLIU, SRC_SOLAR},	{P_SHANGDANG, SRC_SOLAR}, {P_QINYUAN, SRC_WIND},
	{P_QINYUAN, SRC_WIND},	{P_WUXIANG, SRC_WIND},	  {P_PINGSHUN, SRC_WIND},
	{P_LICHENG, SRC_WIND},	{P_ZHANGZI, SRC_BIOMASS}, {P_QINXIAN, SRC_BIOMASS},
};

const struct sector_spec sectors[SEC_COUNT] = {
	{"steel", 6, 1.5, 3.5},	 {"coking", 10, 0.6, 1.6}, {"chemicals", 8, 0.3, 1.2},
	{"cement", 6, 0.1, 0.4}, {"power", 10, 0.6, 1.8},
};

/* Where the heavy industry is. */
static const int industrial_places[] = {P_LUCHENG, P_XIANGYUAN, P_TUNLIU, P_ZHANGZI, P_SHANGDANG,
					P_LUZHOU,  P_LICHENG,	P_HUGUAN, P_WUXIANG, P_QINYUAN};

const char *const kind_names[K_COUNT] = {"mine", "plant", "enterprise", "region"};

int roster_count(void)
{
	int n = N_PLANTS + 1;
	for (int p = 0; p < P_COUNT; p++)
		n += places[p].mines;
	for (int k = 0; k < SEC_COUNT; k++)
		n += sectors[k].count;
	return n;
}

void roster_sites(struct roster_site *out)
{
	memset(out, 0, (size_t)roster_count() * sizeof(*out));
	int n = 0;
	for (int p = 0; p < P_COUNT; p++) {
		for (int k = 1; k <= places[p].mines; k++, n++) {
			struct roster_site *m = &out[n];
			snprintf(m->id, sizeof(m->id), "%s-%02d", places[p].pinyin, k);
			m->county = places[p].name;
			m->kind = K_MINE;
			m->place = p;
		}
	}
	for (int i = 0; i < N_PLANTS; i++, n++) {
		struct roster_site *pl = &out[n];
		int same = 1;
		for (int j = 0; j < i; j++)
			same += plant_roster[j].place == plant_roster[i].place &&
				plant_roster[j].source == plant_roster[i].source;
		snprintf(pl->id, sizeof(pl->id), "%s-%s-%02d", places[plant_roster[i].place].pinyin,
			 source_names[plant_roster[i].source], same);
		pl->county = places[plant_roster[i].place].name;
		pl->kind = K_PLANT;
		pl->place = plant_roster[i].place;
		pl->source = (enum source)plant_roster[i].source;
	}
	/* The enterprises' counties are drawn, keyed by their place in the
	 * roster (as the simulator's other roster draws are). */
	int nplaces = (int)(sizeof(industrial_places) / sizeof(industrial_places[0]));
	int per_place[SEC_COUNT][P_COUNT] = {{0}};
	for (int k = 0; k < SEC_COUNT; k++) {
		for (int i = 0; i < sectors[k].count; i++, n++) {
			struct roster_site *e = &out[n];
			int pl = industrial_places[(
				int)(unif(ROSTER_SEED, D_ROSTER_COUNTY, n, 0, 0) * nplaces)];
			snprintf(e->id, sizeof(e->id), "%s-%s-%02d", places[pl].pinyin,
				 sectors[k].name, ++per_place[k][pl]);
			e->county = places[pl].name;
			e->kind = K_ENTERPRISE;
			e->place = pl;
			e->sector = (enum sector)k;
		}
	}
	struct roster_site *r = &out[n];
	snprintf(r->id, sizeof(r->id), "changzhi");
	r->county = NULL;
	r->kind = K_REGION;
	r->place = -1;
}
