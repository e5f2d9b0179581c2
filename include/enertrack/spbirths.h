/* SPDX-License-Identifier: MIT */
/* The Sparkplug births file's replay, pure (no I/O). The file is a log of
 * spool records (enertrack/spoolrec.h) appended as births change: a record
 * with an NBIRTH or DBIRTH topic and a payload is that birth (the last one
 * of a topic wins, and an NBIRTH ends the DBIRTHs of its edge node before
 * it, as it does in the host); a record with a birth's topic and no
 * payload is its death (the node or device is dead or forgotten). The
 * daemon's writer is daemon/sphost.c. */
#ifndef ENERTRACK_SPBIRTHS_H
#define ENERTRACK_SPBIRTHS_H

#include <stddef.h>
#include <stdint.h>

#include "enertrack/spoolrec.h"

typedef struct et_spb_replay {
	size_t records;		  /* whole records read */
	size_t good_bytes;	  /* bytes of those records: where reading stopped */
	enum et_spool_parse stop; /* ET_SPR_OK: the whole file was read;
				   * ET_SPR_SHORT: a torn last record */
} et_spb_replay_t;

/* Replays the len bytes of a births file at p: calls cb, in order, with
 * each birth still alive at the end (an edge node's NBIRTH before its
 * DBIRTHs), its pointers into p. Reading stops at the first record that
 * does not parse (a torn tail after a crash: only that record is lost);
 * *ret tells where and why. Returns the number of births given to cb, the
 * first negative return of cb, or -ENOMEM. */
int et_spbirths_replay(const uint8_t *p, size_t len, int (*cb)(void *ctx, const et_spool_rec_t *r),
		       void *ctx, et_spb_replay_t *ret) __attribute__((warn_unused_result));

/* The kind of a births file topic: 'N' (an NBIRTH), 'D' (a DBIRTH) or 0
 * (anything else, which a replay skips). */
char et_spbirths_kind(const char *topic, size_t len);

#endif
