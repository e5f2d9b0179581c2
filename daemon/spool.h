/* SPDX-License-Identifier: MIT */
/* The on-disk spool (docs/spool.md): every message paho hands over is appended
 * here before paho's callback returns, and the loop reads messages back
 * from here, never from memory. One path serves live traffic, a backlog
 * while PostgreSQL is down, and replay after a crash; memory stays flat
 * because the loop reads only as fast as the writer commits.
 *
 * Files under spool_dir: segments named by the seq of their first record
 * ("%016llx.seg", records as in enertrack/spoolrec.h), "committed" (the
 * highest seq whose readings are in PostgreSQL) and "lock" (one daemon per
 * spool). A segment is deleted once it is closed, read and committed.
 *
 * Threads: et_spool_append from one producer thread (paho's); everything
 * else from the loop thread. The periodic fdatasync runs on libuv's
 * threadpool, so neither paho's thread nor the loop waits for the disk. */
#ifndef ENERTRACK_DAEMON_SPOOL_H
#define ENERTRACK_DAEMON_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enertrack/spoolrec.h"

typedef struct et_spool et_spool_t;

typedef struct et_spool_stats {
	uint64_t bytes;	       /* segment bytes on disk */
	uint64_t max_bytes;    /* spool_max_mb */
	uint64_t unread_bytes; /* on disk and not yet read back by the loop */
	uint32_t segments;
	uint64_t appended;	    /* records appended by this process */
	uint64_t replayed;	    /* records of an earlier run read back */
	uint64_t already_committed; /* records of an earlier run skipped: committed before */
	uint64_t damaged;	    /* damaged or torn stretches stepped over */
	uint64_t syncs;		    /* fdatasync calls */
	uint64_t append_errors;	    /* appends that failed (disk full, I/O error) */
} et_spool_stats_t;

/* Creates spool_dir if needed, takes its lock and finds the segments an
 * earlier run left (they are read back first). sync_ms 0 syncs after every
 * record. Returns 0, or a negative errno with a reason in err. */
int et_spool_open(et_spool_t **ret, const char *dir, int sync_ms, uint64_t max_bytes, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* Producer: appends one message (a payload longer than
 * ET_SPOOL_MAX_PAYLOAD keeps its first ET_SPOOL_MAX_PAYLOAD bytes: the
 * decoder rejects it as too large either way). Returns 1 when the loop
 * should read now, 0 when its timer will do, or a negative errno: the
 * message is not stored. */
int et_spool_append(et_spool_t *sp, const char *topic, size_t topic_len, const void *payload,
		    size_t len, int64_t recv_us);

/* Loop: calls cb for each record not read yet, oldest first, until cb
 * returns non-zero, max records were read, or the spool has no more.
 * The record's pointers are valid during the call only. Returns how many
 * records cb was given. */
typedef int (*et_spool_cb)(void *ctx, const et_spool_rec_t *r);
size_t et_spool_read(et_spool_t *sp, size_t max, et_spool_cb cb, void *ctx);

/* Loop: every record up to seq is in PostgreSQL. Records the checkpoint
 * and deletes what is no longer needed. */
void et_spool_commit(et_spool_t *sp, uint64_t seq);

/* Loop: when records were appended since the last sync and spool_sync_ms
 * passed, a duplicate of the open segment's descriptor for the caller to
 * fdatasync (off the loop) and close; else -1. With spool_sync_ms 0 the
 * producer syncs every record itself. */
int et_spool_sync_fd(et_spool_t *sp);

/* Loop: true when everything on disk has been read back. */
bool et_spool_caught_up(et_spool_t *sp);

void et_spool_stats(et_spool_t *sp, et_spool_stats_t *st);

/* Loop, once the producer is gone: syncs, and deletes every segment when
 * all was committed (a clean stop leaves an empty spool). */
void et_spool_close(et_spool_t *sp);

#endif
