/* SPDX-License-Identifier: MIT */
/* Ingest, on the loop thread: decodes handed-over messages, encodes the
 * readings and rejections into COPY batches, and feeds the writer one batch
 * at a time while the next one fills. */
#ifndef ENERTRACK_DAEMON_INGEST_H
#define ENERTRACK_DAEMON_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "enertrack/config.h"
#include "enertrack/decode.h"
#include "enertrack/ratelimit.h"
#include "enertrack/sparkplug.h"
#include "enertrack/spoolrec.h"
#include "pgwriter.h"

typedef struct et_ingest_stats {
	uint64_t messages;
	uint64_t readings; /* accepted by the decoder */
	uint64_t rejected; /* rejected messages or elements */
	uint64_t rejected_by[ET_REJ_COUNT];
	uint64_t inserted;   /* rows new in reading */
	uint64_t corrected;  /* rows whose value changed */
	uint64_t duplicates; /* redelivered, nothing changed */
	uint64_t poisoned;   /* refused by PostgreSQL, kept in rejected_message */
	uint64_t batches;
	/* Sparkplug B */
	uint64_t sp_messages;
	uint64_t sp_values;	      /* numeric metric values decoded */
	uint64_t sp_unmapped;	      /* values without a sparkplug_map row (not stored) */
	uint64_t sp_deaths;	      /* NDEATH/DDEATH of current sessions */
	uint64_t sp_rebirths;	      /* rebirth requests published */
	uint64_t sp_rebirths_dropped; /* over [sparkplug] max_rebirths_per_s */
	uint64_t sp_rejected_by[ET_SP_REJECT_REASONS]; /* the sparkplug_* reasons */
} et_ingest_stats_t;

typedef struct et_ingest {
	et_topic_layout_t layout;
	et_decode_limits_t lim;
	uint32_t batch_rows;
	int64_t flush_us;
	int max_rejects;
	et_ratelimit_t rl; /* max_site_readings_per_s */
	unsigned rl_warned;
	et_pgwriter_t *writer; /* borrowed */
	et_batch_t *cur;       /* filling */
	et_batch_t *ready, *ready_tail;
	size_t nready;
	et_batch_t *spare;
	et_batch_t *inflight; /* with the writer */
	uint64_t carry_seq;   /* done once the batch in flight commits */
	/* told the last spool seq of each committed batch */
	void (*on_commit)(void *ctx, uint64_t seq);
	void *commit_ctx;
	et_ingest_stats_t st;
	/* Sparkplug B ([sparkplug] enabled): NULL when off. The host state is
	 * owned; rebirth publishes an NCMD (0 when sent); births_changed is
	 * told after a message changed the births (to save them). */
	et_sp_host_t *sp;
	et_sp_limits_t sp_lim;
	int (*rebirth)(void *ctx, const et_sp_topic_t *t);
	void (*births_changed)(void *ctx, const et_sp_host_t *h);
	void *sp_ctx;
	bool sp_births_dirty;	 /* births changed since births_changed was last told */
	int64_t sp_births_saved; /* when it was (wall µs) */
	/* per-message state for the decoder's sink */
	const et_spool_rec_t *msg;
	int64_t now_us;
	unsigned since_now;
	int msg_rejects;
	int enc_error;
} et_ingest_t;

/* Takes its settings from cfg (copied). 0, or -ENOMEM. */
int et_ingest_init(et_ingest_t *in, const et_config_t *cfg, et_pgwriter_t *writer)
	__attribute__((warn_unused_result));
/* Applies the reloadable settings of cfg. */
void et_ingest_reconfigure(et_ingest_t *in, const et_config_t *cfg);
/* Batches closed and waiting for the writer, at most: while they wait, no
 * more is read from the spool, which keeps memory flat. */
#define INGEST_MAX_READY 2

/* Decodes and batches one spool record; an et_spool_cb (ctx is the
 * ingest). Returns 1 when the batches are full and reading should stop. */
int et_ingest_record(void *ctx, const et_spool_rec_t *r);
/* True while there is room for more records. */
bool et_ingest_has_room(const et_ingest_t *in);
/* Closes the filling batch if it is older than flush_ms (or `force`), and
 * gives the writer work if it is idle. */
void et_ingest_flush(et_ingest_t *in, bool force);
/* The writer's completion callback (pass `in` as its ctx). */
void et_ingest_batch_done(et_batch_t *b, void *ctx);
/* True when nothing waits to be written and the writer is idle. */
bool et_ingest_idle(const et_ingest_t *in);
/* Readings not yet committed (filling, ready and in flight). */
uint64_t et_ingest_pending(const et_ingest_t *in);
void et_ingest_free(et_ingest_t *in);

#endif
