/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/text.c: appends, printf past the stack buffer, the one
 * HTML escape, a text on a caller's buffer, take and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "enertrack/text.h"

static void test_put(void **state)
{
	(void)state;
	et_text_t t = ET_TEXT_INIT;
	assert_string_equal(et_text_str(&t), "");
	et_text_put(&t, "a");
	et_text_put(&t, NULL);
	et_text_putn(&t, "bcd", 2);
	et_text_printf(&t, "%d-%s", 42, "x");
	assert_int_equal(et_text_error(&t), 0);
	assert_int_equal(et_text_len(&t), 7);
	assert_string_equal(et_text_str(&t), "abc42-x");
	et_text_reset(&t);
	assert_string_equal(et_text_str(&t), "");
	et_text_free(&t);
	et_text_free(&t); /* twice is harmless */
}

static void test_printf_long(void **state)
{
	(void)state;
	char big[3000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	et_text_t t = ET_TEXT_INIT;
	et_text_put(&t, "<");
	et_text_printf(&t, "%s>%d", big, 7);
	assert_int_equal(et_text_error(&t), 0);
	assert_int_equal(et_text_len(&t), 1 + 2999 + 2);
	const char *s = et_text_str(&t);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[2999], 'z');
	assert_string_equal(s + 3000, ">7");
	et_text_free(&t);
}

static void test_html(void **state)
{
	(void)state;
	et_text_t t = ET_TEXT_INIT;
	et_text_html(&t, "a<b>&\"c\"'d' 襄垣");
	assert_string_equal(et_text_str(&t), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; 襄垣");
	et_text_reset(&t);
	et_text_htmln(&t, "&&x", 2);
	et_text_html(&t, NULL);
	et_text_html(&t, "");
	assert_string_equal(et_text_str(&t), "&amp;&amp;");
	et_text_free(&t);
}

static void test_on_and_take(void **state)
{
	(void)state;
	et_buf_t b = ET_BUF_INIT;
	assert_int_equal(et_buf_append(&b, "pre:", 4), 0);
	et_text_t t = et_text_on(&b);
	et_text_put(&t, "x");
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "pre:x", 5);
	size_t n = 9;
	assert_null(et_text_take(&t, &n)); /* not its memory to give */
	et_text_free(&t);
	et_buf_free(&b);

	et_text_t u = ET_TEXT_INIT;
	et_text_printf(&u, "%s", "mine");
	char *s = et_text_take(&u, &n);
	assert_non_null(s);
	assert_int_equal(n, 4);
	assert_string_equal(s, "mine");
	free(s);
	assert_int_equal(et_text_len(&u), 0);
	et_text_put(&u, "again");
	assert_string_equal(et_text_str(&u), "again");
	et_text_free(&u);
}

static void test_sticky_error(void **state)
{
	(void)state;
	et_text_t t = ET_TEXT_INIT;
	et_text_put(&t, "a");
	t.rc = -12; /* as after a failed allocation */
	et_text_put(&t, "b");
	et_text_printf(&t, "%s", "c");
	et_text_html(&t, "<");
	assert_int_equal(et_text_error(&t), -12);
	assert_int_equal(et_text_len(&t), 1);
	assert_string_equal(et_text_str(&t), "");
	assert_null(et_text_take(&t, NULL));
	assert_int_equal(et_text_error(&t), 0);
	et_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),	     cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_html),	     cmocka_unit_test(test_on_and_take),
		cmocka_unit_test(test_sticky_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
