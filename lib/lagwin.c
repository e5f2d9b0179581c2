/* SPDX-License-Identifier: MIT */
/* The sliding-window maximum of include/enertrack/lagwin.h: a ring of
 * slots, each the maximum of its stretch of time. The window's edge moves
 * a slot at a time, so the maximum covers between (SLOTS - 1) and SLOTS
 * slots of samples: coarse, but constant in memory and cost. */
#include "enertrack/lagwin.h"

void et_lagwin_init(et_lagwin_t *w, int64_t slot_ms)
{
	w->slot_ms = slot_ms > 0 ? slot_ms : 1;
	for (int i = 0; i < ET_LAGWIN_SLOTS; i++) {
		w->epoch[i] = -1;
		w->max[i] = 0;
	}
}

void et_lagwin_add(et_lagwin_t *w, int64_t now_ms, int64_t v)
{
	int64_t e = now_ms / w->slot_ms;
	int i = (int)(e % ET_LAGWIN_SLOTS);
	if (w->epoch[i] != e) {
		/* the slot held an older stretch: it starts again */
		w->epoch[i] = e;
		w->max[i] = v;
	} else if (v > w->max[i]) {
		w->max[i] = v;
	}
}

int64_t et_lagwin_max(const et_lagwin_t *w, int64_t now_ms)
{
	int64_t e = now_ms / w->slot_ms, m = 0;
	for (int i = 0; i < ET_LAGWIN_SLOTS; i++)
		if (w->epoch[i] >= 0 && w->epoch[i] > e - ET_LAGWIN_SLOTS && w->epoch[i] <= e &&
		    w->max[i] > m)
			m = w->max[i];
	return m;
}
