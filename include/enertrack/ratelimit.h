/* SPDX-License-Identifier: MIT */
/* Readings per key (site) per second of their own timestamps, pure. A
 * site cannot honestly stamp more than a few dozen readings within one
 * second (one per metric); a runaway publisher does. Counting by event
 * time, not arrival time, keeps a backlog that the broker delivers in a
 * rush after an outage, or a backfill of history, within the limit.
 *
 * A fixed table of 4-way buckets keyed by a hash of the key: memory is
 * bounded whatever the number of keys; when a bucket is full the least
 * recently used key is forgotten (it starts again with a fresh count: the
 * limit errs on the lenient side, never on the strict one). */
#ifndef ENERTRACK_RATELIMIT_H
#define ENERTRACK_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct et_rl_slot {
	uint64_t hash;	/* 0: free */
	int64_t second; /* the event second being counted */
	uint32_t count;
	int64_t used_us;  /* arrival time of its last reading */
	int64_t noted_us; /* arrival time of its last report */
	uint64_t refused; /* refusals since then */
} et_rl_slot_t;

typedef struct et_ratelimit {
	et_rl_slot_t *slots;
	size_t nbuckets; /* of 4 slots */
	uint32_t limit;	 /* readings per key per event second; 0: no limit */
} et_ratelimit_t;

/* nkeys: how many keys to remember (rounded up to a power of two). */
int et_ratelimit_init(et_ratelimit_t *rl, size_t nkeys, uint32_t limit)
	__attribute__((warn_unused_result));
void et_ratelimit_set(et_ratelimit_t *rl, uint32_t limit);
void et_ratelimit_free(et_ratelimit_t *rl);

enum et_rl_verdict {
	ET_RL_PASS = 0,
	ET_RL_REFUSE,	     /* over the limit: count it */
	ET_RL_REFUSE_REPORT, /* over the limit, and a second (of arrival time) passed since
				the key's last report: report it, with *refused refusals since */
};

/* event_us: the reading's timestamp; now_us: when it arrived. */
enum et_rl_verdict et_ratelimit_take(et_ratelimit_t *rl, const char *key, size_t len,
				     int64_t event_us, int64_t now_us, uint64_t *refused);

#endif
