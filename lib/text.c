/* SPDX-License-Identifier: MIT */
/* The text buffer (include/enertrack/text.h) over et_buf: the sticky error
 * is what lets renderers write one append per line without a check each. */
#include "enertrack/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static et_buf_t *buf_of(et_text_t *t)
{
	return t->b ? t->b : &t->own;
}

et_text_t et_text_on(et_buf_t *b)
{
	et_text_t t = ET_TEXT_INIT;
	t.b = b;
	return t;
}

void et_text_putn(et_text_t *t, const char *s, size_t n)
{
	if (t->rc || !s || !n)
		return;
	t->rc = et_buf_append(buf_of(t), s, n);
}

void et_text_put(et_text_t *t, const char *s)
{
	if (s)
		et_text_putn(t, s, strlen(s));
}

void et_text_printf(et_text_t *t, const char *fmt, ...)
{
	if (t->rc)
		return;
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->rc = -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		et_text_putn(t, small, (size_t)n);
		return;
	}
	/* longer than the stack buffer: format straight into the buffer */
	et_buf_t *b = buf_of(t);
	t->rc = et_buf_reserve(b, (size_t)n + 1);
	if (t->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void et_text_htmln(et_text_t *t, const char *s, size_t n)
{
	if (!s)
		return;
	size_t run = 0; /* bytes that need no escape, appended at once */
	for (size_t i = 0; i < n; i++) {
		const char *ent = NULL;
		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			run++;
			continue;
		}
		et_text_putn(t, s + i - run, run);
		run = 0;
		et_text_put(t, ent);
	}
	et_text_putn(t, s + n - run, run);
}

void et_text_html(et_text_t *t, const char *s)
{
	if (s)
		et_text_htmln(t, s, strlen(s));
}

size_t et_text_len(const et_text_t *t)
{
	return t->b ? t->b->len : t->own.len;
}

const char *et_text_str(et_text_t *t)
{
	et_buf_t *b = buf_of(t);
	if (t->rc || et_buf_reserve(b, 1))
		return "";
	b->data[b->len] = '\0';
	return b->data;
}

void et_text_reset(et_text_t *t)
{
	et_buf_reset(buf_of(t));
	t->rc = 0;
}

char *et_text_take(et_text_t *t, size_t *ret_len)
{
	if (t->b || t->rc || et_buf_reserve(&t->own, 1)) {
		et_text_reset(t);
		return NULL;
	}
	char *s = t->own.data;
	s[t->own.len] = '\0';
	if (ret_len)
		*ret_len = t->own.len;
	t->own = (et_buf_t)ET_BUF_INIT;
	t->rc = 0;
	return s;
}

void et_text_free(et_text_t *t)
{
	et_buf_free(&t->own);
	t->rc = 0;
}
