/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/appstate.c: the whole transition table, every pair of
 * states, against the life cycle the header draws; names; values out of
 * range are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "enertrack/appstate.h"

#define S ET_APP_ST_STARTING
#define R ET_APP_ST_RUNNING
#define P ET_APP_ST_PAUSED
#define D ET_APP_ST_DRAINING
#define C ET_APP_ST_CLOSING
#define N ET_APP_ST_COUNT

/* want[from][to]: 1 where the transition is legal */
static const int want[N][N] = {
	/*            S  R  P  D  C */
	[S] = {0, 1, 0, 0, 1}, [R] = {0, 0, 1, 1, 0}, [P] = {0, 1, 0, 1, 0},
	[D] = {0, 0, 0, 0, 1}, [C] = {0, 0, 0, 0, 0},
};

static void test_table(void **state)
{
	(void)state;
	for (int from = 0; from < N; from++)
		for (int to = 0; to < N; to++)
			if (et_app_state_allowed(from, to) != (want[from][to] == 1))
				fail_msg("%s -> %s: allowed %d, want %d", et_app_state_name(from),
					 et_app_state_name(to), et_app_state_allowed(from, to),
					 want[from][to]);
}

/* The paths the daemon takes, step by step. */
static void test_paths(void **state)
{
	(void)state;
	static const int paths[][8] = {
		{S, R, D, C, -1},	   /* a start and a SIGTERM */
		{S, R, P, R, P, D, C, -1}, /* the spool fills twice */
		{S, C, -1},		   /* the start failed */
		{S, R, P, R, P, R, D, -1}, /* paused and resumed, then stopping */
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (int k = 0; paths[i][k + 1] >= 0; k++)
			if (!et_app_state_allowed(paths[i][k], paths[i][k + 1]))
				fail_msg("path %zu step %d refused", i, k);
}

static void test_refused(void **state)
{
	(void)state;
	/* nothing leaves closing, nothing returns to starting */
	for (int s = 0; s < N; s++) {
		assert_false(et_app_state_allowed(C, s));
		assert_false(et_app_state_allowed(s, S));
		assert_false(et_app_state_allowed(s, s));
	}
	/* stopping is not undone */
	assert_false(et_app_state_allowed(D, R));
	assert_false(et_app_state_allowed(D, P));
	/* a running daemon drains before it closes */
	assert_false(et_app_state_allowed(R, C));
	assert_false(et_app_state_allowed(P, C));
	/* out of range */
	assert_false(et_app_state_allowed(N, R));
	assert_false(et_app_state_allowed(R, N));
	assert_false(et_app_state_allowed((enum et_app_state) - 1, R));
}

static void test_names(void **state)
{
	(void)state;
	static const char *const names[] = {"starting", "running", "paused", "draining", "closing"};
	for (int s = 0; s < N; s++)
		assert_string_equal(et_app_state_name(s), names[s]);
	assert_string_equal(et_app_state_name(N), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
