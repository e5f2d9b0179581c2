/* SPDX-License-Identifier: MIT */
/* Per-key token buckets (readings per site per second), pure: the caller
 * passes the time. A fixed table of 4-way buckets keyed by a hash of the
 * key: memory is bounded whatever the number of keys; when a bucket is full
 * the least recently seen key is forgotten (it starts again with a full
 * allowance: the limit errs on the lenient side, never on the strict one). */
#ifndef ENERTRACK_RATELIMIT_H
#define ENERTRACK_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct et_rl_slot {
	uint64_t hash; /* 0: free */
	double tokens;
	int64_t last_us;
	int64_t noted_us; /* when a refusal was last reported */
	uint64_t refused; /* refusals since then */
} et_rl_slot_t;

typedef struct et_ratelimit {
	et_rl_slot_t *slots;
	size_t nbuckets; /* of 4 slots */
	double rate;	 /* tokens a second; 0: no limit */
	double burst;
} et_ratelimit_t;

/* nkeys: how many keys to remember (rounded up to a power of two). */
int et_ratelimit_init(et_ratelimit_t *rl, size_t nkeys, double rate, double burst)
	__attribute__((warn_unused_result));
void et_ratelimit_set(et_ratelimit_t *rl, double rate, double burst);
void et_ratelimit_free(et_ratelimit_t *rl);

enum et_rl_verdict {
	ET_RL_PASS = 0,
	ET_RL_REFUSE,	     /* over the limit: count it */
	ET_RL_REFUSE_REPORT, /* over the limit, and a second passed since the key's last
				report: report it, with *refused refusals since */
};

enum et_rl_verdict et_ratelimit_take(et_ratelimit_t *rl, const char *key, size_t len,
				     int64_t now_us, uint64_t *refused);

#endif
