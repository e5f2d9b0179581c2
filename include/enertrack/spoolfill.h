/* SPDX-License-Identifier: MIT */
/* The spool's fill policy, pure: from how full the spool is and what was
 * done before, what to do now. A warning at 80 % (said again only after the
 * spool went back below 70 %); at 100 % the daemon disconnects from the
 * broker, whose persistent session keeps the messages, and reconnects below
 * 90 %. The gaps keep a spool that hovers near a threshold from flapping. */
#ifndef ENERTRACK_SPOOLFILL_H
#define ENERTRACK_SPOOLFILL_H

#include <stdbool.h>
#include <stdint.h>

#define ET_SPOOLFILL_WARN_PCT	80
#define ET_SPOOLFILL_CALM_PCT	70
#define ET_SPOOLFILL_PAUSE_PCT	100
#define ET_SPOOLFILL_RESUME_PCT 90

/* What the policy remembers between two steps. Zero is the start. */
typedef struct et_spoolfill {
	bool warned; /* above ET_SPOOLFILL_WARN_PCT, not yet back below CALM */
	bool paused; /* disconnected from the broker until the spool drains */
} et_spoolfill_t;

/* The actions of one step, as bits. */
enum et_spoolfill_action {
	ET_SPOOLFILL_WARN = 1,	 /* reached 80 %: PostgreSQL is behind */
	ET_SPOOLFILL_CALM = 2,	 /* back below 70 % after a warning */
	ET_SPOOLFILL_PAUSE = 4,	 /* full: disconnect from the broker */
	ET_SPOOLFILL_RESUME = 8, /* below 90 % after a pause: reconnect */
};

/* How full: 100 * bytes / max_bytes; 0 when max_bytes is 0. */
double et_spoolfill_pct(uint64_t bytes, uint64_t max_bytes);

/* One step at fill pct (et_spoolfill_pct): updates *s and returns the
 * actions (0 or more bits of enum et_spoolfill_action). Without may_pause
 * (no broker connection to pause, or the daemon is stopping) the pause
 * state stays as it is and only the warning moves. */
unsigned et_spoolfill_step(et_spoolfill_t *s, double pct, bool may_pause);

#endif
