/* SPDX-License-Identifier: MIT */
/* The simulator's deterministic randomness: splitmix64 as a hash of the
 * draw's key (sim/draw.h). Pure. */
#include "draw.h"

#include <math.h>

uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

uint64_t hash4(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = splitmix64(seed ^ (tag << 56));
	h = splitmix64(h ^ a);
	h = splitmix64(h ^ b);
	return splitmix64(h ^ c);
}

/* Uniform in [0, 1). */
double unif(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c)
{
	return (double)(hash4(seed, tag, (uint64_t)a, (uint64_t)b, (uint64_t)c) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller), from two uniforms of the same key. */
double gauss(uint64_t seed, enum draw tag, int64_t a, int64_t b, int64_t c)
{
	uint64_t h = hash4(seed, tag, (uint64_t)a, (uint64_t)b, (uint64_t)c);
	double u1 = ((double)(h >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
	double u2 = (double)(splitmix64(h) >> 11) * 0x1.0p-53;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}
