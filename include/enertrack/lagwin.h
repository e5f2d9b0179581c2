/* SPDX-License-Identifier: MIT */
/* The largest of a series of samples over a sliding window of time, pure:
 * the event loop's lag, sampled every few ms, shown in /metrics as its
 * maximum over the last minute. A fixed ring of ET_LAGWIN_SLOTS slots of
 * slot_ms each; a slot older than the window counts as empty, so memory
 * and cost stay constant whatever the rate of samples. */
#ifndef ENERTRACK_LAGWIN_H
#define ENERTRACK_LAGWIN_H

#include <stdint.h>

#define ET_LAGWIN_SLOTS 6

typedef struct et_lagwin {
	int64_t slot_ms;
	int64_t epoch[ET_LAGWIN_SLOTS]; /* now_ms / slot_ms of the slot's samples; -1: empty */
	int64_t max[ET_LAGWIN_SLOTS];
} et_lagwin_t;

/* A window of ET_LAGWIN_SLOTS * slot_ms (slot_ms > 0), empty. */
void et_lagwin_init(et_lagwin_t *w, int64_t slot_ms);

/* Adds a sample v taken at now_ms (a monotonic clock; never decreasing). */
void et_lagwin_add(et_lagwin_t *w, int64_t now_ms, int64_t v);

/* The largest sample of the window that ends at now_ms (the current slot
 * and the ET_LAGWIN_SLOTS - 1 before it); 0 when it holds none. */
int64_t et_lagwin_max(const et_lagwin_t *w, int64_t now_ms);

#endif
