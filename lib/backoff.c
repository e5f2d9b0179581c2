/* SPDX-License-Identifier: MIT */
/* Back-off. Half of the delay is fixed and half random ("equal jitter"), so
 * that a fleet of daemons spreads out without ever retrying at once. */
#include "enertrack/backoff.h"

uint32_t et_backoff_next(et_backoff_t *b, uint32_t rnd)
{
	uint64_t cap = b->base_ms ? b->base_ms : 1;
	for (uint32_t i = 0; i < b->attempt && cap < b->max_ms; i++)
		cap *= 2;
	if (cap > b->max_ms)
		cap = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	uint64_t half = cap / 2;
	return (uint32_t)(half + (half ? rnd % (cap - half + 1) : 0));
}
