/* SPDX-License-Identifier: MIT */
/* Every text that goes into PostgreSQL or a mail stays valid UTF-8 when a
 * field at its limit, in CJK, makes it too long: the milestone and
 * reconciliation mails' subject, body and log line, the drift mail's
 * subject, and et_utf8_cut itself (a 158-character milestone name
 * was cut in the middle of a character and the outbox row refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "enertrack/mail.h"
#include "enertrack/truthmail.h"
#include "enertrack/utf8.h"

/* true when s is whole, valid UTF-8 */
static bool valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n) {
		size_t k = et_utf8_decode(p, n, NULL);
		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* n copies of a 3-byte CJK character (and a 4-byte one every 7th) */
static char *cjk(char *buf, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		const char *c = i % 7 == 6 ? "𠀋" : "煤";
		memcpy(buf + o, c, strlen(c));
		o += strlen(c);
	}
	buf[o] = '\0';
	return buf;
}

static void test_cut(void **state)
{
	(void)state;
	char s[32];
	strcpy(s, "ab煤");
	assert_int_equal(et_utf8_cut(s, 4), 2); /* "ab" + 2 of 3 bytes: cut to "ab" */
	assert_string_equal(s, "ab");
	strcpy(s, "ab煤");
	assert_int_equal(et_utf8_cut(s, 5), 5);
	assert_string_equal(s, "ab煤");
	strcpy(s, "𠀋");
	assert_int_equal(et_utf8_cut(s, 3), 0);
	assert_string_equal(s, "");
	strcpy(s, "abc");
	assert_int_equal(et_utf8_cut(s, 99), 3);
}

static void test_milestone_limits(void **state)
{
	(void)state;
	static char name[4 * 300 + 1], label[4 * 200 + 1], site[4 * 100 + 1], unit[4 * 40 + 1];
	for (size_t len = 150; len <= 300; len += 8) {
		et_milestone_mail_t m = {.label = cjk(label, 200),
					 .year = "2024",
					 .scope = "county:襄垣",
					 .name = cjk(name, len),
					 .site_id = cjk(site, 100),
					 .due = "2024-04-01",
					 .days_late = "15",
					 .value = 50e6,
					 .commissioned = 20e6,
					 .planned_to_here = 70e6,
					 .display_unit = cjk(unit, 40),
					 .display_div = 1e6,
					 .grace_days = 14};
		for (int l = 0; l < 2; l++) {
			et_truth_text_t t;
			(void)et_truthmail_milestone(l ? ET_LANG_ZH_CN : ET_LANG_EN, &m, &t);
			assert_true(valid(t.subject));
			assert_true(valid(t.body));
			assert_true(valid(t.detail));
		}
	}
}

static void test_reconcile_limits(void **state)
{
	(void)state;
	static char county[7 + 4 * 300 + 1], label[4 * 300 + 1], src[4 * 300 + 1];
	strcpy(county, "county:");
	cjk(county + 7, 300);
	et_reconcile_mail_t m = {.scope = county,
				 .metric = "raw_coal",
				 .label = cjk(label, 300),
				 .period = "2024-03",
				 .source = cjk(src, 300),
				 .telemetry = 1e6,
				 .official = 2e6,
				 .gap_pct = -50,
				 .display_unit = "万吨",
				 .display_div = 1e4,
				 .reconcile_pct = 5};
	for (int l = 0; l < 2; l++) {
		et_truth_text_t t;
		(void)et_truthmail_reconcile(l ? ET_LANG_ZH_CN : ET_LANG_EN, &m, &t);
		assert_true(valid(t.subject));
		assert_true(valid(t.body));
		assert_true(valid(t.detail));
	}
}

static void test_subject_limits(void **state)
{
	(void)state;
	static char label[4 * 300 + 1];
	et_mail_report_t r = {.event = ET_AL_EV_REPEAT,
			      .label = cjk(label, 300),
			      .year = 2024,
			      .drift_pct = -12.5,
			      .lang = ET_LANG_ZH_CN};
	char subject[512];
	assert_true(et_mail_subject(&r, subject, sizeof(subject)) > 0);
	assert_true(valid(subject));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_milestone_limits),
		cmocka_unit_test(test_reconcile_limits),
		cmocka_unit_test(test_subject_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
