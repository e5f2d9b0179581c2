/* SPDX-License-Identifier: MIT */
/* UTF-8 sequence validation (RFC 3629). */
#include "enertrack/utf8.h"

#include <string.h>

size_t et_utf8_decode(const unsigned char *p, size_t n, unsigned *ret_cp)
{
	unsigned c = p[0];
	size_t len;
	unsigned cp;
	if (c < 0x80) {
		if (ret_cp)
			*ret_cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (ret_cp)
		*ret_cp = cp;
	return len;
}

size_t et_utf8_cut(char *s, size_t len)
{
	size_t n = strnlen(s, len);
	size_t end = n;
	/* back over continuation bytes to the lead byte of the last sequence */
	size_t lead = n;
	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)s[lead - 1] >= 0xc0 &&
	    et_utf8_decode((const unsigned char *)s + lead - 1, n - lead + 1, NULL) == 0)
		end = lead - 1;
	s[end] = '\0';
	return end;
}

bool et_utf8_is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x61c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}
