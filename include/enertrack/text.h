/* SPDX-License-Identifier: MIT */
/* The one growable text buffer of everything people read (mails, the status
 * page, reports), with the one HTML escape. Modelled on redis' sds and git's
 * strbuf: appends never fail visibly; the first allocation failure sticks in
 * `rc` and every later append does nothing, so that a long run of appends
 * needs one check at the end. Pure, any thread; one buffer is one thread's. */
#ifndef ENERTRACK_TEXT_H
#define ENERTRACK_TEXT_H

#include <stddef.h>

#include "enertrack/buf.h"

typedef struct et_text {
	et_buf_t *b;  /* where appends go: &own, or a caller's buffer (et_text_on) */
	et_buf_t own; /* the text's own memory, unless it writes into a caller's */
	int rc;	      /* 0, or the first failure (-ENOMEM, -EINVAL) */
} et_text_t;

/* An empty text with its own memory: et_text_t t = ET_TEXT_INIT; */
#define ET_TEXT_INIT                                                                               \
	{                                                                                          \
		NULL, ET_BUF_INIT, 0                                                               \
	}

/* A text that appends to the caller's buffer b (borrowed: it must outlive
 * the text; et_text_free then frees nothing). */
et_text_t et_text_on(et_buf_t *b);

/* Appends s (NULL appends nothing), or its first n bytes. */
void et_text_put(et_text_t *t, const char *s);
void et_text_putn(et_text_t *t, const char *s, size_t n);
/* Appends a formatted string, of any length. */
void et_text_printf(et_text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s HTML-escaped (& < > " ' become entities), for both text and
 * attribute values; NULL appends nothing. et_text_htmln: its first n bytes. */
void et_text_html(et_text_t *t, const char *s);
void et_text_htmln(et_text_t *t, const char *s, size_t n);

/* 0, or the first failure of an append since the text was made or reset. */
static inline int et_text_error(const et_text_t *t)
{
	return t->rc;
}
/* The length, and the text itself, NUL-terminated ("" when empty or after
 * a failure); the pointer stays valid until the next append. */
size_t et_text_len(const et_text_t *t);
const char *et_text_str(et_text_t *t);

/* Empties the text and clears its failure, keeping the memory. */
void et_text_reset(et_text_t *t);
/* Hands the memory to the caller: returns the NUL-terminated text (free()
 * it), its length in *ret_len if not NULL; NULL after a failure or for a text
 * on a caller's buffer. The text is empty and reusable afterwards. */
char *et_text_take(et_text_t *t, size_t *ret_len) __attribute__((warn_unused_result));
/* Frees the memory the text owns; the text is empty and reusable after. */
void et_text_free(et_text_t *t);

#endif
