/* SPDX-License-Identifier: MIT */
/* How late the event loop runs its timers: a timer due every
 * ET_LOOPLAG_INTERVAL_MS notes how much later than due it fired. /metrics
 * gives the maximum over the last minute of two figures:
 *  - the lag, as a client of the loop feels it (enertrack_loop_lag_max_seconds);
 *  - the stall: the lag less the time the loop's thread waited for a CPU
 *    in the same interval (the kernel's run-queue wait, from
 *    /proc/thread-self/schedstat), i.e. what the daemon itself spent in one
 *    callback: a large write, an fsync, a lock, a long parse
 *    (enertrack_loop_stall_max_seconds). On a busy machine the first can
 *    be large while the second stays small.
 * Loop thread only. */
#ifndef ENERTRACK_DAEMON_LOOPLAG_H
#define ENERTRACK_DAEMON_LOOPLAG_H

#include <stdint.h>
#include <uv.h>

#include "enertrack/buf.h"
#include "enertrack/lagwin.h"

#define ET_LOOPLAG_INTERVAL_MS 10

typedef struct et_looplag {
	uv_timer_t timer;
	uint64_t due_ns;	/* uv_hrtime() when the timer is due */
	int sched_fd;		/* /proc/thread-self/schedstat, or -1 */
	uint64_t waited_ns;	/* its run-queue wait at the last firing */
	et_lagwin_t lag, stall; /* in µs, by uv_hrtime's ms */
} et_looplag_t;

/* Starts the timer on loop; call it on the loop's thread. l lives until
 * et_looplag_close's callback. */
void et_looplag_start(et_looplag_t *l, uv_loop_t *loop);

/* Closes the timer (with uv_close; cb may be NULL) and the schedstat file. */
void et_looplag_close(et_looplag_t *l, uv_close_cb cb);

/* The two gauges of /metrics. */
void et_looplag_metrics(const et_looplag_t *l, et_buf_t *b);

#endif
