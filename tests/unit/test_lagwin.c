/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/lagwin.c: the maximum of the window, a sample leaving
 * it once its slot is older than ET_LAGWIN_SLOTS slots, a reused slot
 * starting afresh, and an empty window at 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "enertrack/lagwin.h"

static void test_empty(void **state)
{
	(void)state;
	et_lagwin_t w;
	et_lagwin_init(&w, 10000);
	assert_int_equal(et_lagwin_max(&w, 0), 0);
	assert_int_equal(et_lagwin_max(&w, 123456789), 0);
}

static void test_max_and_expiry(void **state)
{
	(void)state;
	et_lagwin_t w;
	et_lagwin_init(&w, 10000); /* a minute: 6 slots of 10 s */
	et_lagwin_add(&w, 1000, 3);
	et_lagwin_add(&w, 2000, 4300); /* a 4.3 s stall */
	et_lagwin_add(&w, 3000, 1);
	et_lagwin_add(&w, 15000, 2);
	assert_int_equal(et_lagwin_max(&w, 15000), 4300);
	/* slot 0 (0-9.999 s) is in the window until slot 6 begins */
	assert_int_equal(et_lagwin_max(&w, 59999), 4300);
	assert_int_equal(et_lagwin_max(&w, 60000), 2);
	assert_int_equal(et_lagwin_max(&w, 69999), 2);
	assert_int_equal(et_lagwin_max(&w, 70000), 0);
}

static void test_slot_reused(void **state)
{
	(void)state;
	et_lagwin_t w;
	et_lagwin_init(&w, 10);
	et_lagwin_add(&w, 5, 900);
	/* 60 ms later the same slot of the ring holds a new stretch: the old
	 * 900 must not survive in it */
	et_lagwin_add(&w, 65, 7);
	assert_int_equal(et_lagwin_max(&w, 65), 7);
	et_lagwin_add(&w, 66, 5);
	et_lagwin_add(&w, 67, 8);
	assert_int_equal(et_lagwin_max(&w, 67), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_max_and_expiry),
		cmocka_unit_test(test_slot_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
