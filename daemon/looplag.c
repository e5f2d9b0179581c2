/* SPDX-License-Identifier: MIT */
/* The loop's lag and stall (looplag.h): a one-shot timer re-armed at each
 * firing, so that a stall counts once, as the time the next firing came
 * late, instead of as a burst of catch-up firings. The lag is read on
 * uv_hrtime (the loop's own ms clock is cached per iteration and too
 * coarse). */
#include "looplag.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A minute: 6 slots of 10 s. */
#define LAG_SLOT_MS 10000

/* The loop thread's time spent waiting for a CPU, in ns (the second
 * figure of schedstat); 0 when unknown. */
static uint64_t runqueue_wait_ns(int fd)
{
	char s[96];
	ssize_t n = fd >= 0 ? pread(fd, s, sizeof(s) - 1, 0) : -1;
	if (n <= 0)
		return 0;
	s[n] = '\0';
	uint64_t run, wait;
	return sscanf(s, "%" SCNu64 " %" SCNu64, &run, &wait) == 2 ? wait : 0;
}

static void on_lag_timer(uv_timer_t *t)
{
	et_looplag_t *l = t->data;
	uint64_t now = uv_hrtime();
	/* libuv arms a timer on the loop's cached time, which may be a little
	 * older than uv_hrtime here: a firing before due_ns is no lag */
	int64_t lag_us = now > l->due_ns ? (int64_t)((now - l->due_ns) / 1000) : 0;
	uint64_t waited = runqueue_wait_ns(l->sched_fd);
	int64_t queued_us = waited > l->waited_ns ? (int64_t)((waited - l->waited_ns) / 1000) : 0;
	l->waited_ns = waited;
	int64_t now_ms = (int64_t)(now / 1000000);
	et_lagwin_add(&l->lag, now_ms, lag_us);
	et_lagwin_add(&l->stall, now_ms, lag_us > queued_us ? lag_us - queued_us : 0);
	l->due_ns = now + (uint64_t)ET_LOOPLAG_INTERVAL_MS * 1000000;
	uv_timer_start(&l->timer, on_lag_timer, ET_LOOPLAG_INTERVAL_MS, 0);
}

void et_looplag_start(et_looplag_t *l, uv_loop_t *loop)
{
	memset(l, 0, sizeof(*l));
	et_lagwin_init(&l->lag, LAG_SLOT_MS);
	et_lagwin_init(&l->stall, LAG_SLOT_MS);
	/* thread-self: the loop's thread, which calls this */
	l->sched_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	l->waited_ns = runqueue_wait_ns(l->sched_fd);
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	l->due_ns = uv_hrtime() + (uint64_t)ET_LOOPLAG_INTERVAL_MS * 1000000;
	uv_timer_start(&l->timer, on_lag_timer, ET_LOOPLAG_INTERVAL_MS, 0);
}

void et_looplag_close(et_looplag_t *l, uv_close_cb cb)
{
	uv_timer_stop(&l->timer);
	uv_close((uv_handle_t *)&l->timer, cb);
	if (l->sched_fd >= 0)
		close(l->sched_fd);
	l->sched_fd = -1;
}

void et_looplag_metrics(const et_looplag_t *l, et_buf_t *b)
{
	char s[900];
	int64_t now_ms = (int64_t)(uv_hrtime() / 1000000);
	int n = snprintf(
		s, sizeof(s),
		"# HELP enertrack_loop_lag_max_seconds The event loop's largest lag over the "
		"last minute: how late a timer due every %d ms fired.\n"
		"# TYPE enertrack_loop_lag_max_seconds gauge\n"
		"enertrack_loop_lag_max_seconds %.6f\n"
		"# HELP enertrack_loop_stall_max_seconds The event loop's largest lag over the "
		"last minute less the time its thread waited for a CPU meanwhile: the daemon's "
		"own stall.\n"
		"# TYPE enertrack_loop_stall_max_seconds gauge\n"
		"enertrack_loop_stall_max_seconds %.6f\n",
		ET_LOOPLAG_INTERVAL_MS, (double)et_lagwin_max(&l->lag, now_ms) / 1e6,
		(double)et_lagwin_max(&l->stall, now_ms) / 1e6);
	/* out of memory: the page goes without these lines, as metrics.c's put */
	if (n > 0 && (size_t)n < sizeof(s) && et_buf_append(b, s, (size_t)n))
		return;
}
