/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/spoolfill.c: each threshold (80 % warn, 70 % calm,
 * 100 % pause, 90 % resume) acts once per crossing, the gaps hold the state,
 * a step that may not pause leaves the pause state alone, and the fill is 0
 * for a spool without a cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "enertrack/spoolfill.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum {
	W = ET_SPOOLFILL_WARN,
	C = ET_SPOOLFILL_CALM,
	P = ET_SPOOLFILL_PAUSE,
	R = ET_SPOOLFILL_RESUME
};

/* One step from a state: the state after it and the actions. */
static void test_step_table(void **state)
{
	(void)state;
	static const struct {
		bool warned, paused; /* before */
		double pct;
		bool may_pause;
		bool want_warned, want_paused;
		unsigned want;
	} t[] = {
		/* quiet */
		{false, false, 0, true, false, false, 0},
		{false, false, 79.9, true, false, false, 0},
		/* the warning: at 80 %, once */
		{false, false, 80, true, true, false, W},
		{true, false, 80, true, true, false, 0},
		{true, false, 99.9, true, true, false, 0},
		/* the gap: between 70 and 80 % the state holds either way */
		{true, false, 75, true, true, false, 0},
		{false, false, 75, true, false, false, 0},
		{true, false, 70, true, true, false, 0},
		/* calm below 70 % */
		{true, false, 69.9, true, false, false, C},
		{false, false, 10, true, false, false, 0},
		/* full: warn and pause in one step when it jumps there */
		{false, false, 100, true, true, true, W | P},
		{true, false, 100, true, true, true, P},
		{true, false, 120, true, true, true, P},
		{true, true, 100, true, true, true, 0},
		/* paused: holds down to 90 % */
		{true, true, 95, true, true, true, 0},
		{true, true, 90, true, true, true, 0},
		{true, true, 89.9, true, true, false, R},
		/* drained at once: resume and calm together */
		{true, true, 0, true, false, false, C | R},
		/* may not pause (stopping, no broker): only the warning moves */
		{false, false, 100, false, true, false, W},
		{true, false, 100, false, true, false, 0},
		{true, true, 0, false, false, true, C},
		{true, true, 50, false, false, true, C},
		{false, true, 100, false, true, true, W},
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		et_spoolfill_t s = {.warned = t[i].warned, .paused = t[i].paused};
		unsigned act = et_spoolfill_step(&s, t[i].pct, t[i].may_pause);
		if (act != t[i].want || s.warned != t[i].want_warned ||
		    s.paused != t[i].want_paused)
			fail_msg(
				"case %zu (%.1f %%): actions %u warned %d paused %d, want %u %d %d",
				i, t[i].pct, act, s.warned, s.paused, t[i].want, t[i].want_warned,
				t[i].want_paused);
	}
}

/* A whole episode: filling up, full, draining; each action exactly once. */
static void test_episode(void **state)
{
	(void)state;
	static const struct {
		double pct;
		unsigned want;
	} seq[] = {{10, 0},	{50, 0}, {80, W}, {85, 0}, {99, 0}, {100, P},
		   {100, 0},	{95, 0}, {91, 0}, {89, R}, {95, 0}, {100, P},
		   {60, C | R}, {75, 0}, {80, W}, {20, C}, {0, 0}};
	et_spoolfill_t s = {0};
	for (size_t i = 0; i < ARRAY_LEN(seq); i++) {
		unsigned act = et_spoolfill_step(&s, seq[i].pct, true);
		if (act != seq[i].want)
			fail_msg("step %zu (%.0f %%): actions %u, want %u", i, seq[i].pct, act,
				 seq[i].want);
	}
	assert_false(s.warned);
	assert_false(s.paused);
}

static void test_pct(void **state)
{
	(void)state;
	assert_true(et_spoolfill_pct(0, 0) == 0);
	assert_true(et_spoolfill_pct(5, 0) == 0);
	assert_true(et_spoolfill_pct(800, 1000) == 80);
	assert_true(et_spoolfill_pct(1000, 1000) == 100);
	assert_true(et_spoolfill_pct(1500, 1000) == 150);
	assert_true(et_spoolfill_pct(0, 1000) == 0);
	/* a 64 MB spool at its cap is full, one byte less is not */
	uint64_t cap = 64ull << 20;
	assert_true(et_spoolfill_pct(cap, cap) >= ET_SPOOLFILL_PAUSE_PCT);
	assert_true(et_spoolfill_pct(cap - 1, cap) < ET_SPOOLFILL_PAUSE_PCT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_table),
		cmocka_unit_test(test_episode),
		cmocka_unit_test(test_pct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
