/* SPDX-License-Identifier: MIT */
/* The simulator's randomness: every draw is a hash of (seed, what, which
 * site, which day...), not a step of a shared generator, so that a reading
 * depends neither on the interval, nor the span, nor the order. Pure. */
#ifndef ENERTRACK_SIM_DRAW_H
#define ENERTRACK_SIM_DRAW_H

#include <stdint.h>

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

uint64_t splitmix64(uint64_t x);
uint64_t hash4(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b, uint64_t c);
/* Uniform in [0, 1). */
double unif(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c);
/* Standard normal (Box-Muller), from two uniforms of the same key. */
double gauss(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c);
double clamp(double x, double lo, double hi);

#endif
