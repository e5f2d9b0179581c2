/* SPDX-License-Identifier: MIT */
#include "enertrack/ratelimit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1; /* 0 marks a free slot */
}

int et_ratelimit_init(et_ratelimit_t *rl, size_t nkeys, uint32_t limit)
{
	size_t n = 1;
	while (n * WAYS < nkeys)
		n <<= 1;
	memset(rl, 0, sizeof(*rl));
	rl->slots = calloc(n * WAYS, sizeof(*rl->slots));
	if (!rl->slots)
		return -ENOMEM;
	rl->nbuckets = n;
	rl->limit = limit;
	return 0;
}

void et_ratelimit_set(et_ratelimit_t *rl, uint32_t limit)
{
	rl->limit = limit;
}

void et_ratelimit_free(et_ratelimit_t *rl)
{
	free(rl->slots);
	rl->slots = NULL;
}

/* floor division: -1 µs is in second -1 */
static int64_t second_of(int64_t us)
{
	return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

enum et_rl_verdict et_ratelimit_take(et_ratelimit_t *rl, const char *key, size_t len,
				     int64_t event_us, int64_t now_us, uint64_t *refused)
{
	if (!rl->limit || !rl->slots)
		return ET_RL_PASS;
	uint64_t h = fnv1a(key, len);
	int64_t sec = second_of(event_us);
	et_rl_slot_t *b = rl->slots + (h & (rl->nbuckets - 1)) * WAYS, *s = NULL;
	for (int i = 0; i < WAYS && !s; i++)
		if (b[i].hash == h)
			s = &b[i];
	if (!s) {
		/* a free slot, else the least recently used */
		s = &b[0];
		for (int i = 0; i < WAYS; i++) {
			if (!b[i].hash) {
				s = &b[i];
				break;
			}
			if (b[i].used_us < s->used_us)
				s = &b[i];
		}
		*s = (et_rl_slot_t){.hash = h, .second = sec, .noted_us = INT64_MIN / 2};
	}
	s->used_us = now_us;
	if (s->second != sec) {
		s->second = sec;
		s->count = 0;
	}
	if (s->count < rl->limit) {
		s->count++;
		return ET_RL_PASS;
	}
	s->refused++;
	if (now_us - s->noted_us < 1000000)
		return ET_RL_REFUSE;
	*refused = s->refused;
	s->refused = 0;
	s->noted_us = now_us;
	return ET_RL_REFUSE_REPORT;
}
