/* SPDX-License-Identifier: MIT */
/* The text encoding of an imported file: UTF-8 with or without a byte order
 * mark, or GB18030 (what Excel on a Chinese Windows saves as "CSV"),
 * detected and converted to UTF-8 with iconv. Pure (memory to memory). */
#ifndef ENERTRACK_TEXTENC_H
#define ENERTRACK_TEXTENC_H

#include <stddef.h>

enum et_textenc {
	ET_ENC_UTF8 = 0,
	ET_ENC_UTF8_BOM,
	ET_ENC_GB18030,
};

/* "UTF-8", "UTF-8 with BOM", "GB18030". */
const char *et_textenc_name(enum et_textenc enc);

/* Converts in[0..len) to UTF-8 without a BOM. Text that is valid UTF-8
 * (after a BOM, if any) is taken as UTF-8; other text must be valid GB18030.
 * On success returns 0, *ret is a new NUL-terminated buffer the caller
 * frees, *ret_len its length and *ret_enc what the input was. On failure
 * *ret is NULL and returns -EILSEQ (err names the line and byte: neither
 * encoding fits, or UTF-16, or a NUL byte) or -ENOMEM. in is borrowed. */
int et_text_to_utf8(const char *in, size_t len, char **ret, size_t *ret_len,
		    enum et_textenc *ret_enc, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
