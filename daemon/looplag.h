/* SPDX-License-Identifier: MIT */
/* How late the event loop runs its timers: a timer due every
 * ET_LOOPLAG_INTERVAL_MS notes how much later than due it fired. A
 * callback that blocks the loop (a large write, an fsync, a long parse)
 * shows as lag; /metrics gives its maximum over the last minute
 * (enertrack_loop_lag_max_seconds). Loop thread only. */
#ifndef ENERTRACK_DAEMON_LOOPLAG_H
#define ENERTRACK_DAEMON_LOOPLAG_H

#include <stdint.h>
#include <uv.h>

#include "enertrack/buf.h"
#include "enertrack/lagwin.h"

#define ET_LOOPLAG_INTERVAL_MS 10

typedef struct et_looplag {
	uv_timer_t timer;
	uint64_t due_ns; /* uv_hrtime() when the timer is due */
	et_lagwin_t win; /* lag in µs by the loop's ms clock */
	int64_t max_us;	 /* since the start */
} et_looplag_t;

/* Starts the timer on loop; l lives until et_looplag_close's callback. */
void et_looplag_start(et_looplag_t *l, uv_loop_t *loop);

/* Closes the timer (with uv_close; cb may be NULL). */
void et_looplag_close(et_looplag_t *l, uv_close_cb cb);

/* The gauges of /metrics: the largest lag over the last minute, and the
 * largest since the start. */
void et_looplag_metrics(const et_looplag_t *l, et_buf_t *b);

#endif
