/* SPDX-License-Identifier: MIT */
/* Growable byte buffer. */
#include "enertrack/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int et_buf_reserve(et_buf_t *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	if (extra > ((size_t)-1) - b->len)
		return -ENOMEM; /* len + extra would wrap around to a small size */
	size_t want = b->len + extra;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < want) {
		if (cap > ((size_t)-1) / 2)
			return -ENOMEM;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int et_buf_append(et_buf_t *b, const void *p, size_t n)
{
	int rc = et_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void et_buf_free(et_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
