/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/backoff.c: the cap doubles from base_ms up to max_ms,
 * the delay is in [cap/2, cap] whatever the randomness, the attempt counter
 * cannot overflow, and reset starts again from base_ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "enertrack/backoff.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* With rnd = 0 the delay is the bottom of the range, cap / 2; with
 * rnd = cap - cap / 2 it is the top, cap. */
static void test_growth(void **state)
{
	(void)state;
	static const struct {
		uint32_t base, max;
		uint32_t caps[12];
	} t[] = {
		{500,
		 30000,
		 {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000}},
		{100,
		 10000,
		 {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000, 10000, 10000}},
		{1, 1000, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000}},
		{3, 100, {3, 6, 12, 24, 48, 96, 100, 100, 100, 100, 100, 100}},
		{250, 1000, {250, 500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}},
		{1000,
		 1000,
		 {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}},
		/* base above max: max wins from the start */
		{5000,
		 1000,
		 {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}},
		/* base 0 counts as 1 */
		{0, 16, {1, 2, 4, 8, 16, 16, 16, 16, 16, 16, 16, 16}},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_backoff_t lo = {.base_ms = t[i].base, .max_ms = t[i].max};
		et_backoff_t hi = lo;
		for (int k = 0; k < 12; k++) {
			uint32_t cap = t[i].caps[k];
			uint32_t a = et_backoff_next(&lo, 0);
			uint32_t b = et_backoff_next(&hi, cap - cap / 2);
			if (a != cap / 2 || (cap > 1 && b != cap))
				fail_msg("base %u max %u attempt %d: %u and %u, want %u and %u",
					 t[i].base, t[i].max, k, a, b, cap / 2, cap);
			assert_int_equal(lo.attempt, (uint32_t)k + 1);
		}
	}
}

/* Over many random draws, every delay stays in [cap/2, cap], and both ends
 * are reachable. */
static void test_jitter_bounds(void **state)
{
	(void)state;
	uint32_t x = 2463534242u;
	static const struct {
		uint32_t base, max;
	} t[] = {{500, 30000}, {1, 7}, {3, 1000}, {1, UINT32_MAX}, {1u << 31, UINT32_MAX}};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		for (int round = 0; round < 200; round++) {
			et_backoff_t b = {.base_ms = t[i].base, .max_ms = t[i].max};
			uint64_t cap = t[i].base;
			for (int k = 0; k < 70; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				uint32_t d = et_backoff_next(&b, x);
				uint64_t c = cap > t[i].max ? t[i].max : cap;
				if (d < c / 2 || d > c)
					fail_msg("base %u max %u attempt %d: %u outside [%llu, "
						 "%llu]",
						 t[i].base, t[i].max, k, d,
						 (unsigned long long)(c / 2),
						 (unsigned long long)c);
				if (cap < t[i].max)
					cap *= 2;
			}
		}
	}
	/* extremes of rnd at the largest cap */
	et_backoff_t b = {.base_ms = 1, .max_ms = UINT32_MAX, .attempt = 40};
	assert_int_equal(et_backoff_next(&b, 0), UINT32_MAX / 2);
	assert_int_equal(et_backoff_next(&b, UINT32_MAX - UINT32_MAX / 2), UINT32_MAX);
	assert_int_equal(et_backoff_next(&b, UINT32_MAX),
			 UINT32_MAX / 2 + (UINT32_MAX % (UINT32_MAX - UINT32_MAX / 2 + 1)));
}

/* The mapping from rnd is uniform: rnd 0..cap/2 covers each delay in
 * [cap/2, cap] exactly once, and then wraps around. */
static void test_jitter_uniform(void **state)
{
	(void)state;
	static const uint32_t caps[] = {100, 101, 7, 2, 30000};
	for (size_t i = 0; i < ARRAY_LEN(caps); i++) {
		uint32_t cap = caps[i], half = cap / 2, span = cap - half + 1;
		static unsigned char seen[30001];
		for (uint32_t v = 0; v <= cap; v++)
			seen[v] = 0;
		for (uint32_t r = 0; r < span; r++) {
			et_backoff_t b = {.base_ms = cap, .max_ms = cap};
			uint32_t d = et_backoff_next(&b, r);
			assert_int_equal(d, half + r);
			seen[d]++;
		}
		for (uint32_t v = half; v <= cap; v++)
			assert_int_equal(seen[v], 1);
		et_backoff_t b = {.base_ms = cap, .max_ms = cap};
		assert_int_equal(et_backoff_next(&b, span), half);
	}
}

/* The attempt counter stops growing, so a retry loop that runs for days
 * neither overflows the cap nor the counter. */
static void test_saturation(void **state)
{
	(void)state;
	et_backoff_t b = {.base_ms = 100, .max_ms = 60000};
	for (int i = 0; i < 100000; i++) {
		uint32_t d = et_backoff_next(&b, (uint32_t)i * 2654435761u);
		if (i >= 10 && (d < 30000 || d > 60000))
			fail_msg("attempt %d: %u", i, d);
	}
	assert_int_equal(b.attempt, 64);
	/* an attempt count beyond what the loop could produce still caps */
	b.attempt = UINT32_MAX;
	assert_int_equal(et_backoff_next(&b, 0), 30000);
	assert_int_equal(b.attempt, UINT32_MAX);
	/* max 0: no delay at all */
	et_backoff_t z = {.base_ms = 100, .max_ms = 0};
	for (int i = 0; i < 5; i++)
		assert_int_equal(et_backoff_next(&z, 12345), 0);
}

static void test_reset(void **state)
{
	(void)state;
	et_backoff_t b = {.base_ms = 500, .max_ms = 30000};
	for (int i = 0; i < 10; i++)
		(void)et_backoff_next(&b, 0);
	assert_int_equal(b.attempt, 10);
	assert_int_equal(et_backoff_next(&b, 0), 15000);
	et_backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	assert_int_equal(b.base_ms, 500);
	assert_int_equal(b.max_ms, 30000);
	assert_int_equal(et_backoff_next(&b, 0), 250);
	assert_int_equal(et_backoff_next(&b, 0), 500);
	assert_int_equal(et_backoff_next(&b, 1000), 2000);
	et_backoff_reset(&b);
	assert_int_equal(et_backoff_next(&b, 250), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),	       cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_jitter_uniform), cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
