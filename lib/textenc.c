/* SPDX-License-Identifier: MIT */
/* Encoding detection: valid UTF-8 is UTF-8, anything else is tried as
 * GB18030. The order matters: ASCII is valid in both, and a GB18030 text
 * with Chinese in it is almost never valid UTF-8, while many UTF-8 texts
 * are also valid GB18030 (and would turn into mojibake). */
#include "enertrack/textenc.h"

#include <errno.h>
#include <stdbool.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enertrack/utf8.h"

const char *et_textenc_name(enum et_textenc enc)
{
	switch (enc) {
	case ET_ENC_UTF8:
		return "UTF-8";
	case ET_ENC_UTF8_BOM:
		return "UTF-8 with BOM";
	case ET_ENC_GB18030:
		return "GB18030";
	}
	return "?";
}

/* The 1-based line and column (in bytes) of offset off. */
static void where(const char *s, size_t off, size_t *ret_line, size_t *ret_col)
{
	size_t line = 1, start = 0;
	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n') {
			line++;
			start = i + 1;
		}
	*ret_line = line;
	*ret_col = off - start + 1;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = et_utf8_decode(p + i, len - i, NULL);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

/* The first line (1-based) that is valid UTF-8 with a character beyond
 * ASCII, or 0: in a GB18030 file such a line is almost surely UTF-8. */
static size_t utf8_line(const char *s, size_t len)
{
	size_t line = 1;
	for (size_t start = 0; start < len; line++) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;
		bool wide = false;
		for (size_t i = start; i < end; i++)
			wide |= (unsigned char)s[i] >= 0x80;
		if (wide && utf8_invalid_at(s + start, end - start) == end - start)
			return line;
		start = end + 1;
	}
	return 0;
}

static int gb18030_to_utf8(const char *in, size_t len, char **ret, size_t *ret_len, char *err,
			   size_t errlen)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, "iconv cannot convert GB18030: %s", strerror(errno));
		return -EILSEQ;
	}
	/* GB18030 takes 1, 2 or 4 bytes for what UTF-8 takes 1, 3 or 4 */
	size_t cap = len + len / 2 + 16;
	char *out = malloc(cap);
	if (!out) {
		iconv_close(cd);
		return -ENOMEM;
	}
	char *ip = (char *)in, *op = out;
	size_t il = len, ol = cap - 1;
	int rc = 0;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		size_t line, col;
		where(in, (size_t)(ip - in), &line, &col);
		snprintf(err, errlen,
			 "line %zu, byte %zu: the text is neither UTF-8 nor GB18030 (%s); save the "
			 "file as CSV UTF-8",
			 line, col,
			 errno == EINVAL ? "it ends inside a character" : "invalid bytes");
		rc = -EILSEQ;
	} else if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
		snprintf(err, errlen, "GB18030: %s", strerror(errno));
		rc = -EILSEQ;
	}
	iconv_close(cd);
	if (rc) {
		free(out);
		return rc;
	}
	*op = '\0';
	*ret = out;
	*ret_len = (size_t)(op - out);
	return 0;
}

int et_text_to_utf8(const char *in, size_t len, char **ret, size_t *ret_len,
		    enum et_textenc *ret_enc, char *err, size_t errlen)
{
	*ret = NULL;
	*ret_len = 0;
	*ret_enc = ET_ENC_UTF8;
	if (len >= 2 &&
	    ((in[0] == '\xff' && in[1] == '\xfe') || (in[0] == '\xfe' && in[1] == '\xff'))) {
		snprintf(err, errlen,
			 "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 or "
			 "CSV");
		return -EILSEQ;
	}
	const char *nul = memchr(in, '\0', len);
	if (nul) {
		size_t line, col;
		where(in, (size_t)(nul - in), &line, &col);
		snprintf(err, errlen, "line %zu, byte %zu: a NUL byte (not a text file?)", line,
			 col);
		return -EILSEQ;
	}
	enum et_textenc enc = ET_ENC_UTF8;
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		len -= 3;
		enc = ET_ENC_UTF8_BOM;
	}
	size_t bad = utf8_invalid_at(in, len);
	if (bad == len) {
		char *out = malloc(len + 1);
		if (!out)
			return -ENOMEM;
		memcpy(out, in, len);
		out[len] = '\0';
		*ret = out;
		*ret_len = len;
		*ret_enc = enc;
		return 0;
	}
	if (enc == ET_ENC_UTF8_BOM) {
		size_t line, col;
		where(in, bad, &line, &col);
		snprintf(err, errlen,
			 "line %zu, byte %zu: invalid UTF-8 after a UTF-8 byte order mark", line,
			 col + (line == 1 ? 3 : 0));
		return -EILSEQ;
	}
	/* not UTF-8 as a whole: GB18030, unless a line of it is UTF-8 with more
	 * than ASCII in it (that line would come out garbled) */
	size_t mixed = utf8_line(in, len);
	if (mixed) {
		size_t line, col;
		where(in, bad, &line, &col);
		snprintf(
			err, errlen,
			"line %zu is UTF-8 and line %zu is not: the file mixes two encodings; save "
			"it as CSV UTF-8",
			mixed, line);
		return -EILSEQ;
	}
	int rc = gb18030_to_utf8(in, len, ret, ret_len, err, errlen);
	if (rc == 0)
		*ret_enc = ET_ENC_GB18030;
	return rc;
}
