/* SPDX-License-Identifier: MIT */
/* lib/cmdline.c: what the table-driven parser accepts, and the one style of
 * its usage errors ("prog: cmd: what" and the usage line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "enertrack/cmdline.h"

static const char *const fmts[] = {"xlsx", "html", NULL};

struct vals {
	const char *config, *at, *args[2];
	int year, format, nargs;
	double rate;
	bool json;
};

static int parse(struct vals *v, int max_args, char *err, size_t errlen, int argc,
		 char *const *argv)
{
	memset(v, 0, sizeof(*v));
	v->format = -1;
	const et_opt_t opts[] = {
		ET_OPT_STR_ROW("config", 'c', &v->config, "FILE"),
		ET_OPT_STR_ROW("at", 'a', &v->at, "TIME"),
		ET_OPT_INT_ROW("year", 'y', &v->year, "YEAR", .required = true, .min = 2000,
			       .max = 2200),
		ET_OPT_CHOICE_ROW("format", 'f', &v->format, "xlsx|html", fmts),
		ET_OPT_NUM_ROW("rate", 0, &v->rate, "N", .min = 0, .max = 10, .why = "too fast"),
		ET_OPT_FLAG_ROW("json", 'j', &v->json),
		ET_OPT_FLAG_ROW("json-lines", 0, &v->json),
	};
	const et_cmdline_t cl = {
		.prog = "enertrack",
		.cmd = "report",
		.usage = "enertrack report --year YEAR",
		.opts = opts,
		.nopts = sizeof(opts) / sizeof(opts[0]),
		.max_args = max_args,
		.args_name = "FILE",
		.args = v->args,
		.nargs = &v->nargs,
	};
	return et_cmdline_parse(&cl, argc, argv, err, errlen);
}

#define ARGV(...) ((char *const[]){"report", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"report", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(v, max, err, ...)                                                                    \
	parse(v, max, err, sizeof(err), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_forms(void **state)
{
	(void)state;
	struct vals v;
	char err[512] = "";
	assert_int_equal(PARSE(&v, 1, err, "-c", "a.conf", "--year=2024", "--at", "-1 day", "x.csv",
			       "-fhtml", "--rat", "2.5", "--json"),
			 ET_CMDLINE_OK);
	assert_string_equal(v.config, "a.conf");
	assert_string_equal(v.at, "-1 day");
	assert_int_equal(v.year, 2024);
	assert_int_equal(v.format, 1);
	assert_true(v.rate == 2.5);
	assert_true(v.json);
	assert_int_equal(v.nargs, 1);
	assert_string_equal(v.args[0], "x.csv");
	/* "--" ends the options; a lone "-" is an argument */
	assert_int_equal(PARSE(&v, 2, err, "--year", "2030", "--", "-c"), ET_CMDLINE_OK);
	assert_string_equal(v.args[0], "-c");
	assert_null(v.config);
	assert_int_equal(PARSE(&v, 1, err, "-y2030", "-"), ET_CMDLINE_OK);
	assert_string_equal(v.args[0], "-");
	/* help wins over errors */
	assert_int_equal(PARSE(&v, 0, err, "--bogus", "--help"), ET_CMDLINE_HELP);
	assert_int_equal(PARSE(&v, 0, err, "-h"), ET_CMDLINE_HELP);
}

static void expect(int rc, const char *err, const char *want)
{
	assert_int_equal(rc, ET_CMDLINE_USAGE);
	if (!strstr(err, want))
		fail_msg("'%s' not in '%s'", want, err);
	/* one style: the prefix, then the usage line as the hint */
	assert_memory_equal(err, "enertrack: report: ", 19);
	assert_non_null(strstr(err, "\nusage: enertrack report --year YEAR\n"));
}

static void test_errors(void **state)
{
	(void)state;
	struct vals v;
	char err[512];
	expect(PARSE(&v, 0, err, "-c", "a"), err, "enertrack: report: missing --year YEAR\n");
	expect(PARSE(&v, 0, err, "--year", "1999"), err, "--year 1999: must be from 2000 to 2200");
	expect(PARSE(&v, 0, err, "--year", "20x4"), err, "--year '20x4': not a whole number");
	expect(PARSE(&v, 0, err, "--year", "2024", "--format", "pdfx"), err,
	       "--format 'pdfx': not one of xlsx, html");
	expect(PARSE(&v, 0, err, "--year", "2024", "--rate", "11"), err, "--rate 11: too fast");
	expect(PARSE(&v, 0, err, "--year", "2024", "extra"), err, "unexpected argument 'extra'");
	expect(PARSE(&v, 1, err, "--year", "2024", "a", "b"), err,
	       "unexpected argument 'b' after FILE 'a'");
	expect(PARSE(&v, 0, err, "--year", "2024", "--colour"), err, "unknown option --colour");
	expect(PARSE(&v, 0, err, "--year", "2024", "-x"), err, "unknown option -x");
	expect(PARSE(&v, 0, err, "--year", "2024", "--js"), err, "ambiguous option --js");
	expect(PARSE(&v, 0, err, "--year", "2024", "--json=1"), err, "--json takes no value");
	expect(PARSE(&v, 0, err, "--year"), err, "--year needs a value (YEAR)");
}

static void test_small_buffer(void **state)
{
	(void)state;
	struct vals v;
	char err[24];
	assert_int_equal(PARSE(&v, 0, err, "--year", "1"), ET_CMDLINE_USAGE);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
