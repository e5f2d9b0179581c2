/* SPDX-License-Identifier: MIT */
/* Exponential back-off with full jitter, for reconnects and retries.
 * Pure: the caller supplies the randomness. */
#ifndef ENERTRACK_BACKOFF_H
#define ENERTRACK_BACKOFF_H

#include <stdint.h>

typedef struct et_backoff {
	uint32_t base_ms;
	uint32_t max_ms;
	uint32_t attempt;
} et_backoff_t;

/* The delay before the next attempt: uniform in [cap/2, cap] where
 * cap = min(max_ms, base_ms * 2^attempt); counts the attempt. */
uint32_t et_backoff_next(et_backoff_t *b, uint32_t rnd);
static inline void et_backoff_reset(et_backoff_t *b)
{
	b->attempt = 0;
}

#endif
