/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/membermail.c: the member-down mail's subject, headers
 * and body, and that data with control characters cannot add a header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enertrack/buf.h"
#include "enertrack/membermail.h"

#define S 1000000LL

static const int64_t NOW = 1796040000LL * S; /* 2026-11-30 12:00:00 UTC */

static et_member_t member(const char *id, enum et_member_state st, int64_t since_s_ago)
{
	et_member_t m = {.state = st, .started_us = NOW - 3600 * S, .conn = 2};
	snprintf(m.id, sizeof(m.id), "%s", id);
	snprintf(m.group, sizeof(m.group), "et");
	snprintf(m.version, sizeof(m.version), "1.2.3");
	m.since_us = NOW - since_s_ago * S;
	return m;
}

static void test_mail(void **state)
{
	(void)state;
	et_member_t g[3] = {member("et-a", ET_MEMBER_ONLINE, 600),
			    member("et-b", ET_MEMBER_DOWN, 150),
			    member("et-c", ET_MEMBER_STOPPED, 30)};
	const char *to[2] = {"ops@example.org", "duty@example.org"};
	et_member_mail_t m = {.down = &g[1],
			      .members = g,
			      .nmembers = 3,
			      .alarm_s = 120,
			      .session_expiry_s = 604800,
			      .observer = "et-a",
			      .from = "enertrack@example.org",
			      .to = to,
			      .nto = 2,
			      .date_us = NOW,
			      .message_id = "member-down-7@enertrack"};
	char subject[512];
	assert_true(et_member_mail_subject(&m, subject, sizeof(subject)) > 0);
	assert_string_equal(subject, "[enertrack] group et: member et-b down for 2 min; its share "
				     "is queued at the broker");
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_member_mail_build(&m, &b), 0);
	assert_int_equal(et_buf_append(&b, "", 1), 0);
	const char *t = b.data;
	assert_non_null(strstr(t, "Date: Mon, 30 Nov 2026 12:00:00 +0000\r\n"));
	assert_non_null(strstr(t, "To: ops@example.org,\r\n duty@example.org\r\n"));
	assert_non_null(strstr(t, "Message-ID: <member-down-7@enertrack>\r\n"));
	assert_non_null(strstr(t, "\r\n\r\nThe enertrack instance et-b of the shared group et"));
	assert_non_null(strstr(t, "its share of the group's\r\nmessages is queued at the broker"));
	assert_non_null(strstr(t, "Its session expires 7.0 days after it"));
	assert_non_null(strstr(t, "  et-c                             stopped  for 30 s\r\n"));
	/* every line ends in CRLF */
	for (const char *p = strchr(t, '\n'); p; p = strchr(p + 1, '\n'))
		assert_int_equal(p[-1], '\r');
	et_buf_free(&b);
}

static void test_injection(void **state)
{
	(void)state;
	et_member_t d = member("x\r\nBcc: evil@example.org", ET_MEMBER_DOWN, 10);
	const char *to[1] = {"ops@example.org"};
	et_member_mail_t m = {.down = &d,
			      .members = &d,
			      .nmembers = 1,
			      .alarm_s = 5,
			      .observer = "o",
			      .from = "enertrack@example.org",
			      .to = to,
			      .nto = 1,
			      .date_us = NOW,
			      .message_id = "m@enertrack"};
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_member_mail_build(&m, &b), 0);
	assert_int_equal(et_buf_append(&b, "", 1), 0);
	assert_null(strstr(b.data, "\r\nBcc:"));
	assert_null(strstr(b.data, "\nBcc:"));
	m.nto = 0;
	size_t len = b.len;
	assert_int_equal(et_member_mail_build(&m, &b), -EINVAL);
	assert_int_equal(b.len, len);
	et_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
