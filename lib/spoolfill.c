/* SPDX-License-Identifier: MIT */
/* The spool's fill policy (enertrack/spoolfill.h): two thresholds with a
 * gap each, so that each is crossed once per episode. */
#include "enertrack/spoolfill.h"

double et_spoolfill_pct(uint64_t bytes, uint64_t max_bytes)
{
	return max_bytes ? 100.0 * (double)bytes / (double)max_bytes : 0;
}

unsigned et_spoolfill_step(et_spoolfill_t *s, double pct, bool may_pause)
{
	unsigned act = 0;
	if (!s->warned && pct >= ET_SPOOLFILL_WARN_PCT) {
		s->warned = true;
		act |= ET_SPOOLFILL_WARN;
	} else if (s->warned && pct < ET_SPOOLFILL_CALM_PCT) {
		s->warned = false;
		act |= ET_SPOOLFILL_CALM;
	}
	if (!may_pause)
		return act;
	if (!s->paused && pct >= ET_SPOOLFILL_PAUSE_PCT) {
		s->paused = true;
		act |= ET_SPOOLFILL_PAUSE;
	} else if (s->paused && pct < ET_SPOOLFILL_RESUME_PCT) {
		s->paused = false;
		act |= ET_SPOOLFILL_RESUME;
	}
	return act;
}
