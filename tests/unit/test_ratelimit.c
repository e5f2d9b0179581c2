/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ratelimit.c: at most `limit` readings of one key per
 * second of their timestamps; a backlog spread over many seconds passes
 * however fast it arrives; one runaway key does not take another's
 * allowance; refusals are reported at most once a second (arrival time)
 * per key with their count; a full table forgets the least recently used
 * key rather than refusing a new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "enertrack/ratelimit.h"

#define SEC 1000000LL

static enum et_rl_verdict take(et_ratelimit_t *rl, const char *k, int64_t ev, int64_t now,
			       uint64_t *n)
{
	return et_ratelimit_take(rl, k, strlen(k), ev, now, n);
}

static void test_per_event_second(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n = 0;
	assert_int_equal(et_ratelimit_init(&rl, 64, 10), 0);
	/* ten readings stamped in one second pass, the eleventh is refused
	 * and reported, the next ones counted */
	for (int i = 0; i < 10; i++)
		assert_int_equal(take(&rl, "mine-1", 5 * SEC + i, 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "mine-1", 5 * SEC + 10, 0, &n), ET_RL_REFUSE_REPORT);
	assert_int_equal(n, 1);
	assert_int_equal(take(&rl, "mine-1", 5 * SEC + 11, 1, &n), ET_RL_REFUSE);
	assert_int_equal(take(&rl, "mine-1", 5 * SEC + 12, 2, &n), ET_RL_REFUSE);
	/* the next second of timestamps has its own allowance */
	assert_int_equal(take(&rl, "mine-1", 6 * SEC, 3, &n), ET_RL_PASS);
	/* a report again once a second of arrival passed, with the count */
	for (int i = 0; i < 9; i++)
		assert_int_equal(take(&rl, "mine-1", 6 * SEC, 4, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "mine-1", 6 * SEC, SEC, &n), ET_RL_REFUSE_REPORT);
	assert_int_equal(n, 3);
	et_ratelimit_free(&rl);
}

static void test_backlog_passes(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n;
	assert_int_equal(et_ratelimit_init(&rl, 64, 2), 0);
	/* an hour of 1 Hz readings of two metrics, all arriving at once */
	for (int s = 0; s < 3600; s++) {
		assert_int_equal(take(&rl, "mine-1", s * SEC, 0, &n), ET_RL_PASS);
		assert_int_equal(take(&rl, "mine-1", s * SEC + 1, 0, &n), ET_RL_PASS);
	}
	/* negative times (before 1970) fall in their own seconds too */
	assert_int_equal(take(&rl, "old", -1, 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "old", -SEC, 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "old", -SEC + 1, 0, &n), ET_RL_REFUSE_REPORT);
	et_ratelimit_free(&rl);
}

static void test_keys_are_independent(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n;
	assert_int_equal(et_ratelimit_init(&rl, 64, 1), 0);
	assert_int_equal(take(&rl, "runaway", 0, 0, &n), ET_RL_PASS);
	for (int i = 0; i < 1000; i++)
		assert_int_not_equal(take(&rl, "runaway", i, 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "quiet", 0, 0, &n), ET_RL_PASS);
	et_ratelimit_free(&rl);
}

static void test_off_and_never_stricter(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n;
	assert_int_equal(et_ratelimit_init(&rl, 4, 0), 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(take(&rl, "any", 0, 0, &n), ET_RL_PASS);
	/* 4 slots, 100 keys: each new key starts with a fresh count */
	et_ratelimit_set(&rl, 1);
	char k[16];
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "site-%d", i);
		assert_int_equal(take(&rl, k, 0, i, &n), ET_RL_PASS);
	}
	assert_int_not_equal(take(&rl, "site-99", 0, 100, &n), ET_RL_PASS);
	et_ratelimit_free(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_event_second),
		cmocka_unit_test(test_backlog_passes),
		cmocka_unit_test(test_keys_are_independent),
		cmocka_unit_test(test_off_and_never_stricter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
