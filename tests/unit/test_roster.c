/* SPDX-License-Identifier: MIT */
/* Unit tests of sim/roster.c, the Changzhi roster that enertrack-sim
 * publishes for and bench/etbench.c names its sites from: the sites, their
 * kinds and counties are exactly those the simulator published before the
 * roster became a module of its own (tests/data/sim/roster.txt, one
 * "kind id county" line each, "-" for none); ids are unique; the order is
 * mines, plants, enterprises, the city; two sites of one county share its
 * name's pointer (the simulator compares counties by pointer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/roster.h"

/* The fixture, found from this file's path (the Makefile compiles it as
 * tests/unit/test_roster.c from the top directory) unless ET_TEST_DATA is set. */
static void fixture_path(char *buf, size_t len)
{
	const char *env = getenv("ET_TEST_DATA");
	if (env) {
		snprintf(buf, len, "%s/sim/roster.txt", env);
		return;
	}
	const char *f = __FILE__;
	const char *slash = strrchr(f, '/');
	int n = slash ? (int)(slash - f) : 1;
	snprintf(buf, len, "%.*s/../data/sim/roster.txt", n, slash ? f : ".");
}

static void test_matches_published_roster(void **state)
{
	(void)state;
	int n = roster_count();
	struct roster_site *rs = calloc((size_t)n, sizeof(*rs));
	assert_non_null(rs);
	roster_sites(rs);
	char path[1024], line[256];
	fixture_path(path, sizeof(path));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int lines = 0;
	bool *seen = calloc((size_t)n, sizeof(*seen));
	assert_non_null(seen);
	while (fgets(line, sizeof(line), f)) {
		char kind[32], id[64], county[64];
		assert_int_equal(sscanf(line, "%31s %63s %63s", kind, id, county), 3);
		lines++;
		int found = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(rs[i].id, id) == 0)
				found = i;
		assert_true(found >= 0);
		assert_false(seen[found]);
		seen[found] = true;
		assert_string_equal(kind_names[rs[found].kind], kind);
		assert_string_equal(rs[found].county ? rs[found].county : "-", county);
	}
	fclose(f);
	assert_int_equal(lines, n);
	free(seen);
	free(rs);
}

static void test_order_and_counties(void **state)
{
	(void)state;
	int n = roster_count();
	assert_int_equal(n, 90 + N_PLANTS + 40 + 1);
	struct roster_site *rs = calloc((size_t)n, sizeof(*rs));
	assert_non_null(rs);
	roster_sites(rs);
	enum kind last = K_MINE;
	for (int i = 0; i < n; i++) {
		assert_true(rs[i].kind >= last);
		last = rs[i].kind;
		if (rs[i].kind == K_REGION) {
			assert_null(rs[i].county);
			assert_int_equal(rs[i].place, -1);
			assert_int_equal(i, n - 1);
		} else {
			assert_ptr_equal(rs[i].county, places[rs[i].place].name);
		}
	}
	assert_string_equal(rs[0].id, "xiangyuan-01");
	assert_string_equal(rs[90].id, "huguan-solar-01");
	assert_string_equal(rs[n - 1].id, "changzhi");
	free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_published_roster),
		cmocka_unit_test(test_order_and_counties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
