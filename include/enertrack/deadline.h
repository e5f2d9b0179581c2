/* SPDX-License-Identifier: MIT */
/* An absolute CLOCK_REALTIME deadline ms from now, for pthread_cond_timedwait. */
#ifndef ENERTRACK_DEADLINE_H
#define ENERTRACK_DEADLINE_H

#include <stdint.h>
#include <time.h>

static inline struct timespec et_deadline_ms(int64_t ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

#endif
