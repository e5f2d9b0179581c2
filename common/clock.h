/* SPDX-License-Identifier: MIT */
/* Clock reads, shared by the daemon and the tool: monotonic and wall-clock
 * time in ms or µs, and absolute deadlines for pthread_cond_timedwait. Not
 * in lib/: lib/ takes time as a parameter, so that its tests choose it. */
#ifndef ENERTRACK_COMMON_CLOCK_H
#define ENERTRACK_COMMON_CLOCK_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

/* CLOCK_MONOTONIC in ms: for intervals, never for timestamps. */
static inline int64_t et_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_MONOTONIC in µs. */
static inline int64_t et_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The wall clock in µs since the epoch: when a message was received. */
static inline int64_t et_wall_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* now on `clock` plus ms, as an absolute timespec. */
static inline struct timespec et_deadline_on(clockid_t clock, int64_t ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

/* A deadline ms from now for a condition variable on the default clock
 * (CLOCK_REALTIME). */
static inline struct timespec et_deadline_ms(int64_t ms)
{
	return et_deadline_on(CLOCK_REALTIME, ms);
}

/* The same for one set up with pthread_condattr_setclock(CLOCK_MONOTONIC). */
static inline struct timespec et_mono_deadline_ms(int64_t ms)
{
	return et_deadline_on(CLOCK_MONOTONIC, ms);
}

#endif
