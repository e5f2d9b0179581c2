/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/textenc.c: UTF-8 with and without a BOM is taken as it
 * is (the BOM dropped), GB18030 (two- and four-byte characters) is
 * converted, and what is neither, UTF-16 or holds a NUL is refused with the
 * line and byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/textenc.h"

static void convert_ok(const char *in, size_t len, const char *want, enum et_textenc want_enc)
{
	char *out = NULL, err[200] = "";
	size_t n = 0;
	enum et_textenc enc;
	int rc = et_text_to_utf8(in, len, &out, &n, &enc, err, sizeof(err));
	if (rc)
		fail_msg("rc %d: %s", rc, err);
	assert_int_equal(enc, want_enc);
	assert_int_equal(n, strlen(want));
	assert_string_equal(out, want);
	free(out);
}

static void refused(const char *in, size_t len, const char *want_err)
{
	char *out = (char *)1, err[200] = "";
	size_t n = 9;
	enum et_textenc enc;
	assert_int_equal(et_text_to_utf8(in, len, &out, &n, &enc, err, sizeof(err)), -EILSEQ);
	assert_null(out);
	if (!strstr(err, want_err))
		fail_msg("error '%s' lacks '%s'", err, want_err);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_utf8(void **state)
{
	(void)state;
	convert_ok(S("scope,metric\r\ncity,万吨\r\n"), "scope,metric\r\ncity,万吨\r\n",
		   ET_ENC_UTF8);
	convert_ok(S(""), "", ET_ENC_UTF8);
	convert_ok(S("plain ascii\n"), "plain ascii\n", ET_ENC_UTF8);
}

static void test_bom(void **state)
{
	(void)state;
	convert_ok(S("\xef\xbb\xbfscope,统计局\n"), "scope,统计局\n", ET_ENC_UTF8_BOM);
	convert_ok(S("\xef\xbb\xbf"), "", ET_ENC_UTF8_BOM);
	/* a BOM promises UTF-8: GB18030 after it is an error, not a guess */
	refused(S("\xef\xbb\xbfok\ncity,\xcd\xf2\xb6\xd6\n"), "line 2, byte 6: invalid UTF-8");
}

static void test_gb18030(void **state)
{
	(void)state;
	/* 万吨, 统计局, 亿千瓦时 (two bytes a character), € (two), U+20000 (four) */
	convert_ok(S("city,\xcd\xf2\xb6\xd6,"
		     "\xcd\xb3\xbc\xc6\xbe\xd6\r\n\xd2\xda\xc7\xa7\xcd\xdf\xca\xb1 "
		     "\xa2\xe3 \x95\x32\x82\x36\r\n"),
		   "city,万吨,统计局\r\n亿千瓦时 € \xf0\xa0\x80\x80\r\n", ET_ENC_GB18030);
}

static void test_neither(void **state)
{
	(void)state;
	/* 0x80 alone and 0xff are invalid in both */
	refused(S("scope\nab\xff\xff\n"), "line 2, byte 3: the text is neither UTF-8 nor GB18030");
	/* a file cut inside a GB18030 character */
	refused(S("a\n\xcd\xf2\xb6"), "ends inside a character");
	refused(S("\xff\xfes\0c\0"), "UTF-16");
	refused(S("\xfe\xff\0s\0c"), "UTF-16");
	refused(S("ab\ncd\0e"), "line 2, byte 3: a NUL byte");
}

/* A file of UTF-8 and GB18030 lines was read as GB18030 whole, and its
 * UTF-8 lines came out garbled (襄垣 as 瑗勫灒) with exit code 0:
 * every line must decode in the encoding found, or the file is refused,
 * naming the first line that does not. */
static void test_mixed(void **state)
{
	(void)state;
	/* line 2: 襄垣 in UTF-8; line 3: 万吨 in GB18030 */
	refused(S("scope,unit\ncounty:\xe8\xa5\x84\xe5\x9e\xa3,t\ncity,\xcd\xf2\xb6\xd6\n"),
		"line 2");
	refused(S("scope,unit\ncity,\xcd\xf2\xb6\xd6\ncounty:\xe8\xa5\x84\xe5\x9e\xa3,t\n"),
		"mixes");
	/* ASCII lines are both: a GB18030 file with them is fine */
	convert_ok(S("scope,unit\ncity,\xcd\xf2\xb6\xd6\n"), "scope,unit\ncity,万吨\n",
		   ET_ENC_GB18030);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(et_textenc_name(ET_ENC_UTF8), "UTF-8");
	assert_string_equal(et_textenc_name(ET_ENC_UTF8_BOM), "UTF-8 with BOM");
	assert_string_equal(et_textenc_name(ET_ENC_GB18030), "GB18030");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),	cmocka_unit_test(test_bom),
		cmocka_unit_test(test_gb18030), cmocka_unit_test(test_neither),
		cmocka_unit_test(test_names),	cmocka_unit_test(test_mixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
