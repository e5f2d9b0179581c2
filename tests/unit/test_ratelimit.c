/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/ratelimit.c: a burst passes, the rate refills, one
 * runaway key does not take another's allowance, refusals are reported at
 * most once a second per key with their count, and a full table forgets
 * the least recently seen key rather than refusing a new one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "enertrack/ratelimit.h"

#define SEC 1000000LL

static enum et_rl_verdict take(et_ratelimit_t *rl, const char *k, int64_t t, uint64_t *n)
{
	return et_ratelimit_take(rl, k, strlen(k), t, n);
}

static void test_burst_then_rate(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n = 0;
	assert_int_equal(et_ratelimit_init(&rl, 64, 10, 20), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(take(&rl, "mine-1", 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "mine-1", 0, &n), ET_RL_REFUSE_REPORT);
	assert_int_equal(n, 1);
	assert_int_equal(take(&rl, "mine-1", 0, &n), ET_RL_REFUSE);
	/* 0.5 s later: 5 tokens */
	for (int i = 0; i < 5; i++)
		assert_int_equal(take(&rl, "mine-1", SEC / 2, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "mine-1", SEC / 2, &n), ET_RL_REFUSE);
	/* a second after the last report: reported again, with the count */
	assert_int_equal(take(&rl, "mine-1", SEC, &n), ET_RL_PASS); /* 5 tokens back */
	for (int i = 0; i < 4; i++)
		assert_int_equal(take(&rl, "mine-1", SEC, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "mine-1", SEC, &n), ET_RL_REFUSE_REPORT);
	assert_int_equal(n, 3);
	et_ratelimit_free(&rl);
}

static void test_keys_are_independent(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n;
	assert_int_equal(et_ratelimit_init(&rl, 64, 1, 1), 0);
	assert_int_equal(take(&rl, "runaway", 0, &n), ET_RL_PASS);
	for (int i = 0; i < 1000; i++)
		assert_int_not_equal(take(&rl, "runaway", 0, &n), ET_RL_PASS);
	assert_int_equal(take(&rl, "quiet", 0, &n), ET_RL_PASS);
	et_ratelimit_free(&rl);
}

static void test_off_and_never_stricter(void **state)
{
	(void)state;
	et_ratelimit_t rl;
	uint64_t n;
	assert_int_equal(et_ratelimit_init(&rl, 4, 0, 0), 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(take(&rl, "any", 0, &n), ET_RL_PASS);
	/* 4 slots, 100 keys: each new key starts with a full allowance */
	et_ratelimit_set(&rl, 1, 1);
	char k[16];
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "site-%d", i);
		assert_int_equal(take(&rl, k, i, &n), ET_RL_PASS);
	}
	/* time going backwards (a replay) never adds tokens or crashes */
	assert_int_not_equal(take(&rl, "site-99", 0, &n), ET_RL_PASS);
	et_ratelimit_free(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_keys_are_independent),
		cmocka_unit_test(test_off_and_never_stricter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
