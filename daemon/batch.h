/* SPDX-License-Identifier: MIT */
/* A write batch: readings and rejected messages already encoded as COPY
 * text, built on the loop thread and handed whole to the writer thread. */
#ifndef ENERTRACK_DAEMON_BATCH_H
#define ENERTRACK_DAEMON_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "enertrack/buf.h"

typedef struct et_batch {
	struct et_batch *next;
	et_buf_t readings; /* COPY lines for the staging table */
	uint32_t nreadings;
	et_buf_t rejects; /* COPY lines for rejected_message */
	uint32_t nrejects;
	et_buf_t sparkplug; /* COPY lines for the Sparkplug staging table */
	uint32_t nsparkplug;
	int64_t first_recv_us; /* when the oldest message in it arrived */
	uint64_t last_seq;     /* spool seq of the last message in it */
	/* keys (site, metric, ts) seen, hashed: a batch without a repeated
	 * key is written by the cheaper statement (no window functions) */
	uint64_t *keys;
	uint32_t keycap; /* a power of two, at least twice the rows */
	bool maybe_dups;
	bool counters; /* some reading is a totaliser ("counter": true) */
	/* filled in by the writer */
	uint64_t inserted, corrected, duplicates, poisoned;
	uint64_t sp_unmapped; /* Sparkplug values without a sparkplug_map row */
	int64_t write_us;     /* time spent writing it, retries included */
	bool committed;	      /* false when the writer gave up (shutdown with PostgreSQL down) */
} et_batch_t;

/* Rows of every kind in b. */
static inline uint32_t et_batch_rows(const et_batch_t *b)
{
	return b->nreadings + b->nrejects + b->nsparkplug;
}

#endif
