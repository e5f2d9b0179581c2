/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/tzname.c: the suggestion for a mistyped time zone,
 * against an excerpt of Debian's zone1970.tab. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "enertrack/tzname.h"

static const char tab[] =
	"# tzdb timezone descriptions, for users who do not care about old timestamps\n"
	"#codes\tcoordinates\tTZ\tcomments\n"
	"CN\t+3114+12128\tAsia/Shanghai\tBeijing Time\n"
	"CN\t+4348+08735\tAsia/Urumqi\tXinjiang Time\n"
	"HK\t+2217+11409\tAsia/Hong_Kong\n"
	"BH,QA\t+2517+05132\tAsia/Qatar\n"
	"US\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\n"
	"GB,GG,IM,JE\t+513030-0000731\tEurope/London\n";

static void check(const char *bad, const char *want)
{
	char out[128] = "x";
	int rc = et_tz_suggest(bad, tab, out, sizeof(out));
	if (want) {
		assert_int_equal(rc, 0);
		assert_string_equal(out, want);
	} else {
		assert_int_equal(rc, -ENOENT);
		assert_string_equal(out, "");
	}
}

static void test_suggest(void **state)
{
	(void)state;
	check("Asia/Beijing", "Asia/Shanghai");	 /* by the comment */
	check("asia/shanghai", "Asia/Shanghai"); /* by the city, another case */
	check("Asia/Hong Kong", "Asia/Hong_Kong");
	check("Asia/Shangai", "Asia/Shanghai"); /* by distance */
	check("Europe/Londn", "Europe/London");
	check("America/New_York_City", "America/New_York");
	check("Mars/Olympus_Mons", NULL); /* nothing near */
	check("", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_suggest)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
