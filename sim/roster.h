/* SPDX-License-Identifier: MIT */
/* The Changzhi roster: the sites the simulator publishes for (about 90 coal
 * mines in their counties, 15 new-energy plants, 40 large energy users in
 * five sectors, and the city), with their ids and counties. It is fixed,
 * whatever seed the readings use. bench/etbench.c names its sites from it
 * too. Pure: no I/O. */
#ifndef ENERTRACK_SIM_ROSTER_H
#define ENERTRACK_SIM_ROSTER_H

#define ROSTER_SEED 0x2024c4a1u /* fixes the roster whatever --seed says */

struct place {
	const char *pinyin, *name;
	int mines;
};

/* The coal counties with their number of mines, then the two places that
 * have plants and industry but no mines in this roster. */
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
extern const struct place places[P_COUNT];

enum source { SRC_SOLAR, SRC_WIND, SRC_BIOMASS };
extern const char *const source_names[3];

/* The plants: where, and of what source. */
struct plant_spec {
	int place, source; /* index in places[], enum source */
};
#define N_PLANTS 15
extern const struct plant_spec plant_roster[N_PLANTS];

enum sector { SEC_STEEL, SEC_COKING, SEC_CHEMICALS, SEC_CEMENT, SEC_POWER, SEC_COUNT };
struct sector_spec {
	const char *name;
	int count;
	double lo, hi; /* Mtce a year, before scaling to the city's total */
};
extern const struct sector_spec sectors[SEC_COUNT];

enum kind { K_MINE, K_PLANT, K_ENTERPRISE, K_REGION, K_COUNT };
extern const char *const kind_names[K_COUNT];

/* One site of the roster. county points into places[] (so that two sites of
 * one county have the same pointer), NULL for the city. */
struct roster_site {
	char id[40];
	const char *county;
	enum kind kind;
	int place;	    /* index in places[]; -1 for the city */
	enum source source; /* plants */
	enum sector sector; /* enterprises */
};

/* How many sites the roster has: the mines, then the plants, then the
 * enterprises, then the city, in that order. */
int roster_count(void);

/* Fills out[0 .. roster_count() - 1] with the sites, in that order. */
void roster_sites(struct roster_site *out);

#endif
