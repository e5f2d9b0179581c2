/* SPDX-License-Identifier: MIT */
/* A growable byte buffer, reused across batches so that encoding does not
 * allocate once it has reached its working size. */
#ifndef ENERTRACK_BUF_H
#define ENERTRACK_BUF_H

#include <stddef.h>

typedef struct et_buf {
	char *data;
	size_t len;
	size_t cap;
} et_buf_t;

#define ET_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Makes room for `extra` more bytes. Returns 0 or -ENOMEM. */
int et_buf_reserve(et_buf_t *b, size_t extra) __attribute__((warn_unused_result));
int et_buf_append(et_buf_t *b, const void *p, size_t n) __attribute__((warn_unused_result));
/* Empties the buffer, keeping its memory. */
static inline void et_buf_reset(et_buf_t *b)
{
	b->len = 0;
}
/* Frees the memory; the buffer is empty and reusable afterwards. */
void et_buf_free(et_buf_t *b);

#endif
