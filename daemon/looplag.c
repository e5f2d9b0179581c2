/* SPDX-License-Identifier: MIT */
/* The loop's lag (looplag.h): a one-shot timer re-armed at each firing,
 * so that a stall counts once, as the time the next firing came late,
 * instead of as a burst of catch-up firings. The lag is read on uv_hrtime
 * (the loop's own ms clock is cached per iteration and too coarse). */
#include "looplag.h"

#include <stdio.h>
#include <string.h>

/* A minute: 6 slots of 10 s. */
#define LAG_SLOT_MS 10000

static void on_lag_timer(uv_timer_t *t)
{
	et_looplag_t *l = t->data;
	uint64_t now = uv_hrtime();
	/* libuv arms a timer on the loop's cached time, which may be a little
	 * older than uv_hrtime here: a firing before due_ns is no lag */
	int64_t lag_us = now > l->due_ns ? (int64_t)((now - l->due_ns) / 1000) : 0;
	et_lagwin_add(&l->win, (int64_t)(now / 1000000), lag_us);
	if (lag_us > l->max_us)
		l->max_us = lag_us;
	l->due_ns = now + (uint64_t)ET_LOOPLAG_INTERVAL_MS * 1000000;
	uv_timer_start(&l->timer, on_lag_timer, ET_LOOPLAG_INTERVAL_MS, 0);
}

void et_looplag_start(et_looplag_t *l, uv_loop_t *loop)
{
	memset(l, 0, sizeof(*l));
	et_lagwin_init(&l->win, LAG_SLOT_MS);
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	l->due_ns = uv_hrtime() + (uint64_t)ET_LOOPLAG_INTERVAL_MS * 1000000;
	uv_timer_start(&l->timer, on_lag_timer, ET_LOOPLAG_INTERVAL_MS, 0);
}

void et_looplag_close(et_looplag_t *l, uv_close_cb cb)
{
	uv_timer_stop(&l->timer);
	uv_close((uv_handle_t *)&l->timer, cb);
}

void et_looplag_metrics(const et_looplag_t *l, et_buf_t *b)
{
	char s[600];
	int64_t win = et_lagwin_max(&l->win, (int64_t)(uv_hrtime() / 1000000));
	int n = snprintf(s, sizeof(s),
			 "# HELP enertrack_loop_lag_max_seconds The event loop's largest lag over "
			 "the last minute: how late a timer due every %d ms fired.\n"
			 "# TYPE enertrack_loop_lag_max_seconds gauge\n"
			 "enertrack_loop_lag_max_seconds %.6f\n"
			 "# HELP enertrack_loop_lag_max_ever_seconds The event loop's largest lag "
			 "since the start.\n"
			 "# TYPE enertrack_loop_lag_max_ever_seconds gauge\n"
			 "enertrack_loop_lag_max_ever_seconds %.6f\n",
			 ET_LOOPLAG_INTERVAL_MS, (double)win / 1e6, (double)l->max_us / 1e6);
	/* out of memory: the page goes without these lines, as metrics.c's put */
	if (n > 0 && (size_t)n < sizeof(s) && et_buf_append(b, s, (size_t)n))
		return;
}
