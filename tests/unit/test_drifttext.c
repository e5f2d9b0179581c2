/* SPDX-License-Identifier: MIT */
/* lib/drifttext.c: a target in % drifts in percentage points (百分点) in
 * every table, any other target in % of its schedule (issue 21). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "enertrack/drifttext.h"
#include "enertrack/numfmt.h"

static void test_text(void **state)
{
	(void)state;
	static const struct {
		et_lang_t lang;
		double drift;
		const char *unit, *want;
	} t[] = {
		/* an intensity decline of 1.3257 % against 2.0 %: 0.67 points behind */
		{ET_LANG_EN, -0.6743, "%", "-0.67 pp"},
		{ET_LANG_ZH_CN, -0.6743, "%", "-0.67 个百分点"},
		{ET_LANG_EN, 3.4777, "%", "+3.48 pp"},
		{ET_LANG_ZH_CN, 0.1, "%", "+0.10 个百分点"},
		{ET_LANG_EN, -0.001, "%", "0.00 pp"},
		{ET_LANG_EN, NAN, "%", ET_NO_VALUE},
		/* a quantity drifts relative to its schedule */
		{ET_LANG_EN, -8.09, "Mt", "-8.1 %"},
		{ET_LANG_ZH_CN, 1.26, "万吨", "+1.3 %"},
		{ET_LANG_EN, 2.0, NULL, "+2.0 %"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64];
		et_drift_text(out, sizeof(out), t[i].lang, t[i].drift, t[i].unit);
		assert_string_equal(out, t[i].want);
	}
}

static void test_unit(void **state)
{
	(void)state;
	assert_true(et_drift_in_points("%"));
	assert_false(et_drift_in_points("MW"));
	assert_false(et_drift_in_points(NULL));
	assert_string_equal(et_drift_unit("%"), "pp");
	assert_string_equal(et_drift_unit("Mt"), "%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
