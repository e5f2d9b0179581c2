/* SPDX-License-Identifier: MIT */
/* The unit table of SQL (the rows the migrations insert into `unit`) and
 * the one of lib/units.c are the same list: same names, same dimensions,
 * same factors, in either direction. Reads sql/NNN_*.sql from the
 * repository root (where `make unit` runs), or from ET_SQL_DIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/units.h"

#define MAX_UNITS 100

struct sql_unit {
	char name[64];
	char dim[32];
	double factor;
	int seen;
};

static struct sql_unit sql_units[MAX_UNITS];
static size_t n_sql;

/* The SQL name of each dimension (unit.dim). */
static const char *dim_name(enum et_dim d)
{
	static const char *const names[] = {
		[ET_DIM_NONE] = "",	    [ET_DIM_MASS] = "mass",	  [ET_DIM_POWER] = "power",
		[ET_DIM_ENERGY] = "energy", [ET_DIM_COAL_EQ] = "coal_eq", [ET_DIM_MONEY] = "money",
		[ET_DIM_SHARE] = "share",
	};
	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "?";
}

/* Reads a quoted SQL literal at *p into out; returns 0 or -1. */
static int read_literal(const char **p, char *out, size_t len)
{
	const char *s = strchr(*p, '\'');
	if (!s)
		return -1;
	const char *e = strchr(s + 1, '\'');
	if (!e || (size_t)(e - s - 1) >= len)
		return -1;
	memcpy(out, s + 1, (size_t)(e - s - 1));
	out[e - s - 1] = '\0';
	*p = e + 1;
	return 0;
}

/* Collects the rows of every "INSERT INTO unit VALUES (...), ...;" in text. */
static void collect(const char *text)
{
	const char *p = text;
	while ((p = strstr(p, "INSERT INTO unit VALUES")) != NULL) {
		const char *end = strchr(p, ';');
		assert_non_null(end);
		p += strlen("INSERT INTO unit VALUES");
		const char *row;
		while ((row = strchr(p, '(')) != NULL && row < end) {
			assert_true(n_sql < MAX_UNITS);
			struct sql_unit *u = &sql_units[n_sql++];
			p = row;
			assert_int_equal(read_literal(&p, u->name, sizeof(u->name)), 0);
			assert_int_equal(read_literal(&p, u->dim, sizeof(u->dim)), 0);
			p = strchr(p, ',');
			assert_non_null(p);
			u->factor = strtod(p + 1, NULL);
			p = strchr(p, ')');
			assert_non_null(p);
		}
		p = end;
	}
}

static int load(void **state)
{
	(void)state;
	const char *dir = getenv("ET_SQL_DIR") ? getenv("ET_SQL_DIR") : "sql";
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (!(n[0] >= '0' && n[0] <= '9') || !strstr(n, ".sql"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		static char buf[1 << 20];
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		buf[len] = '\0';
		fclose(f);
		collect(buf);
	}
	closedir(d);
	return 0;
}

static void test_sql_has_every_c_unit(void **state)
{
	(void)state;
	assert_true(n_sql > 0);
	enum et_dim dim;
	double factor;
	const char *name;
	for (size_t i = 0; (name = et_unit_at(i, &dim, &factor)) != NULL; i++) {
		struct sql_unit *u = NULL;
		for (size_t k = 0; k < n_sql; k++)
			if (strcmp(sql_units[k].name, name) == 0)
				u = &sql_units[k];
		if (!u)
			fail_msg("unit %s of lib/units.c is not in SQL's unit table", name);
		u->seen++;
		assert_string_equal(u->dim, dim_name(dim));
		if (fabs(u->factor - factor) > 1e-12 * factor)
			fail_msg("unit %s: factor %g in SQL, %g in lib/units.c", name, u->factor,
				 factor);
	}
}

static void test_c_has_every_sql_unit(void **state)
{
	(void)state;
	for (size_t k = 0; k < n_sql; k++)
		if (sql_units[k].seen != 1)
			fail_msg("unit %s of SQL is in lib/units.c %d times", sql_units[k].name,
				 sql_units[k].seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_has_every_c_unit),
		cmocka_unit_test(test_c_has_every_sql_unit),
	};
	return cmocka_run_group_tests(tests, load, NULL);
}
